import { createPubSub } from "@graphql-yoga/subscription";
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import Redis from "ioredis";
import { CommentEvents, createLocalEvents } from "./comment-events";

export interface EventBus {
  bus: CommentEvents;
  close(): Promise<void>;
}

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
  const bus: CommentEvents = createPubSub({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
  return {
    bus,
    async close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
