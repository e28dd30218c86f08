/**
 * Lengths of the bounded text columns, in characters. The entities declare their columns with
 * these, migrations create them with these, and the importer checks a dump against them before
 * writing, so SQLite (which does not enforce varchar lengths) and PostgreSQL (which does) accept
 * and refuse the same data.
 */
export const COLUMN_LENGTHS = {
  articleSlug: 300,
  articleTitle: 1000,
  articleSection: 200,
  articleImageCredit: 500,
  articleDateline: 200,
  /** An absolute http(s) URL as the WHATWG URL parser writes it (ASCII: a B-tree index holds it). */
  articleUrl: 2000,
  /** The publisher's own id for an article. */
  articleExternalId: 200,
  relatedLinkTitle: 1000,
  tagName: 200,
  tagSlug: 200,
  authorName: 200,
  /** A reader's `sub` claim, the host site's id for them. */
  authorSub: 255,
} as const;
