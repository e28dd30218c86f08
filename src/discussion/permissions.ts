/**
 * What a caller may do to a comment, decided in one place for the write paths (which refuse) and
 * for Comment.viewerCanEdit / viewerCanDelete (which tell a frontend beforehand):
 * - moderators and the service token may edit or delete any comment;
 * - a signed-in reader may edit or delete their own comment until editableUntil, EDIT_WINDOW_SECONDS
 *   after it was posted;
 * - nobody else may, anonymous callers included.
 * A deleted comment cannot be edited, by anyone (deleting it again changes nothing).
 */
import { Caller, canModerate } from "../auth/caller";
import type { Comment } from "../entities";

/** When the author's right to change the comment ends; null for a comment with no time (imported). */
export function editableUntil(comment: Pick<Comment, "createdAt">, editWindowSeconds: number): Date | null {
  return comment.createdAt === null ? null : new Date(comment.createdAt.getTime() + editWindowSeconds * 1000);
}

export type ChangeRight = "moderator" | "author";

/**
 * Why the caller may change the comment (as a moderator, or as its author within the window), or
 * the reason they may not. `viewerAuthorId` is the author row of the calling reader, if they have
 * one.
 */
export function changeRight(
  caller: Caller,
  comment: Pick<Comment, "authorId" | "createdAt">,
  viewerAuthorId: number | null,
  now: Date,
  editWindowSeconds: number,
): { right: ChangeRight } | { refusal: "anonymous" | "not-own" | "window-closed"; until: Date | null } {
  if (canModerate(caller)) return { right: "moderator" };
  if (caller.kind !== "reader") return { refusal: "anonymous", until: null };
  if (viewerAuthorId === null || comment.authorId !== viewerAuthorId) return { refusal: "not-own", until: null };
  const until = editableUntil(comment, editWindowSeconds);
  if (until === null || now.getTime() >= until.getTime()) return { refusal: "window-closed", until };
  return { right: "author" };
}
