/**
 * FROZEN COPY of the writing half of src/search/search-index.ts (indexArticles and indexComments
 * with `fresh`, and bulk-sql's chunking) as of commit b01becf, for the SearchIndex migration.
 * Never change it: a migration must do the same on every database it ever runs on, whatever
 * today's code says. Today's code lives in src/search/search-index.ts.
 */
import { EntityManager } from "typeorm";
import { articleDocument, ArticleText, commentDocument, ftsColumns, SearchDocument, tsvectorLiteral } from "./search-document";

/** Bound parameters per statement, under SQLite's oldest limit of 999. */
const MAX_PARAMETERS = 900;

const ARTICLE_COLUMNS = ["title", "labels", "body", "title_forms", "labels_forms", "body_forms"];
const COMMENT_COLUMNS = ["body", "body_forms"];

export interface IndexedArticle extends ArticleText {
  id: number;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isPostgres(manager: EntityManager): boolean {
  return manager.connection.options.type === "postgres";
}

function placeholders(manager: EntityManager, count: number, offset: number): string {
  return Array.from({ length: count }, (_, i) => (isPostgres(manager) ? `$${offset + i + 1}` : "?")).join(", ");
}

/** Writes entries for rows that have none. */
async function insert(
  manager: EntityManager,
  table: "search_article" | "search_comment",
  columns: string[],
  entries: { id: number; document: SearchDocument }[],
): Promise<void> {
  const postgres = isPostgres(manager);
  const perRow = postgres ? 2 : 1 + columns.length;
  for (const chunk of chunks(entries, Math.floor(MAX_PARAMETERS / perRow))) {
    if (chunk.length === 0) continue;
    const params: unknown[] = [];
    const rows = chunk.map(({ id, document }) => {
      const values = postgres ? [id, tsvectorLiteral(document)] : [id, ...ftsColumns(document)];
      const start = params.length;
      params.push(...values);
      if (!postgres) return `(${placeholders(manager, values.length, start)})`;
      return `($${start + 1}, CAST($${start + 2} AS tsvector))`;
    });
    const target = postgres ? `${table} (${table === "search_article" ? `"articleId"` : `"commentId"`}, document)` : `${table} (rowid, ${columns.join(", ")})`;
    await manager.query(`INSERT INTO ${target} VALUES ${rows.join(", ")}`, params);
  }
}

/** Indexes articles that have no entry yet. */
export async function indexNewArticles(manager: EntityManager, articles: IndexedArticle[]): Promise<void> {
  await insert(
    manager,
    "search_article",
    ARTICLE_COLUMNS,
    articles.map((a) => ({ id: a.id, document: articleDocument(a) })),
  );
}

/** Indexes comments that have no entry yet. */
export async function indexNewComments(manager: EntityManager, comments: { id: number; body: string }[]): Promise<void> {
  await insert(
    manager,
    "search_comment",
    COMMENT_COLUMNS,
    comments.map((c) => ({ id: c.id, document: commentDocument(c.body) })),
  );
}
