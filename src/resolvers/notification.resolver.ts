import { pipe, map } from "@graphql-yoga/subscription";
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root, Subscription } from "type-graphql";
import type { SubscribeResolverData } from "type-graphql";
import type { Context } from "../context";
import { freshReads } from "./fresh-reads";
import { markNotificationsRead, notificationTopic, requireReaderSub } from "../discussion/notifications";
import { Comment, Notification } from "../entities";
import type { NotificationAddedEvent } from "../events/comment-events";
import { createLoaders, Loaders } from "../read";
import type { Connection } from "../read/connection";
import { notificationRows } from "../read/rows";
import { connectionCost, NotificationConnection } from "../schema/connection";
import { toGlobalId } from "../schema/global-id";
import { ConnectionArgs } from "./types/connection.args";
import { Viewer } from "./types/viewer.types";
import { callerAsViewer } from "./viewer.resolver";
import { idArgument } from "./write-access";

/** What notificationAdded hands its resolver: the notification as written, and fresh loaders for its fields. */
interface LiveNotification {
  notification: Notification;
  loaders: Loaders;
}

@Resolver(() => Notification)
export class NotificationResolver {
  @FieldResolver(() => ID, { description: "Global id: opaque; node(id) finds it for its reader only, and markNotificationsRead takes it as upTo." })
  id(@Root() notification: Notification): string {
    return toGlobalId("Notification", notification.id);
  }

  @FieldResolver(() => Comment, {
    nullable: true,
    description:
      "The comment it is about, as the reader may see it now (the reply for REPLY; their own comment for APPROVED, REJECTED and FEATURED); " +
      "null for a sanction, and for a comment no longer there for them.",
  })
  comment(@Root() notification: Notification, @Ctx() ctx: Context): Promise<Comment | null> | null {
    return notification.commentId === null ? null : ctx.loaders.comments.found(notification.commentId);
  }

  @Subscription(() => Notification, {
    description:
      "The signed-in reader's new notifications, live, on whichever instance they were raised: only ever their own. " +
      "Anonymous callers are UNAUTHENTICATED; the service token, which has none, FORBIDDEN.",
    subscribe: ({ context }: SubscribeResolverData<unknown, Record<string, never>, Context>) => {
      const readerSub = requireReaderSub(context.caller, "notificationAdded");
      return pipe(
        context.events.subscribe(notificationTopic(readerSub)),
        map((event: NotificationAddedEvent): LiveNotification => ({
          notification: notificationRows.build(event.notification),
          loaders: createLoaders(context.read, context.caller),
        })),
      );
    },
  })
  notificationAdded(@Root() told: LiveNotification, @Ctx() ctx: Context): Notification {
    // The context lives as long as the subscription; each event's fields read through loaders of their own.
    ctx.loaders = told.loaders;
    return told.notification;
  }

  @Mutation(() => Viewer, {
    nullable: true,
    description:
      "Marks the signed-in reader's notifications read: all of them, or those up to and including `upTo` (one of theirs; another's or an unknown " +
      "one is NOT_FOUND). Answers the viewer, with unreadNotificationCount as it now is. Anonymous callers are UNAUTHENTICATED; the service token FORBIDDEN.",
  })
  async markNotificationsRead(
    @Ctx() ctx: Context,
    @Arg("upTo", () => ID, { nullable: true, description: "The newest notification to mark read; null or absent marks them all." }) upTo?: string | null,
  ): Promise<Viewer | null> {
    requireReaderSub(ctx.caller, "markNotificationsRead");
    await markNotificationsRead(ctx.db, ctx.caller, upTo == null ? null : idArgument(upTo, "Notification", "upTo"));
    freshReads(ctx);
    return callerAsViewer(ctx);
  }
}

@Resolver(() => Viewer)
export class ViewerNotificationsResolver {
  @FieldResolver(() => NotificationConnection, {
    complexity: connectionCost,
    description:
      "What concerns the signed-in reader (replies to their comments, moderators' decisions on them, sanctions), newest first. Empty for the service token.",
  })
  notifications(@Root() _viewer: Viewer, @Ctx() ctx: Context, @Args(() => ConnectionArgs) args: ConnectionArgs): Promise<Connection<Notification>> {
    return ctx.loaders.notifications.list(args);
  }

  @FieldResolver(() => Int, {
    description: "How many of the reader's notifications are not marked read; 0 for the service token. A stored count: one look-up.",
  })
  unreadNotificationCount(@Root() _viewer: Viewer, @Ctx() ctx: Context): Promise<number> {
    return ctx.loaders.notifications.unread();
  }
}
