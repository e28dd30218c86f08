/**
 * Moderators' tools and readers' flags. Each runs in one transaction that takes its rows in the
 * one lock order, the article first (db/lock-order.ts), changes the stored counts in it when a
 * comment's visibility changes (read/stored-counts.ts: the public sees PUBLISHED comments only),
 * keeps the search index to what the public sees, and writes the moderation history
 * (moderation-log.ts). Events go out after the commit, from what the transaction returned.
 */
import { DataSource, EntityManager } from "typeorm";
import { Caller, requireModerator, requireSignedIn } from "../auth/caller";
import { lockArticle, lockComment } from "../db/lock-order";
import { canSeeComment, isPublic, MAX_FEATURED_PER_ARTICLE, viewerFor } from "../policy";
import { inTransaction } from "../db/transaction";
import { Article, Author, Comment, CommentFlag, CommentStatus, FlagReason, ModerationActionKind, ModerationMode, Notification } from "../entities";
import { forbidden, notFound, userError } from "../errors";
import { CommentEvents, ModerationState, publishCommentEvent, stateOf } from "../events/comment-events";
import { publishQueueMoves } from "../events/moderation-events";
import { queueMove, queuesChanged, QueueMove } from "../read/queue-counts";
import { requireGoodStanding } from "./permissions";
import { characterCount } from "../text/write-limits";
import { followReaderName, publishAdded, WriteRules } from "./comments";
import { changeStatus, featuredCount } from "./comment-status";
import { recordAction } from "./moderation-log";
import { notify, notifyReply, NotificationKind, publishNotifications } from "./notifications";

/** The longest reason or note a moderator or reader may give. */
export const MAX_REASON_LENGTH = 1000;

/** Optional free text: trimmed, blank as none, one limit for reasons and notes. */
export function cleanNote(text: string | null | undefined, argumentName: string): string | null {
  const trimmed = (text ?? "").trim();
  if (trimmed === "") return null;
  const length = characterCount(trimmed);
  if (length > MAX_REASON_LENGTH) throw userError(`"${argumentName}" is ${length} characters long; the limit is ${MAX_REASON_LENGTH}`, { argumentName });
  return trimmed;
}

/**
 * What a human's decision on a comment did, for the events that go out after the commit.
 */
export interface Decision {
  comment: Comment;
  /** It became public: commentAdded subscribers hear of it then. */
  published: boolean;
  /** Its state before; null when nothing changed. */
  before: ModerationState | null;
  move: QueueMove;
  /** The notifications it raised (its author's APPROVED or REJECTED, a published reply's REPLY). */
  notes: (Notification | null)[];
}

/**
 * A moderator (or the service token) gives a locked comment a status, inside the caller's
 * transaction: the counts and the search index follow, the comment no longer waits for a human
 * (the REPORTED and UNMODERATED queues), and the action goes in its history. The queue counts are
 * left to the caller (queuesChanged, last in the transaction: read/queue-counts.ts). Setting the
 * status it has approves a comment that waits for a human (it leaves those queues, and the action
 * is recorded; `before` stays null, as the public saw no change), and else changes nothing. A
 * change of status tells its author when it is published (APPROVED) or rejected (REJECTED, with
 * the reason), as it tells the parent's author of a reply that becomes published (REPLY).
 */
export async function decideStatus(
  manager: EntityManager,
  caller: Caller,
  now: Date,
  comment: Comment,
  status: CommentStatus,
  reason: string | null,
): Promise<Decision> {
  const unchanged = comment.status === status;
  if (unchanged && comment.needsReviewSince === null) return { comment, published: false, before: null, move: queueMove(comment, comment, comment), notes: [] };
  const published = unchanged ? false : await changeStatus(manager, comment, status);
  await manager.update(Comment, { id: comment.id }, { needsReviewSince: null });
  await recordAction(manager, caller, now, { commentId: comment.id, action: ModerationActionKind.SET_STATUS, status, reason });
  const after = await manager.findOneByOrFail(Comment, { id: comment.id });
  const told = unchanged
    ? null
    : status === CommentStatus.PUBLISHED
      ? NotificationKind.APPROVED
      : status === CommentStatus.REJECTED
        ? NotificationKind.REJECTED
        : null;
  const actorSub = caller.kind === "reader" ? caller.sub : null;
  const notes = [
    told && (await notify(manager, { authorId: comment.authorId, kind: told, commentId: comment.id, reason, at: now, actorSub })),
    published ? await notifyReply(manager, after, now) : null,
  ];
  return { comment: after, published, before: unchanged ? null : stateOf(comment), move: queueMove(comment, comment, after), notes };
}

