/**
 * What an answer read, and what a write changed, named alike: the keys a cached answer is dropped
 * by (execution/response-cache.ts) and that HTTP caches in front are told of (Surrogate-Key).
 *
 * - `article:ID`, `comment:ID`, `author:ID`: a row, read or written (a lookup of an id that does
 *   not exist yet records it too).
 * - `article:ID:comments` (its comments and featured comments), `comment:ID:comments` (its
 *   replies), `author:ID:comments`:
 *   a list that hangs off a row, which a new or changed comment may enter or leave.
 * - `articles` (the article list, a tag's articles, lookups by slug, url, external id or title,
 *   and a miss among them), `tags` (every tag row and the tag list), `authors` (the commenter list
 *   and lookups by name), `search`, and `counts` (a top-level list in an order by a stored count):
 *   lists that any article write, or any comment, may change.
 * - `all`: every answer carries it, so that an HTTP cache can be emptied at once.
 */

/** A row kind whose reads are recorded by id. */
export type RowKind = "article" | "comment" | "author" | "tag";

export const ALL_KEY = "all";

/** The keys of an answer: filled as its rows are built (read/index.ts, connection.ts), turned into keys once it is complete. */
export class ReadSet {
  readonly articles = new Set<number>();
  readonly comments = new Set<number>();
  readonly authors = new Set<number>();
  readonly lists = new Set<string>();

  /** Records a read row of `kind` by id; tags are all one key, since only article writes change them. */
  recorder(kind: RowKind): (id: number) => void {
    switch (kind) {
      case "article":
        return (id) => void this.articles.add(id);
      case "comment":
        return (id) => void this.comments.add(id);
      case "author":
        return (id) => void this.authors.add(id);
      case "tag":
        return () => void this.lists.add("tags");
    }
  }

  /** Records a list by its name in cursors (connection.ts), for `parent` (0: a top-level list). */
  list(name: string, parent: number, byCount = false): void {
    this.lists.add(listKey(name, parent));
    if (byCount && parent === 0) this.lists.add("counts");
  }

  keys(): string[] {
    const keys = [ALL_KEY, ...this.lists];
    for (const id of this.articles) keys.push(`article:${id}`);
    for (const id of this.comments) keys.push(`comment:${id}`);
    for (const id of this.authors) keys.push(`author:${id}`);
    return keys;
  }
}

/** A list's key: per-parent lists by their parent row, top-level ones by their noun. */
export function listKey(name: string, parent: number): string {
  switch (name) {
    case "Article.comments":
      return `article:${parent}:comments`;
    // Replies are in their article's thread; a reply's parent is named by the write too (commentWriteKeys).
    case "Comment.replies":
      return `comment:${parent}:comments`;
    case "Author.comments":
      return `author:${parent}:comments`;
    case "Tag.articles":
      return "articles";
    default:
      return name;
  }
}

/** What a comment write (post, edit, delete, status, reaction, feature) changed. */
export function commentWriteKeys(comment: { id: number; articleId: number; authorId: number | null; parentId: number | null }): string[] {
  const keys = [`comment:${comment.id}`, `article:${comment.articleId}`, `article:${comment.articleId}:comments`, "authors", "search", "counts"];
  if (comment.parentId !== null) keys.push(`comment:${comment.parentId}`, `comment:${comment.parentId}:comments`);
  if (comment.authorId !== null) keys.push(`author:${comment.authorId}`, `author:${comment.authorId}:comments`);
  return keys;
}

/** What an article write (upsertArticle, its moderation mode) changed: the article and every list of articles or tags. */
export function articleWriteKeys(articleId: number): string[] {
  return [`article:${articleId}`, `article:${articleId}:comments`, "articles", "tags", "search", "counts"];
}

/** A dump's import may touch any commenter's counts as well: everything goes. */
export const EVERYTHING = [ALL_KEY];
