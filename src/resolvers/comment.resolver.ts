import { DateTimeResolver } from "graphql-scalars";
import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Ctx, Extensions, FieldResolver, ID, Info, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Article, Author, Comment, CommentFlag, CommentStatus, ModerationAction } from "../entities";
import { canKnowStatus, canModerate, canSeeComment, isFeatured, isPublic, Viewer } from "../policy";
import type { Connection } from "../read/connection";
import { cappedListCost, CommentConnection, connectionCost } from "../schema/connection";
import { PRICED_AT_THREAD_DEPTH } from "../schema/limits";
import { idOfType, toGlobalId } from "../schema/global-id";
import { selectsField } from "../schema/selection";
import { CommentConnectionArgs } from "./types/connection.args";
import { changeRight, editableUntil } from "../discussion/permissions";
import { viewerAuthor } from "./viewer.resolver";

/** Comment.moderationHistory serves this many actions at most, so its cost can be priced. */
const MAX_HISTORY = 20;

/** Comment.flags serves this many flags at most, for the same reason. */
const MAX_FLAGS = 50;

/**
 * What the policy says of this comment for this caller: at once for a public comment (every rule
 * below lets everyone see all of one), else after asking who the caller is.
 */
function callerMay(comment: Comment, ctx: Context, rule: (viewer: Viewer, comment: Comment) => boolean): true | Promise<boolean> {
  if (isPublic(comment)) return true;
  return ctx.loaders.viewer().then((viewer) => rule(viewer, comment));
}

/** `value` when the policy allows it, else null, without a promise where none is needed. */
function when<T>(allowed: true | Promise<boolean>, value: T): T | Promise<T | null> {
  return allowed === true ? value : allowed.then((yes) => (yes ? value : null));
}

/** Comment.body, and the text search highlights are made from: "" where the caller does not see the comment. */
export function visibleBody(comment: Comment, ctx: Context): string | Promise<string> {
  const seen = callerMay(comment, ctx, canSeeComment);
  return seen === true ? comment.body : seen.then((yes) => (yes ? comment.body : ""));
}

/** Whether the caller may change the comment now (permissions.ts), with the reader's author row loaded only for readers. */
async function viewerMayChange(comment: Comment, ctx: Context): Promise<boolean> {
  if (comment.isDeleted || ctx.caller.kind === "anonymous") return false;
  const author = ctx.caller.kind === "reader" ? await viewerAuthor(ctx) : null;
  return "right" in changeRight(ctx.caller, comment, author?.id ?? null, ctx.clock(), ctx.rules.editWindowSeconds);
}

@Resolver(() => Comment)
export class CommentResolver {
  @Query(() => Comment, {
    nullable: true,
    description:
      "One comment by global id: one the caller may see, or a tombstone listed for the visible replies below it (see isTombstone). " +
      "Null when there is none, and for a comment the caller may not see (another reader's held or rejected comment, a deleted one with nothing visible below).",
  })
  comment(@Ctx() ctx: Context, @Arg("id", () => ID, { description: "The comment's global id." }) id: string): Promise<Comment | null> | null {
    const rowId = idOfType(id, "Comment");
    return rowId === null ? null : ctx.loaders.comments.found(rowId);
  }

  @FieldResolver(() => ID, { description: "Global id: opaque, for node(id) and for the arguments that take this type's id." })
  id(@Root() comment: Comment): string {
    return toGlobalId("Comment", comment.id);
  }

  @FieldResolver(() => String, {
    description: "Empty on a tombstone (see isTombstone): a deleted comment (its text is no longer served), or one the caller may not see.",
  })
  body(@Root() comment: Comment, @Ctx() ctx: Context): string | Promise<string> {
    return visibleBody(comment, ctx);
  }

  @FieldResolver(() => Boolean, {
    description:
      'True when the caller sees only a placeholder kept for the visible replies below it: body "", author null, and no status, ' +
      "createdAt or editedAt unless the caller wrote it or moderates. A deleted comment is a tombstone to everyone; another reader's " +
      "held or rejected comment is one to the public.",
  })
  isTombstone(@Root() comment: Comment, @Ctx() ctx: Context): boolean | Promise<boolean> {
    const seen = callerMay(comment, ctx, canSeeComment);
    return seen === true ? false : seen.then((yes) => !yes);
  }

