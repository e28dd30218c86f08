import { Arg, Ctx, ID, Resolver, Root, Subscription } from "type-graphql";
import type { SubscribeResolverData } from "type-graphql";
import type { Context } from "../context";
import { commentAddedFeed, commentEventsFeed } from "../discussion/comment-feed";
import { Comment } from "../entities";
import { notFound } from "../errors";
import type { CommentAddedEvent, CommentChangeEvent } from "../events/comment-events";
import { CommentEvent } from "./types/comment-event.types";
import { idArgument } from "./write-access";

@Resolver(() => Comment)
export class CommentSubscriptionResolver {
  /**
   * `subscribe` rather than `topics`: the topic is a function of the article id, but checking that
   * the article exists needs the database, and `topics` must be synchronous.
   */
  @Subscription(() => Comment, {
    description:
      "Every comment posted on the article from now on, replies included, on whichever instance it was posted. " +
      "Open to anyone; an unknown article is NOT_FOUND, a malformed id BAD_USER_INPUT.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { articleId: string }, Context>) =>
      commentAddedFeed(context, idArgument(args.articleId, "Article", "articleId")),
  })
  async commentAdded(
    @Root() event: CommentAddedEvent,
    @Ctx() ctx: Context,
    // Declared for the schema; the feed has already used it to pick the topic.
    @Arg("articleId", () => ID, { description: "The global id of the article to follow." }) _articleId: string,
  ): Promise<Comment> {
    const comment = await ctx.loaders.commentById.load(event.commentId);
    // The feed only lets through comments it has just read; this is a row removed in between.
    if (!comment) throw notFound(`the new comment is no longer there`);
    return comment;
  }

  @Subscription(() => CommentEvent, {
    description:
      "Every change to the article's comments from now on (posted, edited, deleted, status set, reacted to), replies included, on " +
      "whichever instance it happened. Each event reaches a subscriber only if they may see the comment: a PENDING or REJECTED comment " +
      "reaches moderators, the service token and its author only. A deletion, or a status that takes a comment from the public, also " +
      "reaches those who saw it before, with the comment as a tombstone (body \"\", author null). A reader signs in with " +
      "connectionParams.authorization. An unknown article is NOT_FOUND, a malformed id BAD_USER_INPUT.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { articleId: string }, Context>) =>
      commentEventsFeed(context, idArgument(args.articleId, "Article", "articleId")),
  })
  async commentEvents(
    @Root() event: CommentChangeEvent,
    @Ctx() ctx: Context,
    // Declared for the schema; the feed has already used it to pick the topic.
    @Arg("articleId", () => ID, { description: "The global id of the article to follow." }) _articleId: string,
  ): Promise<CommentEvent> {
    const comment = await ctx.loaders.commentById.load(event.commentId);
    if (!comment) throw notFound(`the comment is no longer there`);
    return { kind: event.kind, comment };
  }
}
