/**
 * Readers' reactions to comments: one per reader and comment, idempotent both ways. The reaction
 * row and Comment.reactionCount change in one transaction, so the count is always the number of
 * rows. The comment is taken in the one lock order, its article first (db/lock-order.ts), so
 * reactions from several instances take turns with every other write to the discussion.
 */
import { DataSource } from "typeorm";
import { Caller, canModerate } from "../auth/caller";
import { canSeeComment, isPublic, viewerFor } from "../policy";
import type { Clock } from "../clock";
import { lockComment } from "../db/lock-order";
import { run, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { Author, Comment } from "../entities";
import { forbidden, notFound, unauthenticated, userError } from "../errors";
import { CommentEvents, publishCommentEvent, stateOf } from "../events/comment-events";
import { requireGoodStanding } from "./permissions";

/** What a reaction write did: the comment as it now is, and whether anything changed. */
export interface ReactionOutcome {
  comment: Comment;
  changed: boolean;
}

/**
 * Adds (`react`) or withdraws the caller's reaction to a comment. Reacting twice, or withdrawing a
 * reaction that is not there, changes nothing and answers the comment as it is. Only signed-in
 * readers react: a reaction is a reader's own, which the service token is not.
 */
export async function setReaction(
  db: DataSource,
  events: CommentEvents,
  caller: Caller,
  clock: Clock,
  commentId: number,
  react: boolean,
): Promise<ReactionOutcome> {
  const what = react ? "reactToComment" : "unreactToComment";
  if (caller.kind === "anonymous") throw unauthenticated(`${what} needs a signed-in reader ("Authorization: Bearer <JWT>")`);
  if (caller.kind !== "reader") throw forbidden(`${what} is for signed-in readers: a reaction is a reader's own, and the service token is not a reader`);
  const sub = caller.sub;
  const outcome = await inTransaction(db, async (manager): Promise<ReactionOutcome> => {
    const comment = (await lockComment(manager, commentId))?.comment;
    if (!comment) throw notFound(`no comment with that id`);
    await requireGoodStanding(manager, caller, clock(), react ? "reacting" : "withdrawing a reaction");
    // A comment the reader cannot see (held, rejected: someone else's) is not there for them.
    if (!isPublic({ ...comment, isDeleted: false })) {
      const ownId = canModerate(caller) ? null : ((await manager.findOneBy(Author, { sub }))?.id ?? null);
      if (!canSeeComment(viewerFor(caller, ownId), { ...comment, isDeleted: false })) throw notFound(`no comment with that id`);
    }
    if (react && comment.isDeleted) throw userError(`a deleted comment cannot be reacted to`, { argumentName: "id" });
    const [existing] = await run(manager, sql`SELECT 1 AS "found" FROM comment_reaction WHERE "commentId" = ${commentId} AND "readerSub" = ${sub}`);
    if (react === Boolean(existing)) return { comment, changed: false };
    if (react) {
      await run(manager, sql`INSERT INTO comment_reaction ("commentId", "readerSub", "createdAt") VALUES (${commentId}, ${sub}, ${clock()})`);
    } else {
      await run(manager, sql`DELETE FROM comment_reaction WHERE "commentId" = ${commentId} AND "readerSub" = ${sub}`);
    }
    await run(manager, sql`UPDATE comment SET "reactionCount" = "reactionCount" + ${react ? 1 : -1} WHERE "id" = ${commentId}`);
    return { comment: await manager.findOneByOrFail(Comment, { id: commentId }), changed: true };
  });
  if (outcome.changed) {
    const { comment } = outcome;
    // A reaction changes neither status nor deletion.
    publishCommentEvent(events, "REACTED", comment, stateOf(comment));
  }
  return outcome;
}
