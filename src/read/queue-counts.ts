/**
 * The sizes of the moderation queues (Query.moderationCounts), kept like the other stored counts
 * (stored-counts.ts): per article in article."pendingCount", "reportedCount", "unmoderatedCount"
 * and "rejectedCount", and for the whole site in stored_count "queue.pending" and so on. Which
 * queue a comment is in is the policy's (policy/moderation-queues.ts); every writer that changes
 * a comment's status, deletion, flags or review mark hands this module the comment's queue state
 * before and after, in the same transaction, and gets back the moves that moderationEvents tells.
 *
 * Lock order (lock-order.ts): the article's row is held already by every writer of its comments;
 * the site's stored_count rows are shared by every writer, so they are taken last in a
 * transaction, after authors, one queue at a time in name order.
 */
import { DataSource, EntityManager } from "typeorm";
import { ModerationQueue } from "../entities/desk-enums";
import { QUEUE_RULES, queuesOf, QueueState } from "../policy/moderation-queues";
import { ruleSql } from "../policy/rule";
import { run, sql, raw } from "../db/sql";

/** The queues that are counted, with their article column and stored_count name, in name order. */
const COUNTED = [
  { queue: ModerationQueue.PENDING, column: "pendingCount", name: "queue.pending" },
  { queue: ModerationQueue.REJECTED, column: "rejectedCount", name: "queue.rejected" },
  { queue: ModerationQueue.REPORTED, column: "reportedCount", name: "queue.reported" },
  { queue: ModerationQueue.UNMODERATED, column: "unmoderatedCount", name: "queue.unmoderated" },
] as const;

export type CountedQueue = (typeof COUNTED)[number]["queue"];

/** ModerationCounts: the size of each counted queue. */
export type QueueCounts = Record<"pending" | "reported" | "unmoderated" | "rejected", number>;

/** What one write did to one comment's queues. */
export interface QueueMove {
  commentId: number;
  articleId: number;
  entered: ModerationQueue[];
  left: ModerationQueue[];
}

/** The queues a comment entered and left between two states (null: it was not there, or is gone). */
export function queueMove(comment: { id: number; articleId: number }, before: QueueState | null, after: QueueState | null): QueueMove {
  const was = before === null ? [] : queuesOf(before);
  const is = after === null ? [] : queuesOf(after);
  return { commentId: comment.id, articleId: comment.articleId, entered: is.filter((q) => !was.includes(q)), left: was.filter((q) => !is.includes(q)) };
}

/** Whether a move changes anything. */
export function moved(move: QueueMove): boolean {
  return move.entered.length > 0 || move.left.length > 0;
}

/** Applies the moves to the stored counts; returns those that changed anything, for the events. */
export async function queuesChanged(manager: EntityManager, moves: QueueMove[]): Promise<QueueMove[]> {
  const real = moves.filter(moved);
  const byArticle = new Map<number, Map<string, number>>();
  const site = new Map<string, number>();
  for (const move of real) {
    for (const [queues, by] of [
      [move.entered, 1],
      [move.left, -1],
    ] as const) {
      for (const queue of queues) {
        const counted = COUNTED.find((entry) => entry.queue === queue);
        if (!counted) continue;
        const columns = byArticle.get(move.articleId) ?? new Map<string, number>();
        columns.set(counted.column, (columns.get(counted.column) ?? 0) + by);
        byArticle.set(move.articleId, columns);
        site.set(counted.name, (site.get(counted.name) ?? 0) + by);
      }
    }
  }
  for (const [articleId, columns] of [...byArticle].sort(([a], [b]) => a - b)) {
    const sets = [...columns].filter(([, by]) => by !== 0).map(([column, by]) => `"${column}" = "${column}" + ${integer(by)}`);
    if (sets.length > 0) await run(manager, sql`UPDATE "article" SET ${raw(sets.join(", "))} WHERE "id" = ${articleId}`);
  }
  for (const { name } of COUNTED) {
    const by = site.get(name) ?? 0;
    if (by !== 0) await run(manager, sql`UPDATE "stored_count" SET "value" = "value" + ${by} WHERE "name" = ${name}`);
  }
  return real;
}

function integer(value: number): number {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return value;
}

/** The queues' sizes as stored: one row, for one article or the whole site. */
export async function storedQueueCounts(db: DataSource | EntityManager, articleId: number | null): Promise<QueueCounts | null> {
  if (articleId !== null) {
    const [row] = await run<Record<string, number | string>>(
      db,
      sql`SELECT "pendingCount", "reportedCount", "unmoderatedCount", "rejectedCount" FROM "article" WHERE "id" = ${articleId}`,
    );
    if (!row) return null;
    return {
      pending: Number(row.pendingCount),
      reported: Number(row.reportedCount),
      unmoderated: Number(row.unmoderatedCount),
      rejected: Number(row.rejectedCount),
    };
  }
  const rows = await run<{ name: string; value: number | string }>(db, sql`SELECT "name", "value" FROM "stored_count" WHERE "name" LIKE ${"queue.%"}`);
  const value = (name: string) => Number(rows.find((row) => row.name === name)?.value ?? 0);
  return { pending: value("queue.pending"), reported: value("queue.reported"), unmoderated: value("queue.unmoderated"), rejected: value("queue.rejected") };
}

/** Sets every queue count from the rows, by the policy's rules: for repairs, and tests. */
export async function recountQueueCounts(manager: EntityManager): Promise<void> {
  for (const { queue, column, name } of COUNTED) {
    const where = ruleSql(QUEUE_RULES[queue], "c");
    await run(manager, sql`UPDATE "article" SET ${raw(`"${column}"`)} = (SELECT COUNT(*) FROM "comment" c WHERE c."articleId" = "article"."id" AND ${where})`);
    await run(manager, sql`UPDATE "stored_count" SET "value" = (SELECT COUNT(*) FROM "comment" c WHERE ${where}) WHERE "name" = ${name}`);
  }
}
