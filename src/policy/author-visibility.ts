/**
 * Which commenters a viewer may find (Query.authors, author(id|name), node(id)): those with a
 * public comment (a stored commentCount above 0, which counts exactly the public comments). A
 * reader whose every comment is held or rejected is not named to the public; they see themselves,
 * and moderators see everyone.
 */
import type { Author } from "../entities/author.entity";
import { above, always, any, equals, Rule, ruleHolds } from "./rule";
import type { Viewer } from "./viewer";

export type AuthorState = Pick<Author, "id" | "commentCount">;

/** Commenters with a public comment. */
export const publicAuthor: Rule<AuthorState> = above("commentCount", 0);

/** The commenters the viewer may find. */
export function foundAuthor(viewer: Viewer): Rule<AuthorState> {
  if (viewer.kind === "moderator") return always(true);
  if (viewer.kind === "author") return any(publicAuthor, equals("id", viewer.authorId));
  return publicAuthor;
}

export function canSeeAuthor(viewer: Viewer, author: AuthorState): boolean {
  return ruleHolds(foundAuthor(viewer), author);
}

/** Author.standing and Author.moderationHistory: moderators and the service token, and the author themselves. */
export function canSeeStanding(viewer: Viewer, author: Pick<AuthorState, "id">): boolean {
  return viewer.kind === "moderator" || (viewer.kind === "author" && viewer.authorId === author.id);
}
