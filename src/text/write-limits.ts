import { COLUMN_LENGTHS } from "../entities/column-lengths";

/**
 * What one comment or article may hold, the same whether it arrives through `addComment` /
 * `editComment` or in an imported dump. Lengths are in characters as a reader counts them (code
 * points); the stored columns are at least this long. The counts are also the hard caps on the
 * list fields that are not connections (Article.tags, Article.relatedLinks), so the cost model
 * can price them.
 */
export const WRITE_LIMITS = {
  commentBody: 10_000,
  authorName: 80,
  title: COLUMN_LENGTHS.articleTitle,
  section: COLUMN_LENGTHS.articleSection,
  imageCaption: 2_000,
  imageCredit: COLUMN_LENGTHS.articleImageCredit,
  dateline: COLUMN_LENGTHS.articleDateline,
  paragraph: 20_000,
  relatedLinkTitle: COLUMN_LENGTHS.relatedLinkTitle,
  tagName: COLUMN_LENGTHS.tagName,
  /** Per article. */
  paragraphs: 2_000,
  tags: 50,
  relatedLinks: 50,
  comments: 20_000,
  /** Entries per word list (setWordList), and characters per entry. */
  wordListEntries: 10_000,
  wordListEntry: 100,
} as const;

/** Characters as a reader counts them (code points), not UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
