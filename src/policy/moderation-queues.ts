/**
 * Which moderation queue a comment is in, stated once: the queue lists (read/comment.loader.ts)
 * read these rules as SQL, and the stored queue counts and moderation events (read/queue-counts.ts)
 * apply them to a comment before and after each write.
 *
 * - PENDING: held (status PENDING).
 * - REPORTED: published, flagged, and still waiting for a human (needsReviewSince set).
 * - UNMODERATED: published and still waiting for a human (the reported ones included).
 * - REJECTED: status REJECTED.
 * - APPROVED: published and not waiting: approved, featured, or never needing a look.
 * A deleted comment is in no queue. A human's approval, rejection or featuring clears
 * needsReviewSince, which takes a comment out of REPORTED and UNMODERATED for good.
 */
import type { Comment } from "../entities/comment.entity";
import { ModerationQueue } from "../entities/desk-enums";
import { above, all, equals, isNull, isSet, Rule, ruleHolds } from "./rule";

/** The columns the queue rules read. */
export type QueueState = Pick<Comment, "isDeleted" | "status" | "flagCount" | "needsReviewSince">;

const notDeleted: Rule<QueueState> = equals("isDeleted", false);
const published: Rule<QueueState> = equals("status", "PUBLISHED");
const waiting: Rule<QueueState> = isSet("needsReviewSince");

export const QUEUE_RULES: Record<ModerationQueue, Rule<QueueState>> = {
  PENDING: all(notDeleted, equals("status", "PENDING")),
  REPORTED: all(notDeleted, published, waiting, above("flagCount", 0)),
  UNMODERATED: all(notDeleted, published, waiting),
  REJECTED: all(notDeleted, equals("status", "REJECTED")),
  APPROVED: all(notDeleted, published, isNull("needsReviewSince")),
};

const QUEUES = Object.keys(QUEUE_RULES) as ModerationQueue[];

/** The queues a comment in this state is in (none when deleted). */
export function queuesOf(comment: QueueState): ModerationQueue[] {
  return QUEUES.filter((queue) => ruleHolds(QUEUE_RULES[queue], comment));
}
