import { Args, Ctx, Mutation, Query, Resolver, Arg, ID } from "type-graphql";
import { requireModerator } from "../auth/caller";
import type { Context } from "../context";
import { flagComment, setArticleModeration, setCommentStatus, setFeatured } from "../discussion/moderation";
import { freshReads } from "./fresh-reads";
import { Article, Comment, ModerationQueue } from "../entities";
import { storedQueueCounts } from "../read/queue-counts";
import { notFound } from "../errors";
import type { Connection } from "../read/connection";
import { CommentConnection, connectionCost } from "../schema/connection";
import { CommentPayload } from "./types/comment.payload";
import { FlagCommentArgs, SetArticleModerationArgs, SetCommentStatusArgs } from "./types/moderation.types";
import { ModerationCounts, ModerationQueueArgs } from "./types/moderation-desk.types";
import { idArgument, requireWriter, writeRules, countedClientOf } from "./write-access";

/** The comment as this request's (fresh) loaders read it after a write. */
async function reread(ctx: Context, id: number): Promise<Comment> {
  freshReads(ctx);
  const comment = await ctx.loaders.commentById.load(id);
  if (!comment) throw notFound(`no comment with that id`);
  return comment;
}

async function articleOf(ctx: Context, articleId: number): Promise<Article> {
  const article = await ctx.loaders.articleById.load(articleId);
  if (!article) throw notFound(`no article with that id`);
  return article;
}

@Resolver()
export class ModerationResolver {
  @Query(() => CommentConnection, {
    complexity: connectionCost,
    description:
      "One moderators' queue (see ModerationQueue), on every article or on one: PENDING and REPORTED oldest first, the others newest first " +
      "(by when the comments were posted). Deleted comments are in none. totalCount is the queue's stored count (see moderationCounts). " +
      "For moderators and the service token: anonymous callers are UNAUTHENTICATED, other readers FORBIDDEN.",
  })
  moderationQueue(@Ctx() ctx: Context, @Args(() => ModerationQueueArgs) args: ModerationQueueArgs): Promise<Connection<Comment>> {
    requireModerator(ctx.caller, "moderationQueue");
    const articleId = args.articleId == null ? null : idArgument(args.articleId, "Article", "articleId");
    return ctx.loaders.comments.moderationQueue(args.queue ?? ModerationQueue.PENDING, articleId, args);
  }

  @Query(() => ModerationCounts, {
    description:
      "How many comments the PENDING, REPORTED, UNMODERATED and REJECTED queues hold, on every article or on one: stored counts, kept by every " +
      "write in its transaction, so asking costs the same whatever the queues' sizes. For moderators and the service token; an unknown article is NOT_FOUND.",
  })
  async moderationCounts(
    @Ctx() ctx: Context,
    @Arg("articleId", () => ID, { nullable: true, description: "Only this article's comments; null or left out: every article." }) articleId?: string | null,
  ): Promise<ModerationCounts> {
    requireModerator(ctx.caller, "moderationCounts");
    const counts = await storedQueueCounts(ctx.read, articleId == null ? null : idArgument(articleId, "Article", "articleId"));
    if (!counts) throw notFound(`no article with that id`);
    return counts;
  }

  @Mutation(() => CommentPayload, {
    nullable: true,
    description:
      "Publishes, holds (PENDING) or rejects a comment, for moderators and the service token; writes a SET_STATUS entry in its moderationHistory. " +
      "The public's counts change with it (only PUBLISHED comments count), and a comment that becomes PUBLISHED reaches commentAdded subscribers then. " +
      "Either way the comment leaves the REPORTED and UNMODERATED queues: setting PUBLISHED on a published comment that waits for a human approves it. " +
      "Setting the status it has on a comment that waits for no one changes nothing. A deleted comment is BAD_USER_INPUT.",
  })
  async setCommentStatus(@Ctx() ctx: Context, @Args(() => SetCommentStatusArgs) args: SetCommentStatusArgs): Promise<CommentPayload> {
    requireModerator(ctx.caller, "setCommentStatus");
    const id = idArgument(args.id, "Comment", "id");
    await setCommentStatus(ctx.db, ctx.events, ctx.caller, writeRules(ctx), id, args.status, args.reason);
    return new CommentPayload(await reread(ctx, id));
  }

  @Mutation(() => CommentPayload, {
    nullable: true,
    description:
      "Flags a comment for the moderators: signed-in readers only (the service token is FORBIDDEN), once per reader and comment " +
      "(flagging it again changes nothing), never one's own comment. The flag that brings flagCount to AUTO_HOLD_FLAGS (default 3) " +
      "puts a PUBLISHED comment on hold (PENDING, an AUTO_HOLD entry in its moderationHistory) until a moderator decides. " +
      "A comment the reader cannot see is NOT_FOUND. Counts against the reader's FLAG_RATE_PER_MINUTE and the address's ADDRESS_RATE_PER_MINUTE (RATE_LIMITED beyond).",
  })
  async flagComment(@Ctx() ctx: Context, @Args(() => FlagCommentArgs) args: FlagCommentArgs): Promise<CommentPayload> {
    requireWriter(ctx, "flagComment");
    const id = idArgument(args.id, "Comment", "id");
    await ctx.limits.take(countedClientOf(ctx), "flag");
    await flagComment(ctx.db, ctx.events, ctx.caller, writeRules(ctx), id, args.reason, args.note);
    return new CommentPayload(await reread(ctx, id));
  }

  @Mutation(() => CommentPayload, {
    nullable: true,
    description:
      "Adds a PUBLISHED comment to its article's featuredComments, for moderators and the service token; writes a FEATURE entry in its " +
      "moderationHistory. Featuring a featured comment changes nothing; an article holds at most 10 featured comments.",
  })
  async featureComment(@Ctx() ctx: Context, @Arg("id", () => ID, { description: "The comment to feature." }) id: string): Promise<CommentPayload> {
    requireModerator(ctx.caller, "featureComment");
    const rowId = idArgument(id, "Comment", "id");
    await setFeatured(ctx.db, ctx.events, ctx.caller, writeRules(ctx), rowId, true);
    return new CommentPayload(await reread(ctx, rowId));
  }

  @Mutation(() => CommentPayload, {
    nullable: true,
    description:
      "Takes a comment out of its article's featuredComments, for moderators and the service token; writes an UNFEATURE entry in its " +
      "moderationHistory. Unfeaturing a comment that is not featured changes nothing.",
  })
  async unfeatureComment(@Ctx() ctx: Context, @Arg("id", () => ID, { description: "The comment to unfeature." }) id: string): Promise<CommentPayload> {
    requireModerator(ctx.caller, "unfeatureComment");
    const rowId = idArgument(id, "Comment", "id");
    await setFeatured(ctx.db, ctx.events, ctx.caller, writeRules(ctx), rowId, false);
    return new CommentPayload(await reread(ctx, rowId));
  }

  @Mutation(() => Article, {
    nullable: true,
    description:
      "Sets the article's moderation mode, for moderators and the service token: under PRE, readers' new comments are PENDING until a " +
      "moderator publishes them; comments already posted keep their status. Answers the article, read after the write (moderation as now set).",
  })
  async setArticleModeration(@Ctx() ctx: Context, @Args(() => SetArticleModerationArgs) args: SetArticleModerationArgs): Promise<Article> {
    requireModerator(ctx.caller, "setArticleModeration");
    const articleId = idArgument(args.articleId, "Article", "articleId");
    await setArticleModeration(ctx.db, ctx.caller, articleId, args.mode);
    freshReads(ctx);
    return articleOf(ctx, articleId);
  }
}
