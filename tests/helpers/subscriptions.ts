/** Real WebSocket subscriptions against servers listening on a free port, and buses that say when a topic is listened to. */
import { Server } from "node:http";
import { setMaxListeners } from "node:events";
import { AddressInfo } from "node:net";
import { createPubSub } from "@graphql-yoga/subscription";
import type { PubSubEventTarget } from "@graphql-yoga/subscription";
import { Client, createClient, FormattedExecutionResult } from "graphql-ws";
import WebSocket from "ws";
import type { CommentEventMap, CommentEvents } from "../../src/events/comment-events";
import { GRAPHQL_PATH } from "../../src/server";

/** Starts listening on a free port of 127.0.0.1; "host:port". */
export async function listen(httpServer: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(0, "127.0.0.1", () => resolve());
  });
  return `127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
}

export function wsClient(host: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({ url: `ws://${host}${GRAPHQL_PATH}`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams });
}

export type Outcome<T> = { kind: "next"; result: FormattedExecutionResult<T, unknown> } | { kind: "error"; error: unknown } | { kind: "complete" };

/** One subscription whose messages a test takes one at a time. */
export interface Probe<T = Record<string, any>> {
  next(timeoutMs?: number): Promise<Outcome<T>>;
  unsubscribe(): void;
}

export function probe<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown> = {}): Probe<T> {
  const outcomes: Outcome<T>[] = [];
  const waiters: ((outcome: Outcome<T>) => void)[] = [];
  const deliver = (outcome: Outcome<T>) => {
    const waiter = waiters.shift();
    if (waiter) waiter(outcome);
    else outcomes.push(outcome);
  };
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => deliver({ kind: "next", result }),
      error: (error) => deliver({ kind: "error", error }),
      complete: () => deliver({ kind: "complete" }),
    },
  );
  return {
    next(timeoutMs = 5000) {
      const ready = outcomes.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no subscription message within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (outcome: Outcome<T>) => {
          clearTimeout(timer);
          resolve(outcome);
        };
        waiters.push(waiter);
      });
    },
    unsubscribe,
  };
}

/**
 * An in-process bus, as createLocalEvents makes, that also says when a topic gains a listener:
 * the server starts listening some time after the client's subscribe message, and a comment
 * posted before that would (rightly) never reach the subscriber.
 */
export function observedLocalEvents(): { bus: CommentEvents; listening(topic: string, listeners?: number): Promise<void> } {
  const target = new EventTarget();
  // Cases subscribe dozens at once; Node warns of a leak past ten listeners on one topic.
  setMaxListeners(0, target);
  const listened = new Map<string, number>();
  const waiting = new Map<string, { listeners: number; wake: () => void }[]>();
  const add = target.addEventListener.bind(target);
  target.addEventListener = (type, listener, options) => {
    add(type, listener, options);
    const count = (listened.get(type) ?? 0) + 1;
    listened.set(type, count);
    const waiters = waiting.get(type) ?? [];
    for (const waiter of waiters.filter((w) => w.listeners <= count)) waiter.wake();
    waiting.set(
      type,
      waiters.filter((w) => w.listeners > count),
    );
  };
  return {
    bus: createPubSub<CommentEventMap>({ eventTarget: target as unknown as PubSubEventTarget<CommentEventMap> }),
    /** Resolves once the topic has had `listeners` listeners added (each subscriber adds one). */
    listening(topic, listeners = 1) {
      if ((listened.get(topic) ?? 0) >= listeners) return Promise.resolve();
      return new Promise((resolve) => waiting.set(topic, [...(waiting.get(topic) ?? []), { listeners, wake: resolve }]));
    },
  };
}

/** Resolves once `check` holds, polling; for state only another process can see (Redis subscriptions). */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A GraphQL request over real HTTP, as any client sends it. */
export async function httpGql(
  host: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await fetch(`http://${host}${GRAPHQL_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}
