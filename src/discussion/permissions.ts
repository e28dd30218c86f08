/**
 * What a caller may do to a comment, decided in one place for the write paths (which refuse) and
 * for Comment.viewerCanEdit / viewerCanDelete (which tell a frontend beforehand):
 * - moderators and the service token may edit or delete any comment;
 * - a signed-in reader may edit or delete their own comment until editableUntil, EDIT_WINDOW_SECONDS
 *   after it was posted;
 * - nobody else may, anonymous callers included.
 * A deleted comment cannot be edited, by anyone (deleting it again changes nothing).
 * And the sanctions on readers' writes (requireGoodStanding, below).
 */
import { EntityManager } from "typeorm";
import { Caller, canModerate } from "../auth/caller";
import { Author, AuthorStatus } from "../entities";
import type { Comment } from "../entities";
import { forbidden } from "../errors";

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

/** Author.standing: whether a reader may write now, and whether their comments wait for a moderator. */
export interface Standing {
  status: AuthorStatus;
  /** When a suspension ends; null otherwise. */
  until: Date | null;
  premoderated: boolean;
  /** The moderator's reason for the sanction in force; null when ACTIVE. */
  reason: string | null;
}

export type SanctionedAuthor = Pick<Author, "sanction" | "sanctionedUntil" | "sanctionReason" | "premoderated">;

/** The author's standing at `now`: a suspension ends on time, a ban when a moderator lifts it. */
export function standingOf(author: SanctionedAuthor, now: Date): Standing {
  const premoderated = Boolean(author.premoderated);
  if (author.sanction === "BANNED") return { status: AuthorStatus.BANNED, until: null, premoderated, reason: author.sanctionReason };
  if (author.sanction === "SUSPENDED" && author.sanctionedUntil !== null && author.sanctionedUntil.getTime() > now.getTime()) {
    return { status: AuthorStatus.SUSPENDED, until: author.sanctionedUntil, premoderated, reason: author.sanctionReason };
  }
  return { status: AuthorStatus.ACTIVE, until: null, premoderated, reason: null };
}

/**
 * The one rule for sanctions on writes: a banned or suspended reader may not comment, edit, react
 * or flag (FORBIDDEN, saying until when); their reads, and deleting their own comments, are
 * untouched. Moderators and the service token are never sanctioned. Checked inside the write's
 * transaction; answers the reader's author row (null: none yet, so no sanction), whose
 * `premoderated` decides a new comment's status.
 */
export async function requireGoodStanding(manager: EntityManager, caller: Caller, now: Date, what: string): Promise<Author | null> {
  if (caller.kind !== "reader" || canModerate(caller)) return null;
  const author = await manager.findOneBy(Author, { sub: caller.sub });
  if (!author) return null;
  const standing = standingOf(author, now);
  const why = standing.reason ? ` (${standing.reason})` : "";
  if (standing.status === AuthorStatus.BANNED) {
    throw forbidden(`you are banned${why}: ${what} is refused until a moderator lifts the ban`, { standing: standing.status });
  }
  if (standing.status === AuthorStatus.SUSPENDED) {
    throw forbidden(`you are suspended until ${standing.until!.toISOString()}${why}: ${what} is refused until then`, {
      standing: standing.status,
      until: standing.until!.toISOString(),
    });
  }
  return author;
}
