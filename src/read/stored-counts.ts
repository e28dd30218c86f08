/**
 * Counts kept in the rows they describe, so that reading one costs a column, not a COUNT over
 * rows that grow with the data. They are the public's counts: a comment is visible when it is
 * not deleted and its status is PUBLISHED (a PENDING or REJECTED comment counts nowhere, as a
 * deleted one), and every change of either is a change of visibility here:
 * - article.commentCount: the article's visible comments, at any depth (Article.commentCount);
 * - author.commentCount: the author's visible comments, on every article (Author.commentCount);
 * - comment.replyCount: the comment's listed direct replies, tombstones included
 *   (Comment.replyCount = Comment.replies.totalCount);
 * - tag.articleCount: the articles that carry the tag (Tag.articleCount = Tag.articles.totalCount);
 * - stored_count "articles": every article (Query.articles.totalCount when nothing filters it).
 *   Articles are only ever added, by the importer.
 * - the moderation queues' sizes, per article and for the site: queue-counts.ts.
 *
 * The tombstone rule (read/comment.loader.ts) lists a comment when it is visible or when a
 * visible comment hangs below it. A comment has a visible comment below it exactly when one of its
 * direct replies is listed, that is when its replyCount is above 0; so the rule needs no walk down
 * the thread: listed = visible OR replyCount > 0.
 *
 * Every writer that changes what a count counts calls this module inside the same transaction.
 * Changes are written as increments (`x = x + n`): PostgreSQL applies each under the row's lock on
 * the latest committed value, so writers on several instances never lose one another's changes.
 * recountStoredCounts computes every count from the rows instead; the migration that added them
 * uses it, and so can anyone who changed rows behind the writers' back.
 */
import { DataSource, EntityManager } from "typeorm";
import { publicComment, ruleSql } from "../policy";
import { recountQueueCounts } from "./queue-counts";
import { join, list, run, Sql, sql } from "../db/sql";

/** A comment the public sees, and counts: the policy's public comment (src/policy), as SQL. */
export const visibleRow = ruleSql(publicComment);

/** Rows per CASE statement: each row adds two integer literals, and its id to the IN list. */
const CASE_ROWS = 500;

/** What the counts need to know of a comment whose visibility changes, as it was before the change. */
export interface CountedComment {
  articleId: number;
  authorId: number | null;
  parentId: number | null;
  /** Its listed direct replies (0 for a new comment). */
  replyCount: number;
}

/** Per-id increments of one counter column. */
class Increments {
  readonly byId = new Map<number, number>();

  add(id: number | null, by: number): void {
    if (id === null || by === 0) return;
    const total = (this.byId.get(id) ?? 0) + by;
    if (total === 0) this.byId.delete(id);
    else this.byId.set(id, total);
  }
}

/**
 * Adds each id's increment to its row's `column`: one `CASE "id" WHEN ... END` statement per
 * chunk. Ids and increments are integers computed here, written as literals, so PostgreSQL has no
 * untyped parameters in the CASE to guess a type for. Rows are taken in id order, so two writers
 * that share rows (a popular commenter, a common tag) lock them in the same order.
 */
async function applyIncrements(manager: EntityManager, table: string, column: string, increments: Increments): Promise<void> {
  const entries = [...increments.byId].sort(([a], [b]) => a - b);
  for (const [id, by] of entries) {
    if (!Number.isSafeInteger(id) || !Number.isSafeInteger(by)) throw new Error(`not an integer: ${id} -> ${by}`);
  }
  for (let start = 0; start < entries.length; start += CASE_ROWS) {
    const chunk = entries.slice(start, start + CASE_ROWS);
    const cases = chunk.map(([id, by]) => `WHEN ${id} THEN ${by}`).join(" ");
    const ids = chunk.map(([id]) => id).join(", ");
    await manager.query(`UPDATE "${table}" SET "${column}" = "${column}" + CASE "id" ${cases} END WHERE "id" IN (${ids})`);
  }
}

/**
 * Brings the counts in line after comments became visible (`shown`: new published comments,
 * deleted ones brought back, comments published by a moderator) or stopped being visible
 * (`hidden`: deleted, held or rejected), given each as it was before. Callers pass only comments
 * whose visibility (the policy's isPublic) really changed.
 *
 * A comment's visibility counts for its article and its author. It changes the parent's replyCount
 * only when it changes whether the comment is listed: a comment with listed replies was listed
 * before (as a tombstone) and still is. And when the parent is deleted, the parent's own
 * listedness may flip in turn, and so on up the thread.
 */
