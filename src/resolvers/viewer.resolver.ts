import { Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { canModerate, roleOf } from "../auth/caller";
import type { Context } from "../context";
import { Author } from "../entities";
import { Role, Viewer } from "./types/viewer.types";

/** The calling reader's author row (null until their first comment, and for other callers); one lookup per request. */
export function viewerAuthor(ctx: Context): Promise<Author | null> | null {
  return ctx.caller.kind === "reader" ? ctx.loaders.authors.bySub(ctx.caller.sub) : null;
}

/** Query.viewer: the caller as their credential says; null when anonymous. */
export function callerAsViewer(ctx: Context): Viewer | null {
  const role = roleOf(ctx.caller);
  if (role === null) return null;
  const viewer = new Viewer();
  viewer.role = Role[role];
  viewer.canModerate = canModerate(ctx.caller);
  viewer.name = ctx.caller.kind === "reader" ? ctx.caller.name : null;
  viewer.sub = ctx.caller.kind === "reader" ? ctx.caller.sub : null;
  return viewer;
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, {
    nullable: true,
    description:
      "Who is calling: a signed-in reader (Authorization: Bearer <JWT>) or the service token. Null for an anonymous request. " +
      "A credential that is not valid (expired, wrongly signed, unsigned) makes the whole request UNAUTHENTICATED.",
  })
  viewer(@Ctx() ctx: Context): Viewer | null {
    return callerAsViewer(ctx);
  }

  @FieldResolver(() => Author, {
    nullable: true,
    description:
      "The signed-in reader's author: the commenter their comments are listed under. Null until their first comment, and for the service token. " +
      "Its name follows the token of the reader's latest write (addComment, editComment, deleteComment, flagComment).",
  })
  author(@Root() viewer: Viewer, @Ctx() ctx: Context): Promise<Author | null> | null {
    return viewer.sub === null ? null : ctx.loaders.authors.bySub(viewer.sub);
  }
}
