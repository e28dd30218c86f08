import { DateTimeResolver } from "graphql-scalars";
import { Arg, Args, Ctx, Extensions, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { canModerate } from "../auth/caller";
import { Article, Author, Comment, CommentStatus, ModerationAction } from "../entities";
import { viewerSees } from "../loaders/comment.loader";
import type { Connection } from "../loaders/connection";
import { cappedListCost, CommentConnection, connectionCost } from "../schema/connection";
import { PRICED_AT_THREAD_DEPTH } from "../schema/limits";
import { idOfType, toGlobalId } from "../schema/global-id";
import { CommentConnectionArgs } from "./types/connection.args";
import { changeRight, editableUntil } from "../discussion/permissions";
import { viewerAuthor } from "./viewer.resolver";

/** Comment.moderationHistory serves this many actions at most, so its cost can be priced. */
const MAX_HISTORY = 20;

/**
 * Whether the caller sees the comment's text and author: at once for what the public sees (and for
 * deleted comments, which nobody sees), else after asking who the caller is.
 */
function callerSees(comment: Comment, ctx: Context): boolean | Promise<boolean> {
  if (comment.isDeleted) return false;
  if (comment.status === CommentStatus.PUBLISHED) return true;
  return ctx.loaders.viewer().then((viewer) => viewerSees(viewer, comment));
}

/** Whether the caller may change the comment now (permissions.ts), with the reader's author row loaded only for readers. */
async function viewerMayChange(comment: Comment, ctx: Context): Promise<boolean> {
  if (comment.isDeleted || ctx.caller.kind === "anonymous") return false;
  const author = ctx.caller.kind === "reader" ? await viewerAuthor(ctx) : null;
  return "right" in changeRight(ctx.caller, comment, author?.id ?? null, ctx.clock(), ctx.rules.editWindowSeconds);
}

@Resolver(() => Comment)
export class CommentResolver {
  @Query(() => Comment, { nullable: true, description: "One comment by global id, deleted ones included; null when there is none." })
  comment(@Ctx() ctx: Context, @Arg("id", () => ID, { description: "The comment's global id." }) id: string): Promise<Comment | null> | null {
    const rowId = idOfType(id, "Comment");
    return rowId === null ? null : ctx.loaders.commentById.load(rowId);
  }

  @FieldResolver(() => ID, { description: "Global id: opaque, for node(id) and for the arguments that take this type's id." })
  id(@Root() comment: Comment): string {
    return toGlobalId("Comment", comment.id);
  }

  @FieldResolver(() => String, {
    description: "Empty for a deleted comment (its text is no longer served), and for one the caller may not see (see status).",
  })
  body(@Root() comment: Comment, @Ctx() ctx: Context): string | Promise<string> {
    const seen = callerSees(comment, ctx);
    return seen === true ? comment.body : seen === false ? "" : seen.then((yes) => (yes ? comment.body : ""));
  }

  @FieldResolver(() => Author, {
    nullable: true,
    description: "Null for an anonymous comment, for a deleted one, and for one the caller may not see (see status).",
  })
  author(@Root() comment: Comment, @Ctx() ctx: Context): Author | Promise<Author | null> | null {
    if (comment.authorId === null) return null;
    const authorId = comment.authorId;
    const seen = callerSees(comment, ctx);
    if (seen === false) return null;
    return seen === true ? ctx.loaders.authorById.get(authorId) : seen.then((yes) => (yes ? ctx.loaders.authorById.load(authorId) : null));
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: "How many signed-in readers flagged it (flagComment). For moderators and the service token; null for anyone else.",
  })
  flagCount(@Root() comment: Comment, @Ctx() ctx: Context): number | null {
    return canModerate(ctx.caller) ? comment.flagCount : null;
  }

  @FieldResolver(() => [ModerationAction], {
    nullable: true,
    complexity: cappedListCost(MAX_HISTORY),
    description:
      "What moderators, the service token and the flags did to it (status changes, edits, deletions, featuring, holds): " +
      `the ${MAX_HISTORY} most recent actions, oldest first. For moderators and the service token; null for anyone else.`,
  })
  async moderationHistory(@Root() comment: Comment, @Ctx() ctx: Context): Promise<ModerationAction[] | null> {
    if (!canModerate(ctx.caller)) return null;
    return (await ctx.loaders.moderationActionsByComment.load(comment.id)).slice(-MAX_HISTORY);
  }

  @FieldResolver(() => Boolean, { description: "True while it is among its article's featuredComments (featureComment, until unfeatureComment)." })
  isFeatured(@Root() comment: Comment): boolean {
    return comment.featuredAt !== null;
  }

  @FieldResolver(() => Article, { description: "The article the comment is on." })
  async article(@Root() comment: Comment, @Ctx() ctx: Context): Promise<Article> {
    return (await ctx.loaders.articleById.load(comment.articleId))!;
  }

  @FieldResolver(() => Comment, { nullable: true, description: "The comment this one replies to; null at the top level." })
  parent(@Root() comment: Comment, @Ctx() ctx: Context): Comment | Promise<Comment | null> | null {
    return comment.parentId === null ? null : ctx.loaders.commentById.get(comment.parentId);
  }

  // A reply sits at most MAX_THREAD_DEPTH deep, so that is what the cost counts (schema/limits.ts).
  @Extensions({ [PRICED_AT_THREAD_DEPTH]: true })
  @FieldResolver(() => [Comment], {
    description:
      "The comments above this one, root first: its top-level comment, then each reply down to its parent. Empty for a " +
      "top-level comment. Deleted ones, and ones the caller may not see (see status), are included as tombstones (body \"\", author null), so a permalink can show the comment in context.",
  })
  ancestors(@Root() comment: Comment, @Ctx() ctx: Context): Promise<Comment[]> | Comment[] {
    return ctx.loaders.comments.ancestors(comment);
  }

  @FieldResolver(() => Comment, {
    description: "The top-level comment of this one's thread: the first of ancestors, or the comment itself when it is top-level.",
  })
  async thread(@Root() comment: Comment, @Ctx() ctx: Context): Promise<Comment> {
    return comment.parentId === null ? comment : (await ctx.loaders.comments.ancestors(comment))[0];
  }

  @FieldResolver(() => Int, {
    description:
      "How many direct replies the public sees listed, tombstones included (see isDeleted): the public's replies.totalCount. " +
      "An author's or a moderator's replies list may hold more (their own or others' unpublished replies), and its totalCount counts them.",
  })
  replyCount(@Root() comment: Comment): number {
    return comment.replyCount;
  }

  @FieldResolver(() => CommentConnection, {
    complexity: connectionCost,
    description: "Direct replies, one level down; deleted ones are listed as tombstones while a visible comment hangs below them (see isDeleted).",
  })
  replies(@Root() comment: Comment, @Ctx() ctx: Context, @Args(() => CommentConnectionArgs) args: CommentConnectionArgs): Promise<Connection<Comment>> {
    return ctx.loaders.comments.forParent(comment.id, args);
  }

  @FieldResolver(() => DateTimeResolver, {
    nullable: true,
    description:
      "Until when its author may still edit or delete it: createdAt plus EDIT_WINDOW_SECONDS (default 900). " +
      "Null for an imported comment (it has no createdAt), which only moderators and the service token may change.",
  })
  editableUntil(@Root() comment: Comment, @Ctx() ctx: Context): Date | null {
    return editableUntil(comment, ctx.rules.editWindowSeconds);
  }

  @FieldResolver(() => Boolean, {
    description:
      "Whether editComment by this caller would be accepted now: true for moderators and the service token, " +
      "and for the signed-in reader who wrote it until editableUntil; false for anyone else, anonymous callers, and deleted comments.",
  })
  viewerCanEdit(@Root() comment: Comment, @Ctx() ctx: Context): Promise<boolean> {
    return viewerMayChange(comment, ctx);
  }

  @FieldResolver(() => Boolean, {
    description:
      "Whether deleteComment by this caller would delete it now: the same rule as viewerCanEdit (false for a comment already deleted).",
  })
  viewerCanDelete(@Root() comment: Comment, @Ctx() ctx: Context): Promise<boolean> {
    return viewerMayChange(comment, ctx);
  }
}
