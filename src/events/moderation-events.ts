import type { Comment } from "../entities";
import type { ModerationQueue } from "../entities/desk-enums";
import { CommentEvents, ModerationBusEvent, MODERATION_TOPIC, snapshotOf } from "./comment-events";

/** What one write did to one comment's queues (read/queue-counts.ts makes these). */
interface QueueMove {
  commentId: number;
  entered: ModerationQueue[];
  left: ModerationQueue[];
}

/**
 * Tells moderationEvents subscribers of committed queue moves: for each comment, what it left, then
 * what it entered, with the comment as the write left it. The write stands whatever happens to the
 * notice (see publishCommentEvent).
 */
export function publishQueueMoves(events: CommentEvents, moves: QueueMove[], comments: Comment[]): void {
  for (const move of moves) {
    const comment = comments.find((candidate) => candidate.id === move.commentId);
    if (!comment) continue;
    try {
      const snapshot = snapshotOf(comment);
      for (const [kind, queues] of [
        ["LEFT", move.left],
        ["ENTERED", move.entered],
      ] as const) {
        for (const queue of queues) {
          const event: ModerationBusEvent = { kind, queue, commentId: comment.id, articleId: comment.articleId, comment: snapshot };
          events.publish(MODERATION_TOPIC, event);
        }
      }
    } catch (error) {
      console.error(`[threadline] could not publish moderationEvents for comment ${comment.id}:`, error);
    }
  }
}
