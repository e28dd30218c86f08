import { addressKey } from "../abuse/address-key";
import { AsyncResource } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import { GraphQLError } from "graphql";
import type { CountedClient } from "../abuse/abuse-limits";

/**
 * How many GraphQL operations run at once (MAX_CONCURRENT_OPERATIONS); the others wait their
 * turn, first come first served. HTTP requests by either method and WebSocket queries and
 * mutations take their turn here; subscriptions do not (they wait for events, not for the CPU).
 *
 * A request's rows, loaders and result stay in memory while it runs. With many running together
 * on the one JavaScript thread, each takes longer, so more of them are alive at every young-
 * generation collection, which copies whatever is alive: under ten concurrent deep pages that
 * copying took a third of the CPU. A few at a time finish sooner, die young, and the same load is
 * served faster (see docs/operating.md, Operating it, and docs/benchmarks.md).
 *
 * Before an operation joins the queue it must pass two bounds: one client (a reader's `sub`, else
 * its address) may have MAX_QUEUED_PER_CLIENT operations running or waiting (429 beyond that, to
 * that client only), and at most MAX_QUEUED_OPERATIONS may wait in all (503 beyond that): each
 * waiting request keeps its parsed body, and one client must not fill the queue for everyone.
 *
 * An HTTP request holds its turn until its answer has been handed to node (`res.end`), not until
 * the client has read it: a client that never reads costs its connection (closed after
 * RESPONSE_DRAIN_SECONDS, see http-timeouts.ts), not everyone's turn. One whose client hung up
 * while it waited is not run. When the server stops, every request still waiting is answered 503.
 */
export class Admission {
  private readonly concurrency: number;
  private running = 0;
  private readonly waiting: Turn[] = [];
  /** Operations running or waiting, by client. */
  private readonly held = new Map<string, number>();
  private closing = false;
  private readonly idleWaiters: (() => void)[] = [];

  /**
   * `limit`: operations that may run at once (0: every one at once, and none waits);
   * `maxQueued`: operations that may wait (0: no bound); `perClient`: operations one client may
   * have running or waiting (0: no bound).
   */
  constructor(
    limit: number,
    private readonly maxQueued = 0,
    private readonly perClient = 0,
  ) {
    this.concurrency = limit > 0 ? limit : Infinity;
  }

  /** Whether another operation would have to wait while `maxQueued` already do: refuse it. */
  get full(): boolean {
    return this.maxQueued > 0 && this.running >= this.concurrency && this.waiting.length >= this.maxQueued;
  }

  /** Operations waiting their turn (for tests and logs). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Operations running now. */
  get active(): number {
    return this.running;
  }

  /** Why an operation of `client` would be refused now, or null when it may run or wait. */
  refusal(client: ClientKey): Refusal | null {
    if (this.closing) return SHUTTING_DOWN;
    if (client !== null && this.perClient > 0 && (this.held.get(client) ?? 0) >= this.perClient) {
      return {
        status: 429,
        code: "RATE_LIMITED",
        retryAfter: RETRY_AFTER_SECONDS,
        message: `too many operations of yours are running or waiting; the maximum is ${this.perClient} at a time: wait for their answers, then try again`,
      };
    }
    if (this.full) {
      return {
        status: 503,
        code: "SERVICE_UNAVAILABLE",
        retryAfter: RETRY_AFTER_SECONDS,
        message: `the server is busy: its queue of operations waiting their turn is full (${this.waiting.length}); try again shortly`,
      };
    }
    return null;
  }

