/**
 * Keeping the search index in step with the rows it describes. Every function takes the
 * EntityManager of the write transaction that changed the rows, so a change and its index entry
 * commit or roll back together. The index holds every article and every visible comment; a
 * deleted comment is taken out, so nothing can find it.
 *
 * Tables (created by the SearchIndex migration): on SQLite the contentless FTS5 tables
 * search_article (rowid = article id) and search_comment (rowid = comment id); on PostgreSQL the
 * tables search_article ("articleId", document, title) and search_comment ("commentId", document)
 * with GIN indexes on document (and title: the document's weight-A entries). search_title, a
 * narrow copy of the titles, follows search_article by itself (triggers: migration SearchTitleList).
 */
import { EntityManager } from "typeorm";
import { isPostgres } from "../db/data-source";
import type { CommentStatus } from "../entities/moderation-enums";
import { isPublic } from "../policy";
import { chunks, MAX_PARAMETERS } from "../db/bulk-sql";
import { articleDocument, ArticleText, commentDocument, ftsColumns, SearchDocument, TITLE_WEIGHT, tsvectorLiteral } from "./search-document";

export interface IndexedArticle extends ArticleText {
  id: number;
}

export interface IndexedComment {
  id: number;
  body: string;
}

const ARTICLE_COLUMNS = ["title", "labels", "body", "title_forms", "labels_forms", "body_forms"];
const COMMENT_COLUMNS = ["body", "body_forms"];
/** A SQLite row's placeholders, by its number of columns besides the rowid. */
const SQLITE_ROW: Record<number, string> = Object.fromEntries(
  [ARTICLE_COLUMNS.length, COMMENT_COLUMNS.length].map((n) => [
    n,
    Array(n + 1)
      .fill("?")
      .join(", "),
  ]),
);

function placeholders(manager: EntityManager, count: number, offset: number): string {
  return Array.from({ length: count }, (_, i) => (isPostgres(manager.connection) ? `$${offset + i + 1}` : "?")).join(", ");
}

/** Removes the entries of these ids (absent ones are no matter). */
async function remove(manager: EntityManager, table: "search_article" | "search_comment", ids: number[]): Promise<void> {
  const key = isPostgres(manager.connection) ? (table === "search_article" ? `"articleId"` : `"commentId"`) : "rowid";
  for (const chunk of chunks(ids, MAX_PARAMETERS)) {
    if (chunk.length > 0) await manager.query(`DELETE FROM ${table} WHERE ${key} IN (${placeholders(manager, chunk.length, 0)})`, chunk);
  }
}

/** Writes entries for rows that have none. */
async function insert(
  manager: EntityManager,
  table: "search_article" | "search_comment",
  columns: string[],
  entries: { id: number; document: SearchDocument }[],
): Promise<void> {
  const postgres = isPostgres(manager.connection);
  const perRow = postgres ? 2 : 1 + columns.length;
  for (const chunk of chunks(entries, Math.floor(MAX_PARAMETERS / perRow))) {
    if (chunk.length === 0) continue;
    const params: unknown[] = [];
    let values = "";
    for (const { id, document } of chunk) {
      const start = params.length;
      if (postgres) {
        params.push(id, tsvectorLiteral(document));
        values += `${start === 0 ? "" : ", "}(CAST($${start + 1} AS integer), CAST($${start + 2} AS tsvector))`;
      } else {
        params.push(id, ...ftsColumns(document));
        values += `${start === 0 ? "" : ", "}(${SQLITE_ROW[columns.length]})`;
      }
    }
    if (!postgres) await manager.query(`INSERT INTO ${table} (rowid, ${columns.join(", ")}) VALUES ${values}`, params);
    else if (table === "search_comment") await manager.query(`INSERT INTO search_comment ("commentId", document) VALUES ${values}`, params);
    else {
      // An article's title words are kept apart too (match-sql.ts looks title matches up there),
      // taken from the document as it is cast once.
      await manager.query(
        `INSERT INTO search_article ("articleId", document, title) SELECT v.id, v.document, ts_filter(v.document, '{${TITLE_WEIGHT.toLowerCase()}}') FROM (VALUES ${values}) AS v (id, document)`,
        params,
      );
    }
  }
}