/** The events of decisions, after their commit. */
export function publishDecisions(events: CommentEvents, decisions: Decision[], moves: QueueMove[]): void {
  for (const { comment, published, before } of decisions) {
    if (published) publishAdded(events, comment);
    if (before !== null) publishCommentEvent(events, "STATUS_CHANGED", comment, before);
  }
  publishQueueMoves(
    events,
    moves,
    decisions.map((decision) => decision.comment),
  );
  publishNotifications(
    events,
    decisions.flatMap((decision) => decision.notes),
  );
}

/**
 * setCommentStatus: moderators publish, hold or reject a comment, with a reason kept in its
 * history. A comment that becomes published reaches commentAdded subscribers then, as if just
 * posted. Either way a human has seen it: it leaves the REPORTED and UNMODERATED queues (so
 * publishing a published comment that waited approves it); setting the status of a comment that
 * waits for no one to the one it has changes nothing and records nothing. Its author is told when
 * it is published (APPROVED) or rejected (REJECTED, with the reason), and a reply that becomes
 * published tells its parent's author (REPLY), as if just posted.
 */
export async function setCommentStatus(
  db: DataSource,
  events: CommentEvents,
  caller: Caller,
  rules: WriteRules,
  id: number,
  status: CommentStatus,
  reason: string | null | undefined,
): Promise<Comment> {
  requireModerator(caller, "setCommentStatus");
  const cleanedReason = cleanNote(reason, "reason");
  const { decision, moves } = await inTransaction(db, async (manager) => {
    const comment = (await lockComment(manager, id))?.comment;
    if (!comment) throw notFound(`no comment with that id`);
    if (comment.isDeleted) throw userError(`a deleted comment has no status to set`, { argumentName: "id" });
    const decision = await decideStatus(manager, caller, rules.clock(), comment, status, cleanedReason);
    return { decision, moves: await queuesChanged(manager, [decision.move]) };
  });
  publishDecisions(events, [decision], moves);
  return decision.comment;
}

/**
 * flagComment: a signed-in reader reports a comment they can see, once: flagging it again changes
 * nothing (the first reason stands). The flag that brings flagCount to AUTO_HOLD_FLAGS puts a
 * PUBLISHED comment on hold (PENDING) until a moderator decides; later flags do not hold it again
 * once a moderator has published it.
 */