  @FieldResolver(() => CommentStatus, {
    nullable: true,
    description:
      "Where it stands with the moderators: PUBLISHED for every comment the public sees. Null for a caller who may not know it: " +
      "the public learns nothing of why a tombstone is one. Its author, moderators and the service token always see it.",
  })
  status(@Root() comment: Comment, @Ctx() ctx: Context): CommentStatus | null | Promise<CommentStatus | null> {
    return when(callerMay(comment, ctx, canKnowStatus), comment.status);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Why a held or rejected comment has its status, for those who may know it (its author, moderators, the service token): the word or link " +
      "that held or rejected it as it was posted or edited, or the reason the moderator gave. Null for a published comment, and when no reason was given.",
  })
  async statusReason(@Root() comment: Comment, @Ctx() ctx: Context): Promise<string | null> {
    if (comment.status === CommentStatus.PUBLISHED || !(await callerMay(comment, ctx, canKnowStatus))) return null;
    const actions = await ctx.loaders.moderationActionsByComment.load(comment.id);
    for (let i = actions.length - 1; i >= 0; i--) if (actions[i].status === comment.status) return actions[i].reason;
    return null;
  }

  @FieldResolver(() => DateTimeResolver, {
    nullable: true,
    description: "When it was posted. Null for imported comments (dumps carry no comment times), and on a tombstone for a caller who may not know its status.",
  })
  createdAt(@Root() comment: Comment, @Ctx() ctx: Context): Date | null | Promise<Date | null> {
    return comment.createdAt === null ? null : when(callerMay(comment, ctx, canKnowStatus), comment.createdAt);
  }

  @FieldResolver(() => DateTimeResolver, {
    nullable: true,
    description: "When editComment last changed the body; null when it never did, and on a tombstone for a caller who may not know its status.",
  })
  editedAt(@Root() comment: Comment, @Ctx() ctx: Context): Date | null | Promise<Date | null> {
    return comment.editedAt === null ? null : when(callerMay(comment, ctx, canKnowStatus), comment.editedAt);
  }

  @FieldResolver(() => Author, {
    nullable: true,
    description: "Null for an anonymous comment, and on a tombstone (see isTombstone): a deleted comment, or one the caller may not see.",
  })
  author(@Root() comment: Comment, @Ctx() ctx: Context): Author | Promise<Author | null> | null {
    if (comment.authorId === null) return null;
    const authorId = comment.authorId;
    const seen = callerMay(comment, ctx, canSeeComment);
    return seen === true ? ctx.loaders.authorById.get(authorId) : seen.then((yes) => (yes ? ctx.loaders.authorById.load(authorId) : null));
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: "How many signed-in readers flagged it (flagComment). For moderators and the service token; null for anyone else.",
  })
  flagCount(@Root() comment: Comment, @Ctx() ctx: Context): number | null {
    return canModerate(ctx.caller) ? comment.flagCount : null;
  }

  @FieldResolver(() => [CommentFlag], {
    nullable: true,
    complexity: cappedListCost(MAX_FLAGS),
    description:
      `Readers' flags on it (flagComment): the reason, the note and when, the ${MAX_FLAGS} most recent, oldest first (flagCount counts them all). ` +
      "For moderators and the service token; null for anyone else.",
  })
  async flags(@Root() comment: Comment, @Ctx() ctx: Context): Promise<CommentFlag[] | null> {
    if (!canModerate(ctx.caller)) return null;
    if (comment.flagCount === 0) return [];
    return (await ctx.loaders.flagsByComment.load(comment.id)).slice(-MAX_FLAGS);
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

  @FieldResolver(() => Boolean, {
    description:
      "True while it is among its article's featuredComments: featured (featureComment, until unfeatureComment) and seen by the public. " +
      "A featured comment that is deleted, held or rejected is not featured, and does not count toward the article's cap.",
  })
  isFeatured(@Root() comment: Comment): boolean {
    return isFeatured(comment);
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
      "top-level comment. Deleted ones, and ones the caller may not see, are included as tombstones (see isTombstone), so a permalink can show the comment in context.",
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
  replies(
    @Root() comment: Comment,
    @Ctx() ctx: Context,
    @Args(() => CommentConnectionArgs) args: CommentConnectionArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<Comment>> {
    return ctx.loaders.comments.forParent(comment.id, args, selectsField(info, "totalCount"));
  }

  @FieldResolver(() => DateTimeResolver, {
    nullable: true,
    description:
      "Until when its author may still edit or delete it: createdAt plus EDIT_WINDOW_SECONDS (default 900). " +
      "Null for an imported comment (it has no createdAt), which only moderators and the service token may change, and wherever createdAt is null.",
  })
  editableUntil(@Root() comment: Comment, @Ctx() ctx: Context): Date | null | Promise<Date | null> {
    const until = editableUntil(comment, ctx.rules.editWindowSeconds);
    // It would tell createdAt where the caller may not know it.
    return until === null ? null : when(callerMay(comment, ctx, canKnowStatus), until);
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
    description: "Whether deleteComment by this caller would delete it now: the same rule as viewerCanEdit (false for a comment already deleted).",
  })
  viewerCanDelete(@Root() comment: Comment, @Ctx() ctx: Context): Promise<boolean> {
    return viewerMayChange(comment, ctx);
  }
}