/** Indexes articles, replacing what the index held for them. */
export async function indexArticles(manager: EntityManager, articles: IndexedArticle[], fresh = false): Promise<void> {
  if (!fresh)
    await remove(
      manager,
      "search_article",
      articles.map((a) => a.id),
    );
  await insert(
    manager,
    "search_article",
    ARTICLE_COLUMNS,
    articles.map((a) => ({ id: a.id, document: articleDocument(a) })),
  );
}

/**
 * Indexes comments, replacing what the index held for them. Give visible comments only; `fresh`
 * says that none of them is indexed yet (just inserted), which saves the DELETE.
 */
export async function indexComments(manager: EntityManager, comments: IndexedComment[], fresh = false): Promise<void> {
  if (!fresh)
    await remove(
      manager,
      "search_comment",
      comments.map((c) => c.id),
    );
  await insert(
    manager,
    "search_comment",
    COMMENT_COLUMNS,
    comments.map((c) => ({ id: c.id, document: commentDocument(c.body) })),
  );
}

/** Takes comments out of the index: deleted ones, which nobody may find. */
export function unindexComments(manager: EntityManager, ids: number[]): Promise<void> {
  return remove(manager, "search_comment", ids);
}

/** Re-reads an article (title, section, tags, paragraphs) and indexes it anew. */
export function reindexArticle(manager: EntityManager, articleId: number): Promise<void> {
  return reindexArticles(manager, [articleId]);
}

/** Re-reads articles (title, section, tags, paragraphs) and indexes them anew; ids without a row lose their entry. */
export async function reindexArticles(manager: EntityManager, ids: number[]): Promise<void> {
  const found: IndexedArticle[] = [];
  for (const chunk of chunks(ids, MAX_PARAMETERS)) {
    if (chunk.length === 0) continue;
    const rows = (await manager.query(
      `SELECT "id", "title", "section", "paragraphs" FROM "article" WHERE "id" IN (${placeholders(manager, chunk.length, 0)})`,
      chunk,
    )) as { id: number; title: string; section: string | null; paragraphs: string }[];
    const tags = (await manager.query(
      `SELECT at."articleId", t."name" FROM "article_tag" at JOIN "tag" t ON t."id" = at."tagId"
       WHERE at."articleId" IN (${placeholders(manager, chunk.length, 0)}) ORDER BY at."articleId", at."position"`,
      chunk,
    )) as { articleId: number; name: string }[];
    const tagsOf = new Map<number, string[]>();
    for (const tag of tags) tagsOf.set(Number(tag.articleId), [...(tagsOf.get(Number(tag.articleId)) ?? []), tag.name]);
    for (const row of rows) {
      const id = Number(row.id);
      found.push({ id, title: row.title, section: row.section, paragraphs: JSON.parse(row.paragraphs) as string[], tags: tagsOf.get(id) ?? [] });
    }
  }
  await remove(manager, "search_article", ids);
  await indexArticles(manager, found, true);
}

/**
 * Empties the index, its statistics included. On SQLite a contentless FTS5 table does not take a
 * deleted entry out of the totals that BM25 weighs terms with (rows, words per column), so they
 * drift with every replaced entry; only 'delete-all' resets them.
 */
export async function clearSearchIndex(manager: EntityManager): Promise<void> {
  for (const table of ["search_article", "search_comment"]) {
    await manager.query(isPostgres(manager.connection) ? `DELETE FROM ${table}` : `INSERT INTO ${table} (${table}) VALUES ('delete-all')`);
  }
}

/**
 * Re-reads comments and brings their entries in line: indexed when the public sees them, out when
 * deleted or not PUBLISHED (search finds what the public sees only).
 */
export async function reindexComments(manager: EntityManager, ids: number[]): Promise<void> {
  const visible: IndexedComment[] = [];
  for (const chunk of chunks(ids, MAX_PARAMETERS)) {
    if (chunk.length === 0) continue;
    const rows = (await manager.query(
      `SELECT "id", "body", "isDeleted", "status" FROM "comment" WHERE "id" IN (${placeholders(manager, chunk.length, 0)})`,
      chunk,
    )) as { id: number; body: string; isDeleted: boolean | number; status: string }[];
    for (const row of rows)
      if (isPublic({ isDeleted: Boolean(row.isDeleted), status: row.status as CommentStatus })) visible.push({ id: Number(row.id), body: row.body });
  }
  await unindexComments(manager, ids);
  await indexComments(manager, visible, true);
}