export async function commentsChanged(manager: EntityManager, changes: { shown?: CountedComment[]; hidden?: CountedComment[] }): Promise<void> {
  const articles = new Increments();
  const authors = new Increments();
  const listedReplies = new Increments();
  for (const [comments, by] of [
    [changes.shown ?? [], 1],
    [changes.hidden ?? [], -1],
  ] as const) {
    for (const comment of comments) {
      articles.add(comment.articleId, by);
      authors.add(comment.authorId, by);
      if (comment.replyCount === 0) listedReplies.add(comment.parentId, by);
    }
  }
  await applyIncrements(manager, "article", "commentCount", articles);
  await applyIncrements(manager, "author", "commentCount", authors);
  await listedRepliesChanged(manager, listedReplies);
}

/**
 * Adds to parents' replyCount, then follows every deleted parent whose count went from 0 to more
 * (it becomes a listed tombstone) or back to 0 (it leaves its own parent's list) one level up;
 * a parent the public does not see (deleted, or not PUBLISHED) is listed by that count alone.
 * The UPDATE takes the rows' locks first, so what is read back is the latest count.
 */
async function listedRepliesChanged(manager: EntityManager, increments: Increments): Promise<void> {
  let level = increments;
  while (level.byId.size > 0) {
    await applyIncrements(manager, "comment", "replyCount", level);
    const next = new Increments();
    const ids = [...level.byId.keys()];
    for (let start = 0; start < ids.length; start += CASE_ROWS) {
      const rows = await run<{ id: number | string; parentId: number | string | null; replyCount: number | string }>(
        manager,
        sql`SELECT "id", "parentId", "replyCount" FROM "comment" WHERE NOT (${visibleRow}) AND "id" IN ${list(ids.slice(start, start + CASE_ROWS))}`,
      );
      for (const row of rows) {
        const now = Number(row.replyCount);
        const before = now - level.byId.get(Number(row.id))!;
        if (row.parentId !== null && now > 0 !== before > 0) next.add(Number(row.parentId), now > 0 ? 1 : -1);
      }
    }
    level = next;
  }
}

/** Counts of whole tables, by name, in the one-column table stored_count. */
export type TableCount = "articles";

/** Adds new articles to the count of all articles. */
export async function articlesAdded(manager: EntityManager, count: number): Promise<void> {
  if (count !== 0) await run(manager, sql`UPDATE "stored_count" SET "value" = "value" + ${count} WHERE "name" = ${"articles" satisfies TableCount}`);
}

/** A count of a whole table, as stored. */
export async function storedTableCount(db: DataSource, name: TableCount): Promise<number> {
  const [row] = await run<{ value: number | string }>(db, sql`SELECT "value" FROM "stored_count" WHERE "name" = ${name}`);
  return Number(row?.value ?? 0);
}

/** Changes tags' articleCount: +1 for each article newly tagged, -1 for each untagged. */
export async function taggingsChanged(manager: EntityManager, byTag: Map<number, number>): Promise<void> {
  const increments = new Increments();
  for (const [tagId, by] of byTag) increments.add(tagId, by);
  await applyIncrements(manager, "tag", "articleCount", increments);
}

/**
 * Sets every stored count from the rows. replyCount needs the listed comments, which are the
 * visible ones and everything above them: one recursive walk up from the visible comments finds
 * them all (UNION drops repeats, so each comment is visited once). `visible` is the condition of
 * the schema at hand: a migration older than comment statuses passes its own.
 */
export async function recountStoredCounts(manager: EntityManager, visible: Sql = visibleRow): Promise<void> {
  await run(manager, sql`UPDATE "stored_count" SET "value" = (SELECT COUNT(*) FROM "article") WHERE "name" = ${"articles" satisfies TableCount}`);
  await run(manager, sql`UPDATE "article" SET "commentCount" = (SELECT COUNT(*) FROM "comment" c WHERE c."articleId" = "article"."id" AND ${visible})`);
  await run(manager, sql`UPDATE "author" SET "commentCount" = (SELECT COUNT(*) FROM "comment" c WHERE c."authorId" = "author"."id" AND ${visible})`);
  await run(manager, sql`UPDATE "tag" SET "articleCount" = (SELECT COUNT(*) FROM "article_tag" t WHERE t."tagId" = "tag"."id")`);
  await run(manager, sql`UPDATE "comment" SET "replyCount" = 0 WHERE "replyCount" <> 0`);
  const listed = sql`WITH RECURSIVE listed("id", "parentId") AS (SELECT "id", "parentId" FROM "comment" WHERE ${visible} UNION SELECT p."id", p."parentId" FROM "comment" p JOIN listed ON p."id" = listed."parentId")`;
  const perParent = sql`SELECT "parentId", COUNT(*) AS n FROM listed WHERE "parentId" IS NOT NULL GROUP BY "parentId"`;
  await run(
    manager,
    join([listed, sql`UPDATE "comment" SET "replyCount" = counted.n FROM (${perParent}) counted WHERE counted."parentId" = "comment"."id"`], " "),
  );
  await recountQueueCounts(manager);
}
