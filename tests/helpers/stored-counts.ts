/**
 * Stored counts (src/read/stored-counts.ts) beside a recount of the rows. The recount is written
 * from the tombstone rule itself, in JavaScript, not from the SQL the service uses.
 */
import { DataSource } from "typeorm";
import { run, sql } from "../../src/db/sql";

type Row = Record<string, unknown>;

export interface Counts {
  /** stored_count "articles" against the article rows. */
  articles: number;
  replyCount: Record<number, number>;
  articleComments: Record<number, number>;
  authorComments: Record<number, number>;
  tagArticles: Record<number, number>;
}

/** What every stored count must be, from the rows alone. */
function recount(comments: Row[], articleTags: Row[], articles: number): Counts {
  const visible = (row: Row) => (!row.isDeleted || row.isDeleted === "0") && row.status === "PUBLISHED";
  const children = new Map<number, Row[]>();
  for (const row of comments) {
    if (row.parentId === null) continue;
    const parent = Number(row.parentId);
    children.set(parent, [...(children.get(parent) ?? []), row]);
  }
  const listedMemo = new Map<number, boolean>();
  const listed = (row: Row): boolean => {
    const id = Number(row.id);
    if (!listedMemo.has(id)) listedMemo.set(id, visible(row) || (children.get(id) ?? []).some(listed));
    return listedMemo.get(id)!;
  };
  const tally = (key: (row: Row) => unknown, rows: Row[]) => {
    const counts: Record<number, number> = {};
    for (const row of rows) if (key(row) !== null) counts[Number(key(row))] = (counts[Number(key(row))] ?? 0) + 1;
    return counts;
  };
  const replyCount: Record<number, number> = {};
  for (const row of comments) replyCount[Number(row.id)] = (children.get(Number(row.id)) ?? []).filter(listed).length;
  return {
    articles,
    replyCount: withoutZeros(replyCount),
    articleComments: withoutZeros(tally((row) => row.articleId, comments.filter(visible))),
    authorComments: withoutZeros(tally((row) => row.authorId, comments.filter(visible))),
    tagArticles: withoutZeros(tally((row) => row.tagId, articleTags)),
  };
}

/** Stored values by id, leaving out zeros so that rows without anything to count compare equal to "absent". */
function stored(rows: Row[], column: string): Record<number, number> {
  const values: Record<number, number> = {};
  for (const row of rows) if (Number(row[column]) !== 0) values[Number(row.id)] = Number(row[column]);
  return values;
}

function withoutZeros(counts: Record<number, number>): Record<number, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

/** Every stored count as stored, and as the rows say it should be; equal when the writers kept them right. */
export async function storedAndRecounted(db: DataSource): Promise<{ stored: Counts; recounted: Counts }> {
  const comments = await run(db, sql`SELECT "id", "articleId", "parentId", "authorId", "isDeleted", "replyCount", "status" FROM "comment"`);
  const articleTags = await run(db, sql`SELECT "tagId" FROM "article_tag"`);
  const [{ n: articles }] = await run(db, sql`SELECT COUNT(*) AS n FROM "article"`);
  const [{ value: storedArticles }] = await run(db, sql`SELECT "value" FROM "stored_count" WHERE "name" = ${"articles"}`);
  return {
    stored: {
      articles: Number(storedArticles),
      replyCount: stored(comments, "replyCount"),
      articleComments: stored(await run(db, sql`SELECT "id", "commentCount" FROM "article"`), "commentCount"),
      authorComments: stored(await run(db, sql`SELECT "id", "commentCount" FROM "author"`), "commentCount"),
      tagArticles: stored(await run(db, sql`SELECT "id", "articleCount" FROM "tag"`), "articleCount"),
    },
    recounted: recount(comments, articleTags, Number(articles)),
  };
}
