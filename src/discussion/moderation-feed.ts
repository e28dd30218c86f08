import { filter, map, pipe } from "@graphql-yoga/subscription";
import { requireModerator } from "../auth/caller";
import type { Comment } from "../entities";
import { ModerationEventKind, ModerationQueue } from "../entities/desk-enums";
import { notFound } from "../errors";
import { ModerationBusEvent, MODERATION_TOPIC } from "../events/comment-events";
import type { Loaders } from "../read";
import { MODERATOR_VIEWER } from "../policy";
import type { FeedContext } from "./comment-feed";

/** One queue move as Subscription.moderationEvents serves it, with the loaders its fields read through (see LiveComment). */
export interface LiveModerationEvent {
  kind: ModerationEventKind;
  queue: ModerationQueue;
  comment: Comment;
  loaders: Loaders;
}

/**
 * The stream behind Subscription.moderationEvents: every comment that enters or leaves a queue, on
 * one article or all, from the one site-wide topic of the bus (in-process or Redis). Moderators and
 * the service token only, checked when the subscription starts; an unknown article is NOT_FOUND.
 * Each event is served as the write left the comment, read through the moderators' shared loaders.
 */
export async function moderationEventsFeed(ctx: FeedContext, articleId: number | null): Promise<AsyncIterable<LiveModerationEvent>> {
  requireModerator(ctx.caller, "moderationEvents");
  if (articleId !== null && !(await ctx.loaders.articleById.load(articleId))) throw notFound(`no article with that id`);
  return pipe(
    ctx.events.subscribe(MODERATION_TOPIC),
    map(async (event: ModerationBusEvent): Promise<LiveModerationEvent | null> => {
      if (!event.comment || (articleId !== null && event.articleId !== articleId)) return null;
      const delivery = ctx.deliveries.of(event);
      if (!(await delivery.here)) return null;
      await ctx.deliveries.turn();
      return {
        kind: event.kind as ModerationEventKind,
        queue: event.queue,
        comment: delivery.comment,
        loaders: delivery.loadersFor(MODERATOR_VIEWER),
      };
    }),
    filter((told: LiveModerationEvent | null): told is LiveModerationEvent => told !== null),
  );
}
