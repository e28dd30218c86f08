import { createPubSub } from "@graphql-yoga/subscription";
import type { PubSubEvent, PubSubEventTarget } from "@graphql-yoga/subscription";
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import Redis from "ioredis";
import { CommentEventMap, CommentEvents, CommentTopic, createLocalEvents } from "./comment-events";

export interface EventBus {
  bus: CommentEvents;
  /** Resolves when the bus can deliver events; rejects with the reason when it cannot. */
  ping(): Promise<void>;
  /** Events given up on since start (Redis unreachable for longer than the outbox holds). */
  lostEvents(): number;
  close(): Promise<void>;
}

/**
 * How events wait out a Redis outage: up to `capacity` events, each for at most `maxAgeMs`, retried
 * with a delay that doubles from `firstRetryMs` to `maxRetryMs`. Older or surplus events are lost,
 * counted and logged: the comments themselves are committed, only their live notice is missed.
 */
export interface OutboxOptions {
  capacity: number;
  maxAgeMs: number;
  firstRetryMs: number;
  maxRetryMs: number;
}

export const DEFAULT_OUTBOX: OutboxOptions = { capacity: 10_000, maxAgeMs: 60_000, firstRetryMs: 100, maxRetryMs: 5_000 };

/**
 * Redis pub/sub keeps nothing: a message published before the subscribers have re-subscribed after
 * an outage reaches nobody. Held events wait this long after both connections are ready again
 * (ioredis re-subscribes as it reconnects), so subscribers on this and other instances are back.
 */
const RESUBSCRIBE_SETTLE_MS = 300;

export class RedisUnavailableError extends Error {
  constructor(reason: string) {
    super(`REDIS_URL: cannot connect: ${reason}`);
    this.name = "RedisUnavailableError";
  }
}

/**
 * Publishes in order, and holds events while Redis is unreachable instead of dropping them: an
 * event that fails to publish, and every event after it, waits in the outbox and is retried with
 * backoff until Redis answers again.
 */
class Outbox {
  private readonly queue: { topic: string; payload: string; at: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private delay: number;
  private flushing = false;
  lost = 0;

  constructor(
    private readonly publish: (topic: string, payload: string) => Promise<unknown>,
    /** False while Redis is known to be down or has only just come back. */
    private readonly canPublish: () => boolean,
    private readonly options: OutboxOptions,
  ) {
    this.delay = options.firstRetryMs;
  }

  /** Queues the event and, unless a flush is running or waiting out a failure, publishes now. */
  send(topic: string, payload: string): void {
    if (this.queue.length >= this.options.capacity) this.drop(1, "the outbox is full");
    this.queue.push({ topic, payload, at: Date.now() });
    if (!this.flushing && !this.timer) void this.flush();
  }

  private drop(count: number, why: string): void {
    this.queue.splice(0, count);
    this.lost += count;
    console.error(`[threadline] lost ${count} live event(s) while Redis was unreachable (${why}); ${this.lost} lost since start`);
  }

  private schedule(): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delay);
    this.timer.unref();
  }

  /** Publishes queued events in order, one at a time; on a failure, tries again after a backoff. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      if (!this.canPublish()) throw new Error("Redis is not ready");
      const fresh = this.queue.findIndex((event) => Date.now() - event.at <= this.options.maxAgeMs);
      if (fresh !== 0) this.drop(fresh === -1 ? this.queue.length : fresh, `held longer than ${this.options.maxAgeMs} ms`);
      while (this.queue.length > 0) {
        await this.publish(this.queue[0].topic, this.queue[0].payload);
        this.queue.shift();
      }
      if (this.delay !== this.options.firstRetryMs) console.error("[threadline] Redis is back; held live events delivered");
      this.delay = this.options.firstRetryMs;
    } catch (error) {
      if (this.delay === this.options.firstRetryMs) {
        console.error(`[threadline] Redis publish failed (${(error as Error).message}); holding live events until it is back`);
      }
      this.delay = Math.min(this.delay * 2, this.options.maxRetryMs);
    } finally {
      this.flushing = false;
    }
    if (this.queue.length > 0) this.schedule();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * In-process events for one instance; with REDIS_URL, events go through Redis so a comment posted
 * on one instance reaches subscribers on all. Redis must answer at start (a RedisUnavailableError
 * otherwise); later outages are ridden out: ioredis reconnects and re-subscribes with backoff, and
 * the outbox holds what is published meanwhile.
 */
export async function createEvents(redisUrl: string | null, outbox: OutboxOptions = DEFAULT_OUTBOX): Promise<EventBus> {
  if (!redisUrl) return { bus: createLocalEvents(), ping: async () => undefined, lostEvents: () => 0, close: async () => undefined };
  const options = {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    // Reconnect after 100 ms, doubling up to 5 s, for as long as the process runs.
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times - 1, 6), 5_000),
  };
  const publishClient = new Redis(redisUrl, options);
  const subscribeClient = new Redis(redisUrl, options);
  // ioredis rejects connect() with "Connection is closed."; the socket's own error says why.
  let reason: string | null = null;
  const noteReason = (error: Error) => void (reason ??= error.message);
  publishClient.once("error", noteReason);
  subscribeClient.once("error", noteReason);
  try {
    await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  } catch (error) {
    publishClient.disconnect();
    subscribeClient.disconnect();
    throw new RedisUnavailableError(reason ?? ((error as Error).message || String(error)));
  } finally {
    publishClient.off("error", noteReason);
    subscribeClient.off("error", noteReason);
  }
  // ioredis reconnects by itself; without a listener every failed attempt is printed as an
  // "Unhandled error event" with a stack. One line per state change is enough.
  let readySince = 0;
  for (const [role, client] of [
    ["publish", publishClient],
    ["subscribe", subscribeClient],
  ] as const) {
    let down = false;
    client.on("error", (error: Error) => {
      if (!down) console.error(`[threadline] Redis (${role}) unreachable: ${error.message}; retrying with backoff`);
      down = true;
    });
    client.on("ready", () => {
      if (down) console.error(`[threadline] Redis (${role}) reconnected`);
      down = false;
      readySince = Date.now();
    });
  }
  const ready = () => publishClient.status === "ready" && subscribeClient.status === "ready" && Date.now() - readySince >= RESUBSCRIBE_SETTLE_MS;
  const held = new Outbox((topic, payload) => publishClient.publish(topic, payload), ready, outbox);
  const redisTarget = createRedisEventTarget<PubSubEvent<CommentEventMap, CommentTopic>>({ publishClient, subscribeClient });
  const eventTarget: PubSubEventTarget<CommentEventMap> = {
    addEventListener: redisTarget.addEventListener,
    removeEventListener: redisTarget.removeEventListener,
    // The Redis target publishes without handling the returned promise, and a rejection there ends
    // the process; the outbox handles failures instead.
    dispatchEvent(event) {
      held.send(event.type, JSON.stringify(event.detail));
      return true;
    },
  };
  const bus: CommentEvents = createPubSub({ eventTarget });
  return {
    bus,
    async ping() {
      if (publishClient.status !== "ready" || subscribeClient.status !== "ready") {
        throw new Error(`Redis is ${publishClient.status === "ready" ? subscribeClient.status : publishClient.status}`);
      }
      await publishClient.ping();
    },
    lostEvents: () => held.lost,
    async close() {
      held.close();
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
