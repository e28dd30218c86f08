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
  /** The moderation queues' sizes (read/queue-counts.ts): "site.pending", "<articleId>.pending", ... */
  queues: Record<string, number>;
}

const QUEUES = ["pending", "reported", "unmoderated", "rejected"] as const;

/** The queues a comment row is in, written from the README's words rather than the policy's rules. */
function queuesOfRow(row: Row): string[] {
  if (row.isDeleted && row.isDeleted !== "0") return [];
  const waiting = row.needsReviewSince !== null;
  const published = row.status === "PUBLISHED";
  return [
    ...(row.status === "PENDING" ? ["pending"] : []),
    ...(published && waiting && Number(row.flagCount) > 0 ? ["reported"] : []),
    ...(published && waiting ? ["unmoderated"] : []),
    ...(row.status === "REJECTED" ? ["rejected"] : []),
  ];
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
    queues: recountQueues(comments),
  };
}

function recountQueues(comments: Row[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of comments) {
    for (const queue of queuesOfRow(row)) {
      counts[`site.${queue}`] = (counts[`site.${queue}`] ?? 0) + 1;
      counts[`${Number(row.articleId)}.${queue}`] = (counts[`${Number(row.articleId)}.${queue}`] ?? 0) + 1;
    }
  }
  return counts;
}

async function storedQueues(db: DataSource): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const row of await run(db, sql`SELECT "name", "value" FROM "stored_count" WHERE "name" LIKE ${"queue.%"}`)) {
    if (Number(row.value) !== 0) counts[`site.${String(row.name).slice("queue.".length)}`] = Number(row.value);
  }
  const articles = await run(db, sql`SELECT "id", "pendingCount", "reportedCount", "unmoderatedCount", "rejectedCount" FROM "article"`);
  for (const row of articles) {
    for (const queue of QUEUES) if (Number(row[`${queue}Count`]) !== 0) counts[`${Number(row.id)}.${queue}`] = Number(row[`${queue}Count`]);
  }
  return counts;
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
  const comments = await run(
    db,
    sql`SELECT "id", "articleId", "parentId", "authorId", "isDeleted", "replyCount", "status", "flagCount", "needsReviewSince" FROM "comment"`,
  );
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
      queues: await storedQueues(db),
    },
    recounted: recount(comments, articleTags, Number(articles)),
  };
}
