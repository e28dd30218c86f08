import { Arg, Ctx, ID, Resolver, Root, Subscription } from "type-graphql";
import type { SubscribeResolverData } from "type-graphql";
import type { Context } from "../context";
import { moderationEventsFeed } from "../discussion/moderation-feed";
import type { LiveModerationEvent } from "../discussion/moderation-feed";
import { ModerationEvent } from "./types/moderation-desk.types";
import { idArgument } from "./write-access";

@Resolver(() => ModerationEvent)
export class ModerationSubscriptionResolver {
  @Subscription(() => ModerationEvent, {
    description:
      "Every comment that enters or leaves a moderators' queue from now on (posted, flagged, held, approved, rejected, featured, deleted), " +
      "on one article or on all, on whichever instance it happened: a move from one queue to another is LEFT then ENTERED. " +
      "For moderators and the service token: anonymous callers are UNAUTHENTICATED, other readers FORBIDDEN. An unknown article is NOT_FOUND.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { articleId?: string | null }, Context>) =>
      moderationEventsFeed(context, args.articleId == null ? null : idArgument(args.articleId, "Article", "articleId")),
  })
  moderationEvents(
    @Root() told: LiveModerationEvent,
    @Ctx() ctx: Context,
    // Declared for the schema; the feed has already used it.
    @Arg("articleId", () => ID, { nullable: true, description: "Only this article's comments; null or left out: every article." }) _articleId?: string | null,
  ): ModerationEvent {
    ctx.loaders = told.loaders;
    return { kind: told.kind, queue: told.queue, comment: told.comment };
  }
}
