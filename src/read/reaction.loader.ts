/** Reactions as a reader sees them: whether they reacted to each comment of a page, in one statement. */
import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { list, run, sql } from "../db/sql";
import { MAX_BATCH } from "./batch.loader";

interface ReactionKey {
  sub: string;
  commentId: number;
}

export function reactionLoaders(db: DataSource) {
  const reacted = new DataLoader<ReactionKey, boolean, string>(
    async (keys) => {
      // A request has one viewer; grouping by sub keeps any other caller of this loader correct.
      const found = new Set<string>();
      const subs = new Map<string, number[]>();
      for (const key of keys) subs.set(key.sub, [...(subs.get(key.sub) ?? []), key.commentId]);
      for (const [sub, ids] of subs) {
        const rows = await run(db, sql`SELECT "commentId" FROM comment_reaction WHERE "readerSub" = ${sub} AND "commentId" IN ${list(ids)}`, { prepare: true });
        for (const row of rows) found.add(`${sub}\u0000${Number(row.commentId)}`);
      }
      return keys.map((key) => found.has(`${key.sub}\u0000${key.commentId}`));
    },
    { cacheKeyFn: (key) => `${key.sub}\u0000${key.commentId}`, maxBatchSize: MAX_BATCH },
  );
  return {
    /** Comment.viewerHasReacted for the reader with this sub. */
    hasReacted: (sub: string, commentId: number) => reacted.load({ sub, commentId }),
  };
}
