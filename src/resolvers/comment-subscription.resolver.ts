import { Arg, Ctx, ID, Resolver, Root, Subscription } from "type-graphql";
import type { SubscribeResolverData } from "type-graphql";
import type { Context } from "../context";
import { commentAddedFeed, commentEventsFeed } from "../discussion/comment-feed";
import type { LiveComment, LiveCommentEvent } from "../discussion/comment-feed";
import { Comment } from "../entities";
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
  commentAdded(
    @Root() told: LiveComment,
    @Ctx() ctx: Context,
    // Declared for the schema; the feed has already used it to pick the topic.
    @Arg("articleId", () => ID, { description: "The global id of the article to follow." }) _articleId: string,
  ): Comment {
    // The context lives as long as the subscription; each event's fields read through the event's loaders.
    ctx.loaders = told.loaders;
    return told.comment;
  }

  @Subscription(() => CommentEvent, {
    description:
      "Every change to the article's comments from now on (posted, edited, deleted, status set, reacted to), replies included, on " +
      "whichever instance it happened, in the order of the writes, each with the comment as that write left it. A subscriber hears of " +
      "a comment only while they may see it: a PENDING or REJECTED comment reaches moderators, the service token and its author only. " +
      "A comment that becomes visible to a subscriber (posted, or published from hold) reaches them as ADDED, whatever the change; a " +
      'deletion, or a status that takes it from them, reaches those who saw it, as a tombstone (body "", author null). A reader signs ' +
      "in with connectionParams.authorization; when their token expires the socket is closed with code 4401, and the client reconnects " +
      "with a fresh token. An unknown article is NOT_FOUND, a malformed id BAD_USER_INPUT.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { articleId: string }, Context>) =>
      commentEventsFeed(context, idArgument(args.articleId, "Article", "articleId")),
  })
  commentEvents(
    @Root() told: LiveCommentEvent,
    @Ctx() ctx: Context,
    // Declared for the schema; the feed has already used it to pick the topic.
    @Arg("articleId", () => ID, { description: "The global id of the article to follow." }) _articleId: string,
  ): CommentEvent {
    ctx.loaders = told.loaders;
    return { kind: told.kind, comment: told.comment };
  }
}
