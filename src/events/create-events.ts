import { createPubSub } from "@graphql-yoga/subscription";
import type { PubSubEvent, PubSubEventTarget } from "@graphql-yoga/subscription";
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import Redis from "ioredis";
import { CommentAddedEvent, CommentEvents, createLocalEvents } from "./comment-events";

export interface EventBus {
  bus: CommentEvents;
  close(): Promise<void>;
}

/** The topics of CommentEvents, spelled out for the event target's type. */
type CommentEventMap = { [key: `commentAdded:${number}`]: [CommentAddedEvent] };

/**
 * In-process events for one instance; with REDIS_URL, events go through
 * Redis so a comment posted on one instance reaches subscribers on all.
 */
export async function createEvents(redisUrl: string | null): Promise<EventBus> {
  if (!redisUrl) return { bus: createLocalEvents(), close: async () => undefined };
  const publishClient = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  } catch (error) {
    publishClient.disconnect();
    subscribeClient.disconnect();
    throw new Error(`REDIS_URL: cannot connect: ${(error as Error).message}`);
  }
  // ioredis reconnects by itself; without a listener every failed attempt is printed as an
  // "Unhandled error event" with a stack.
  for (const [role, client] of [["publish", publishClient], ["subscribe", subscribeClient]] as const) {
    client.on("error", (error: Error) => console.error(`[threadline] Redis (${role}): ${error.message}`));
  }
  const redisTarget = createRedisEventTarget<PubSubEvent<CommentEventMap, `commentAdded:${number}`>>({ publishClient, subscribeClient });
  const eventTarget: PubSubEventTarget<CommentEventMap> = {
    addEventListener: redisTarget.addEventListener,
    removeEventListener: redisTarget.removeEventListener,
    // The Redis target publishes without handling the returned promise: with Redis unreachable
    // that is an unhandled rejection, which ends the Node process. A lost notification must not
    // take the instance down (the comment itself is already committed), so it is logged instead.
    dispatchEvent(event) {
      publishClient
        .publish(event.type, JSON.stringify(event.detail))
        .catch((error: Error) => console.error(`[threadline] could not publish ${event.type} to Redis: ${error.message}`));
      return true;
    },
  };
  const bus: CommentEvents = createPubSub({ eventTarget });
  return {
    bus,
    async close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
