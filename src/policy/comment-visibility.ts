/**
 * What a viewer may see of a comment, stated once. Every list, count, lookup, search hit, featured
 * list and event asks these rules, either as SQL (ruleSql of the rules below) or on a loaded row
 * (the functions below), so the two can never disagree.
 *
 * - Public: not deleted, and PUBLISHED. The public sees these, and the stored counts count them.
 * - Seen (text, author, createdAt, status): public comments; a reader's own comments that are not
 *   deleted; for moderators and the service token, every comment that is not deleted.
 * - Listed (in Article.comments and Comment.replies): seen, or
 *   kept as a tombstone because a public comment hangs below it (replyCount > 0; see
 *   read/stored-counts.ts). A listed comment the viewer does not see is a tombstone: body "",
 *   author null, and no status or timestamps unless the viewer may know them.
 * - Found (by comment(id) and node(id)): listed; for moderators, every comment, deleted ones
 *   included (they look up what happened to it).
 * - Status known: seen; or the viewer wrote it, or moderates (a moderator knows why a tombstone is one).
 * - Featured: featured by a moderator and public. Only these count toward the cap and are
 *   isFeatured: a featured comment deleted or taken from the public drops out of both.
 */
import type { Comment } from "../entities/comment.entity";
import { above, all, always, any, equals, isSet, Rule, ruleHolds } from "./rule";
import type { Viewer } from "./viewer";

/** The columns the rules read. */
export type CommentState = Pick<Comment, "isDeleted" | "status" | "authorId" | "replyCount" | "featuredAt">;

type CommentRule = Rule<CommentState>;

const notDeleted: CommentRule = equals("isDeleted", false);

/** Not deleted, and PUBLISHED: what everyone sees and what the stored counts count. */
export const publicComment: CommentRule = all(notDeleted, equals("status", "PUBLISHED"));

/** Kept in its list as a tombstone: a public comment hangs somewhere below it. */
const keptForReplies: CommentRule = above("replyCount", 0);

const ownComment = (authorId: number): CommentRule => equals("authorId", authorId);

/** The comments whose text and author the viewer sees. */
export function seenComment(viewer: Viewer): CommentRule {
  if (viewer.kind === "moderator") return notDeleted;
  if (viewer.kind === "author") return any(publicComment, all(notDeleted, ownComment(viewer.authorId)));
  return publicComment;
}

/** The comments listed to the viewer: seen ones, and tombstones kept for the replies below them. */
export function listedComment(viewer: Viewer): CommentRule {
  return any(seenComment(viewer), keptForReplies);
}

/** The comments comment(id) and node(id) find for the viewer. */
export function foundComment(viewer: Viewer): CommentRule {
  return viewer.kind === "moderator" ? always(true) : listedComment(viewer);
}

/** The comments whose status (and timestamps) the viewer may know. */
export function statusKnown(viewer: Viewer): CommentRule {
  if (viewer.kind === "moderator") return always(true);
  if (viewer.kind === "author") return any(publicComment, ownComment(viewer.authorId));
  return publicComment;
}

/** Featured comments per article: Article.featuredComments is a list, not a connection, so it is capped. */
export const MAX_FEATURED_PER_ARTICLE = 10;

/** Featured, and public: the comments of Article.featuredComments, counted toward its cap. */
export const featuredComment: CommentRule = all(publicComment, isSet("featuredAt"));

/** Whether the public sees (and the stored counts count) a comment in this state. */
export function isPublic(comment: Pick<CommentState, "isDeleted" | "status">): boolean {
  return ruleHolds(publicComment, comment as CommentState);
}

/** Whether the viewer sees this comment's text and author (else, where it is listed, it is a tombstone). */
export function canSeeComment(viewer: Viewer, comment: Pick<CommentState, "isDeleted" | "status" | "authorId">): boolean {
  // The common case, without building a rule.
  if (isPublic(comment)) return true;
  return ruleHolds(seenComment(viewer), comment as CommentState);
}

/** Whether the comment is listed to the viewer (in its article's comments or its parent's replies). */
export function isListed(viewer: Viewer, comment: CommentState): boolean {
  return canSeeComment(viewer, comment) || ruleHolds(keptForReplies, comment);
}

/** Whether comment(id) and node(id) find the comment for the viewer. */
export function canFindComment(viewer: Viewer, comment: CommentState): boolean {
  return isListed(viewer, comment) || ruleHolds(foundComment(viewer), comment);
}

/** Whether the viewer sees only a placeholder for this comment. */
export function isTombstone(viewer: Viewer, comment: CommentState): boolean {
  return !canSeeComment(viewer, comment);
}

/** Whether the viewer may know the comment's status, createdAt and editedAt. */
export function canKnowStatus(viewer: Viewer, comment: CommentState): boolean {
  return isPublic(comment) || ruleHolds(statusKnown(viewer), comment);
}

/** Whether the comment is featured, as everyone sees it (Comment.isFeatured). */
export function isFeatured(comment: CommentState): boolean {
  return ruleHolds(featuredComment, comment);
}
