/**
 * Moderators' tools and readers' flags. Each runs in one transaction with the row locked, changes
 * the stored counts in it when a comment's visibility changes (db/stored-counts.ts: the public
 * sees PUBLISHED comments only), keeps the search index to what the public sees, and writes the
 * moderation history (moderation-log.ts).
 */
import { DataSource, EntityManager } from "typeorm";
import { Caller, canModerate, requireModerator, requireSignedIn } from "../auth/caller";
import { commentsChanged, countsAsVisible } from "../db/stored-counts";
import { inTransaction } from "../db/transaction";
import { Article, Author, Comment, CommentFlag, CommentStatus, FlagReason, ModerationActionKind, ModerationMode } from "../entities";
import { forbidden, notFound, userError } from "../errors";
import { CommentEvents, ModerationState, publishCommentEvent, stateOf } from "../events/comment-events";
import { reindexComments } from "../search/search-index";
import { characterCount } from "../text/write-limits";
import { followReaderName, lockedRow, publishAdded, WriteRules } from "./comments";
import { recordAction } from "./moderation-log";

/** The longest reason or note a moderator or reader may give. */
export const MAX_REASON_LENGTH = 1000;

/** Featured comments per article: Article.featuredComments is a list, not a connection, so it is capped. */
export const MAX_FEATURED_PER_ARTICLE = 10;

/** Optional free text: trimmed, blank as none, one limit for reasons and notes. */
export function cleanNote(text: string | null | undefined, argumentName: string): string | null {
  const trimmed = (text ?? "").trim();
  if (trimmed === "") return null;
  const length = characterCount(trimmed);
  if (length > MAX_REASON_LENGTH) throw userError(`"${argumentName}" is ${length} characters long; the limit is ${MAX_REASON_LENGTH}`, { argumentName });
  return trimmed;
}

/**
 * Gives a comment a new status, bringing the counts and the search index in line when its
 * visibility changes. Returns whether the public could not see it before and can now.
 */
async function changeStatus(manager: EntityManager, comment: Comment, status: CommentStatus): Promise<boolean> {
  const before = countsAsVisible(comment);
  const after = countsAsVisible({ isDeleted: comment.isDeleted, status });
  await manager.update(Comment, { id: comment.id }, { status });
  if (before !== after) {
    await commentsChanged(manager, before ? { hidden: [comment] } : { shown: [comment] });
    await reindexComments(manager, [comment.id]);
  }
  return !before && after;
}

/**
 * setCommentStatus: moderators publish, hold or reject a comment, with a reason kept in its
 * history. Setting the status it has changes nothing and records nothing. A comment that becomes
 * published reaches commentAdded subscribers then, as if just posted.
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
  let published = false;
  // Its state before, when the status changed (null: it did not).
  let before: ModerationState | null = null;
  const comment = await inTransaction(db, async (manager) => {
    const comment = await lockedRow(manager, Comment, id);
    if (!comment) throw notFound(`no comment with that id`);
    if (comment.isDeleted) throw userError(`a deleted comment has no status to set`, { argumentName: "id" });
    if (comment.status === status) return comment;
    before = stateOf(comment);
    published = await changeStatus(manager, comment, status);
    await recordAction(manager, caller, rules.clock(), { commentId: id, action: ModerationActionKind.SET_STATUS, status, reason: cleanedReason });
    return manager.findOneByOrFail(Comment, { id });
  });
  if (published) publishAdded(events, comment);
  if (before !== null) publishCommentEvent(events, "STATUS_CHANGED", comment, before);
  return comment;
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
  let held = false;
  const flagged = await inTransaction(db, async (manager) => {
    const comment = await lockedRow(manager, Comment, id);
    const ownId = (await manager.findOneBy(Author, { sub: caller.sub }))?.id ?? null;
    const sees = comment && !comment.isDeleted && (comment.status === CommentStatus.PUBLISHED || canModerate(caller) || comment.authorId === ownId);
    if (!comment || !sees) throw notFound(`no comment with that id`);
    if (ownId !== null && comment.authorId === ownId) throw userError(`you cannot flag your own comment`, { argumentName: "id" });
    if (await manager.findOneBy(CommentFlag, { commentId: id, readerSub: caller.sub })) return comment;

    const now = rules.clock();
    await followReaderName(manager, caller);
    await manager.insert(CommentFlag, { commentId: id, readerSub: caller.sub, reason, note: cleanedNote, createdAt: now });
    const flagCount = comment.flagCount + 1;
    await manager.update(Comment, { id }, { flagCount });
    if (flagCount === rules.autoHoldFlags && comment.status === CommentStatus.PUBLISHED) {
      await changeStatus(manager, comment, CommentStatus.PENDING);
      held = true;
      await recordAction(manager, null, now, { commentId: id, action: ModerationActionKind.AUTO_HOLD, status: CommentStatus.PENDING, reason: `${flagCount} flags` });
    }
    return manager.findOneByOrFail(Comment, { id });
  });
  // The flag that held it took it from the public.
  if (held) publishCommentEvent(events, "STATUS_CHANGED", flagged, { status: CommentStatus.PUBLISHED, isDeleted: false });
  return flagged;
}

/**
 * featureComment / unfeatureComment: moderators pick published comments for their article's
 * featuredComments (at most MAX_FEATURED_PER_ARTICLE). Featuring a featured comment, or
 * unfeaturing one that is not, changes nothing and records nothing.
 */
export async function setFeatured(db: DataSource, caller: Caller, rules: WriteRules, id: number, featured: boolean): Promise<Comment> {
  requireModerator(caller, featured ? "featureComment" : "unfeatureComment");
  return inTransaction(db, async (manager) => {
    const comment = await lockedRow(manager, Comment, id);
    if (!comment) throw notFound(`no comment with that id`);
    if ((comment.featuredAt !== null) === featured) return comment;
    if (featured) {
      if (!countsAsVisible(comment)) throw userError(`only a published comment that is not deleted can be featured`, { argumentName: "id" });
      const already = await manager.createQueryBuilder(Comment, "c").where(`c.articleId = :articleId AND c.featuredAt IS NOT NULL`, { articleId: comment.articleId }).getCount();
      if (already >= MAX_FEATURED_PER_ARTICLE) {
        throw userError(`the article has ${MAX_FEATURED_PER_ARTICLE} featured comments already, the most it may have; unfeature one first`, { argumentName: "id" });
      }
    }
    const now = rules.clock();
    await manager.update(Comment, { id }, { featuredAt: featured ? now : null });
    await recordAction(manager, caller, now, { commentId: id, action: featured ? ModerationActionKind.FEATURE : ModerationActionKind.UNFEATURE });
    return manager.findOneByOrFail(Comment, { id });
  });
}

/** setArticleModeration: whether readers' new comments on the article wait for a moderator. */
export async function setArticleModeration(db: DataSource, caller: Caller, articleId: number, mode: ModerationMode): Promise<void> {
  requireModerator(caller, "setArticleModeration");
  await inTransaction(db, async (manager) => {
    const article = await lockedRow(manager, Article, articleId);
    if (!article) throw notFound(`no article with that id`);
    await manager.update(Article, { id: articleId }, { moderation: mode });
  });
}