export async function flagComment(
  db: DataSource,
  events: CommentEvents,
  caller: Caller,
  rules: WriteRules,
  id: number,
  reason: FlagReason,
  note: string | null | undefined,
): Promise<Comment> {
  requireSignedIn(caller, "flagComment");
  if (caller.kind !== "reader") throw forbidden(`flags come from signed-in readers; the service token may set a status instead (setCommentStatus)`);
  const cleanedNote = cleanNote(note, "note");
  const { flagged, held, moves } = await inTransaction(db, async (manager) => {
    const comment = (await lockComment(manager, id))?.comment;
    const ownId = (await manager.findOneBy(Author, { sub: caller.sub }))?.id ?? null;
    if (!comment || !canSeeComment(viewerFor(caller, ownId), comment)) throw notFound(`no comment with that id`);
    if (ownId !== null && comment.authorId === ownId) throw userError(`you cannot flag your own comment`, { argumentName: "id" });
    await requireGoodStanding(manager, caller, rules.clock(), "flagging");
    if (await manager.findOneBy(CommentFlag, { commentId: id, readerSub: caller.sub })) return { flagged: comment, held: false, moves: [] };

    const now = rules.clock();
    await followReaderName(manager, caller);
    await manager.insert(CommentFlag, { commentId: id, readerSub: caller.sub, reason, note: cleanedNote, createdAt: now });
    const flagCount = comment.flagCount + 1;
    await manager.update(Comment, { id }, { flagCount });
    const held = flagCount === rules.autoHoldFlags && isPublic(comment);
    if (held) {
      await changeStatus(manager, comment, CommentStatus.PENDING);
      await recordAction(manager, null, now, {
        commentId: id,
        action: ModerationActionKind.AUTO_HOLD,
        status: CommentStatus.PENDING,
        reason: `${flagCount} flags`,
      });
    }
    const flagged = await manager.findOneByOrFail(Comment, { id });
    return { flagged, held, moves: await queuesChanged(manager, [queueMove(comment, comment, flagged)]) };
  });
  // The flag that held it took it from the public.
  if (held) publishCommentEvent(events, "STATUS_CHANGED", flagged, { status: CommentStatus.PUBLISHED, isDeleted: false });
  publishQueueMoves(events, moves, [flagged]);
  return flagged;
}

/**
 * featureComment / unfeatureComment: moderators pick published comments for their article's
 * featuredComments (featuring one is approving it: it leaves REPORTED and UNMODERATED) (at most MAX_FEATURED_PER_ARTICLE featured public comments; one deleted, held
 * or rejected does not count). Featuring a featured comment, or
 * unfeaturing one that is not, changes nothing and records nothing. Featuring tells the comment's
 * author (FEATURED).
 */
export async function setFeatured(db: DataSource, events: CommentEvents, caller: Caller, rules: WriteRules, id: number, featured: boolean): Promise<Comment> {
  requireModerator(caller, featured ? "featureComment" : "unfeatureComment");
  const { comment, moves, note } = await inTransaction(db, async (manager) => {
    const comment = (await lockComment(manager, id))?.comment;
    if (!comment) throw notFound(`no comment with that id`);
    if ((comment.featuredAt !== null) === featured) return { comment, moves: [], note: null };
    if (featured) {
      if (!isPublic(comment)) throw userError(`only a published comment that is not deleted can be featured`, { argumentName: "id" });
      if ((await featuredCount(manager, comment.articleId)) >= MAX_FEATURED_PER_ARTICLE) {
        throw userError(`the article has ${MAX_FEATURED_PER_ARTICLE} featured comments already, the most it may have; unfeature one first`, {
          argumentName: "id",
        });
      }
    }
    const now = rules.clock();
    // Featuring is a human's approval: the comment waits for no one any more.
    await manager.update(Comment, { id }, featured ? { featuredAt: now, needsReviewSince: null } : { featuredAt: null });
    await recordAction(manager, caller, now, { commentId: id, action: featured ? ModerationActionKind.FEATURE : ModerationActionKind.UNFEATURE });
    const note = featured
      ? await notify(manager, {
          authorId: comment.authorId,
          kind: NotificationKind.FEATURED,
          commentId: id,
          at: now,
          actorSub: caller.kind === "reader" ? caller.sub : null,
        })
      : null;
    const after = await manager.findOneByOrFail(Comment, { id });
    return { comment: after, moves: await queuesChanged(manager, [queueMove(comment, comment, after)]), note };
  });
  publishQueueMoves(events, moves, [comment]);
  publishNotifications(events, [note]);
  return comment;
}

/** setArticleModeration: whether readers' new comments on the article wait for a moderator. */
export async function setArticleModeration(db: DataSource, caller: Caller, articleId: number, mode: ModerationMode): Promise<void> {
  requireModerator(caller, "setArticleModeration");
  await inTransaction(db, async (manager) => {
    if (!(await lockArticle(manager, articleId))) throw notFound(`no article with that id`);
    await manager.update(Article, { id: articleId }, { moderation: mode });
  });
}
