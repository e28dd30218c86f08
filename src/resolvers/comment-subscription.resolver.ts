import { Arg, Ctx, ID, Resolver, Root, Subscription } from "type-graphql";
import type { SubscribeResolverData } from "type-graphql";
import type { Context } from "../context";
import { commentAddedFeed } from "../discussion/comment-feed";
import { Comment } from "../entities";
import { notFound } from "../errors";
import type { CommentAddedEvent } from "../events/comment-events";
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
}