  /**
   * Runs `work` for an HTTP request of `client` in its turn, and holds the turn until the answer
   * is handed to node (`res.end`), the connection closed, or `work` failed. Answers at once
   * instead when refused (`refusal`), and skips the request when its client has left by its turn.
   * Settles when the turn is given back; a failure of `work` rejects it.
   */
  admit(req: IncomingMessage, res: ServerResponse, client: ClientKey, work: () => unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.take(
        client,
        () => (clientGone(req, res) ? Promise.resolve() : handedOver(res, work)).then(resolve, (error: unknown) => (reject(error), undefined)),
        (refusal) => {
          answerRefusal(res, refusal);
          resolve();
        },
      );
    });
  }

  /** Runs `work` for `client` in its turn; rejects with the refusal (a GraphQLError) when refused. */
  run<T>(work: () => Promise<T>, client: ClientKey = null): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.take(
        client,
        () =>
          Promise.resolve()
            .then(work)
            .then(resolve, (error: unknown) => (reject(error), undefined)),
        (refusal) => reject(refusalError(refusal)),
      );
    });
  }

  /**
   * Stops taking operations: every one still waiting is refused (503, "shutting down"), and so is
   * every new one. Resolves once the running ones are done.
   */
  close(): Promise<void> {
    this.closing = true;
    for (const turn of this.waiting.splice(0)) {
      this.giveBack(turn.client);
      turn.refuse(SHUTTING_DOWN);
    }
    return this.running === 0 ? Promise.resolve() : new Promise((idle) => this.idleWaiters.push(idle));
  }

  private take(client: ClientKey, start: () => Promise<unknown>, refuse: (refusal: Refusal) => void): void {
    const refusal = this.refusal(client);
    if (refusal) return refuse(refusal);
    if (client !== null) this.held.set(client, (this.held.get(client) ?? 0) + 1);
    if (this.running < this.concurrency) this.begin({ client, start, refuse });
    // A waiting operation starts from whichever one finished before it: bound, it runs in its own
    // request's async context (the statement tally rides on it).
    else this.waiting.push({ client, start: AsyncResource.bind(start), refuse });
  }

  private begin(turn: Turn): void {
    this.running += 1;
    const done = () => {
      this.running -= 1;
      this.giveBack(turn.client);
      const next = this.waiting.shift();
      if (next) this.begin(next);
      else if (this.running === 0) for (const idle of this.idleWaiters.splice(0)) idle();
    };
    // `start` never rejects: it reports to its own caller.
    void turn.start().then(done, done);
  }

  private giveBack(client: ClientKey): void {
    if (client === null) return;
    const left = (this.held.get(client) ?? 1) - 1;
    if (left > 0) this.held.set(client, left);
    else this.held.delete(client);
  }
}

/** Whose share an operation counts against; null: nobody's (the service token, an in-process call). */
export type ClientKey = string | null;

/**
 * The client an operation is counted against, as the abuse limits see callers (countedClientOf): a
 * signed-in reader by the token's `sub` wherever they connect from, anyone else by address. The
 * service token is the site's own back end, which no share applies to.
 */
export function clientKeyOf(client: CountedClient): ClientKey {
  if (client.service) return null;
  if (client.reader !== null) return `reader:${client.reader}`;
  return client.address === null ? null : `address:${addressKey(client.address)}`;
}

/** Why an operation was turned away, and how HTTP says it. */
export interface Refusal {
  status: 429 | 503;
  code: "RATE_LIMITED" | "SERVICE_UNAVAILABLE";
  message: string;
  /** Seconds to wait before trying again (Retry-After). */
  retryAfter: number;
  /** Whether the connection is closed after the answer (the server is stopping). */
  close?: boolean;
}

interface Turn {
  client: ClientKey;
  /** Runs the operation; settles when its turn may be given back, and never rejects. */
  start: () => Promise<unknown>;
  refuse: (refusal: Refusal) => void;
}

/** Seconds a refused client is asked to wait (Retry-After). */
const RETRY_AFTER_SECONDS = 1;

export const SHUTTING_DOWN: Refusal = {
  status: 503,
  code: "SERVICE_UNAVAILABLE",
  retryAfter: RETRY_AFTER_SECONDS,
  message: "the server is shutting down; try again shortly",
  close: true,
};

/** A refusal as a GraphQL error (WebSocket operations, in-process calls). */
export function refusalError(refusal: Refusal): GraphQLError {
  return new GraphQLError(refusal.message, { extensions: { code: refusal.code, retryAfter: refusal.retryAfter } });
}

/** Answers a refused HTTP request: its status, Retry-After, and the error as JSON. */
export function answerRefusal(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) return void res.destroy();
  res.statusCode = refusal.status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("retry-after", String(refusal.retryAfter));
  if (refusal.close) res.setHeader("connection", "close");
  res.end(JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code, retryAfter: refusal.retryAfter } }] }));
}

/**
 * Whether nobody is left to read the answer to `req`: its connection closed (the client hung up,
 * or a proxy gave up) before the answer was sent.
 */
function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  return res.destroyed || req.socket.destroyed;
}

/**
 * Runs `work` and resolves once the response has been handed to node (`res.end` called, whoever
 * calls it: Apollo, express, an error handler) or its connection closed; rejects when `work` does.
 * The same moment for every method and handler, and independent of how fast the client reads.
 */
function handedOver(res: ServerResponse, work: () => unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      res.end = end;
      const result = (end as (...a: unknown[]) => ServerResponse).apply(this, args);
      resolve();
      return result;
    } as typeof res.end;
    res.once("close", () => resolve());
    try {
      Promise.resolve(work()).catch(reject);
    } catch (error) {
      reject(error);
    }
  });
}
