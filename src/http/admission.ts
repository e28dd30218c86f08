import { addressKey } from "../abuse/address-key";
import { AsyncResource } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import { GraphQLError } from "graphql";
import type { CountedClient } from "../abuse/abuse-limits";
import { OperationKind, operationKind } from "./operation-kind";

/**
 * How many GraphQL operations run at once (MAX_CONCURRENT_OPERATIONS); the others wait their
 * turn, first come first served. HTTP requests by either method and WebSocket queries and
 * mutations take their turn here; subscriptions do not (they wait for events, not for the CPU).
 *
 * Queries and mutations take their turns in two lanes, each with MAX_CONCURRENT_OPERATIONS
 * running and MAX_QUEUED_OPERATIONS waiting: a reader's comment never waits behind a queue of
 * heavy reads, and reads cannot take the writes' turns. Writes go first: while one is running or
 * waiting, no new read starts (those running go on), because a write's transaction is a chain
 * of statements, each of which would otherwise wait on the one thread behind a slice of every
 * read running beside it. So that writes cannot hold reads back for long, a read waits for at
 * most WRITES_AHEAD_OF_A_READ writes, or READ_HOLD_MS, before it starts anyway. A mutation is small
 * next to a deep page, and writes are bounded besides by the abuse limits (abuse/). Which lane an
 * operation takes is read from its text before it is parsed (operation-kind.ts); one whose kind
 * cannot be told takes the read lane.
 *
 * A request's rows, loaders and result stay in memory while it runs. With many running together
 * on the one JavaScript thread, each takes longer, so more of them are alive at every young-
 * generation collection, which copies whatever is alive: under ten concurrent deep pages that
 * copying took a third of the CPU. A few at a time finish sooner, die young, and the same load is
 * served faster (see docs/operating.md, Operating it, and docs/benchmarks.md).
 *
 * Before an operation joins the queue it must pass two bounds: one client (a reader's `sub`, else
 * its address) may have MAX_QUEUED_PER_CLIENT operations running or waiting, in both lanes
 * together (429 beyond that, to that client only), and at most MAX_QUEUED_OPERATIONS may wait in
 * its lane (503 beyond that): each waiting request keeps its parsed body, and one client must not
 * fill the queue for everyone.
 *
 * An HTTP request holds its turn until its answer has been handed to node (`res.end`), not until
 * the client has read it: a client that never reads costs its connection (closed after
 * RESPONSE_DRAIN_SECONDS, see http-timeouts.ts), not everyone's turn. One whose client hung up
 * while it waited is not run. When the server stops, every request still waiting is answered 503.
 */
export class Admission {
  private readonly lanes: Record<Lane, LaneState>;
  /** Operations running or waiting, by client. */
  private readonly held = new Map<string, number>();
  private closing = false;
  private readonly idleWaiters: (() => void)[] = [];
  /** Writes that finished, with others still in flight, while a read waited for them. */
  private readsPassedOver = 0;
  /** Set when a read has waited `readHoldMs` behind writes: the next read starts anyway. */
  private readsReleased = false;
  private holdTimer: NodeJS.Timeout | null = null;
  private readonly readHoldMs: number;
  /** Heavy reads (see Weighed) running now, and how many may. */
  private heavyRunning = 0;
  private readonly heavyLimit: number;

  /**
   * `limit`: operations of each lane that may run at once (0: every one at once, and none waits);
   * `maxQueued`: operations that may wait in each lane (0: no bound); `perClient`: operations one
   * client may have running or waiting (0: no bound).
   */
  constructor(
    limit: number,
    private readonly maxQueued = 0,
    private readonly perClient = 0,
    options: { readHoldMs?: number; heavyLimit?: number } = {},
  ) {
    this.readHoldMs = options.readHoldMs ?? READ_HOLD_MS;
    const concurrency = limit > 0 ? limit : Infinity;
    // No limit (0) means none for heavy reads either: nothing waits.
    this.heavyLimit = limit > 0 ? Math.min(limit, options.heavyLimit ?? HEAVY_READS_AT_ONCE) : Infinity;
    this.lanes = { read: { concurrency, running: 0, waiting: [] }, write: { concurrency, running: 0, waiting: [] } };
  }

  /** Whether another query would have to wait while `maxQueued` queries already do: refuse it. */
  get full(): boolean {
    return this.fullIn("read");
  }

  /** Whether another operation of `lane` would have to wait while `maxQueued` already do: refuse it. */
  fullIn(lane: Lane): boolean {
    return this.maxQueued > 0 && !this.mayStart(lane) && this.lanes[lane].waiting.length >= this.maxQueued;
  }

  /** Operations waiting their turn, in both lanes (for tests and logs). */
  get queued(): number {
    return this.lanes.read.waiting.length + this.lanes.write.waiting.length;
  }

  /** Operations running now, in both lanes. */
  get active(): number {
    return this.lanes.read.running + this.lanes.write.running;
  }

  /** Operations waiting their turn in one lane. */
  queuedIn(lane: Lane): number {
    return this.lanes[lane].waiting.length;
  }

  /** Operations running now in one lane. */
  activeIn(lane: Lane): number {
    return this.lanes[lane].running;
  }

  /** Why an operation of `client` in `lane` would be refused now, or null when it may run or wait. */
  refusal(client: ClientKey, lane: Lane = "read"): Refusal | null {
    if (this.closing) return SHUTTING_DOWN;
    if (client !== null && this.perClient > 0 && (this.held.get(client) ?? 0) >= this.perClient) {
      return {
        status: 429,
        code: "RATE_LIMITED",
        retryAfter: RETRY_AFTER_SECONDS,
        message: `too many operations of yours are running or waiting; the maximum is ${this.perClient} at a time: wait for their answers, then try again`,
      };
    }
    if (this.fullIn(lane)) {
      return {
        status: 503,
        code: "SERVICE_UNAVAILABLE",
        retryAfter: RETRY_AFTER_SECONDS,
        message: `the server is busy: its queue of operations waiting their turn is full (${this.lanes[lane].waiting.length}); try again shortly`,
      };
    }
    return null;
  }

  /**
   * Runs `work` for an HTTP request of `client` in its turn in `lane`, and holds the turn until the
   * answer is handed to node (`res.end`), the connection closed, or `work` failed. Answers at once
   * instead when refused (`refusal`), and skips the request when its client has left by its turn.
   * Settles when the turn is given back; a failure of `work` rejects it.
   */
  admit(req: IncomingMessage, res: ServerResponse, client: ClientKey, work: () => unknown, weighed: Lane | Weighed = "read"): Promise<void> {
    const { lane, heavy, answered } = typeof weighed === "string" ? { lane: weighed, heavy: false, answered: undefined } : weighed;
    return new Promise<void>((resolve, reject) => {
      this.take(
        client,
        lane,
        () => (clientGone(req, res) ? Promise.resolve() : handedOver(res, work, answered)).then(resolve, (error: unknown) => (reject(error), undefined)),
        (refusal) => {
          answerRefusal(res, refusal);
          resolve();
        },
        heavy,
      );
    });
  }

  /**
   * Runs `work` for `client` in its turn in `lane` (a heavy read also in the heavy share); rejects
   * with the refusal (a GraphQLError) when refused.
   */
  run<T>(work: () => Promise<T>, client: ClientKey = null, lane: Lane = "read", heavy = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.take(
        client,
        lane,
        () =>
          Promise.resolve()
            .then(work)
            .then(resolve, (error: unknown) => (reject(error), undefined)),
        (refusal) => reject(refusalError(refusal)),
        heavy,
      );
    });
  }

  /**
   * Stops taking operations: every one still waiting is refused (503, "shutting down"), and so is
   * every new one. Resolves once the running ones are done.
   */
  close(): Promise<void> {
    this.closing = true;
    if (this.holdTimer !== null) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    for (const state of Object.values(this.lanes)) {
      for (const turn of state.waiting.splice(0)) {
        this.giveBack(turn.client);
        turn.refuse(SHUTTING_DOWN);
      }
    }
    return this.active === 0 ? Promise.resolve() : new Promise((idle) => this.idleWaiters.push(idle));
  }

  private take(client: ClientKey, lane: Lane, start: () => Promise<unknown>, refuse: (refusal: Refusal) => void, heavy = false): void {
    const refusal = this.refusal(client, lane);
    if (refusal) return refuse(refusal);
    if (client !== null) this.held.set(client, (this.held.get(client) ?? 0) + 1);
    const turn = { client, start, refuse, heavy: heavy && lane === "read" };
    if (this.mayStart(lane, turn.heavy)) this.begin(lane, turn);
    // A waiting operation starts from whichever one finished before it: bound, it runs in its own
    // request's async context (the statement tally rides on it).
    else {
      // (runInAsyncScope, not AsyncResource.bind: bind also defines properties on a new function
      // and wraps a getter with util.deprecate, for every operation that waits.)
      const scope = new AsyncResource("threadline.admission");
      this.lanes[lane].waiting.push({ ...turn, start: () => scope.runInAsyncScope(start) });
      this.holdReads();
    }
  }

  /**
   * Whether an operation of `lane` may start now: its lane has a free turn, a heavy read's share
   * has one too, and, for a read, no write is running or waiting, unless reads have been held back
   * for WRITES_AHEAD_OF_A_READ writes.
   */
  private mayStart(lane: Lane, heavy = false): boolean {
    const state = this.lanes[lane];
    if (state.running >= state.concurrency) return false;
    if (heavy && this.heavyRunning >= this.heavyLimit) return false;
    return lane === "write" || !this.writesInFlight() || this.readsPassedOver >= WRITES_AHEAD_OF_A_READ || this.readsReleased;
  }

  /** Starts the clock on reads held back by writes alone, unless it runs already. */
  private holdReads(): void {
    const reads = this.lanes.read;
    if (this.holdTimer !== null || this.closing || reads.waiting.length === 0 || reads.running >= reads.concurrency || this.mayStart("read")) return;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      this.readsReleased = true;
      this.startWaiting();
    }, this.readHoldMs);
    this.holdTimer.unref();
  }

  private writesInFlight(): boolean {
    return this.lanes.write.running + this.lanes.write.waiting.length > 0;
  }

  private begin(lane: Lane, turn: Turn): void {
    const state = this.lanes[lane];
    state.running += 1;
    if (turn.heavy) this.heavyRunning += 1;
    if (lane === "read") {
      this.readsPassedOver = 0;
      this.readsReleased = false;
      if (this.holdTimer !== null) clearTimeout(this.holdTimer);
      this.holdTimer = null;
    }
    const done = () => {
      state.running -= 1;
      if (turn.heavy) this.heavyRunning -= 1;
      this.giveBack(turn.client);
      if (lane === "write" && this.lanes.read.waiting.length > 0 && this.writesInFlight()) this.readsPassedOver += 1;
      this.startWaiting();
      if (this.active === 0) for (const idle of this.idleWaiters.splice(0)) idle();
    };
    // `start` never rejects: it reports to its own caller.
    void turn.start().then(done, done);
  }

  /**
   * Starts what waits and may start now: writes first, then reads in their order, where a light
   * read may pass a heavy one that waits for the heavy share.
   */
  private startWaiting(): void {
    for (const lane of LANES) {
      const waiting = this.lanes[lane].waiting;
      for (let i = 0; i < waiting.length && this.mayStart(lane);) {
        if (this.mayStart(lane, waiting[i].heavy)) this.begin(lane, waiting.splice(i, 1)[0]);
        else i += 1;
      }
    }
    this.holdReads();
  }

  private giveBack(client: ClientKey): void {
    if (client === null) return;
    const left = (this.held.get(client) ?? 1) - 1;
    if (left > 0) this.held.set(client, left);
    else this.held.delete(client);
  }
}

/** Which turns an operation waits for: mutations ("write") or everything else ("read"). */
export type Lane = "read" | "write";

/** Lanes in the order their waiting operations start. */
const LANES: Lane[] = ["write", "read"];

/**
 * Writes that may go ahead of a waiting read, one after another, before it starts anyway: reads
 * are held back while writes are in flight, but never for good.
 */
export const WRITES_AHEAD_OF_A_READ = 16;

/** Milliseconds a read waits behind writes at most (one long write must not stop every read). */
export const READ_HOLD_MS = 250;

/** The lane of an operation of this kind (null: not known, the read lane). */
export function laneOf(kind: OperationKind | null | undefined): Lane {
  return kind === "mutation" ? "write" : "read";
}

/**
 * What admission knows of an HTTP request's operation before it runs: its lane, and whether it is
 * heavy, that is whether the last answer to the same text was HEAVY_ANSWER_BYTES or more. Heavy
 * reads run at most HEAVY_READS_AT_ONCE at a time, within MAX_CONCURRENT_OPERATIONS: a deep page
 * keeps its rows, loaders and answer alive while it runs, and several together spend their time
 * in young-generation collections (see Admission), while small reads, which wait on the database
 * more than they work, are served best many at a time. The size of the answer stands for the
 * cost: it is what the deep pages build, it does not change with the load, and it is known for
 * free once the answer is handed over.
 */
export interface Weighed {
  lane: Lane;
  heavy: boolean;
  /** Tells what the answer weighed (bytes of its body), for the next request with the same text. */
  answered?: (bytes: number) => void;
}

/**
 * The lane of an HTTP request to the GraphQL endpoint, its body already read. A GET never runs a
 * mutation (Apollo refuses one), and a body that is not a single operation with its text (a
 * persisted query's hash alone, a batch) takes the read lane, as a light read.
 */
export function weighRequest(req: IncomingMessage & { body?: unknown }): Weighed {
  if (req.method !== "POST") return LIGHT_READ;
  const body = req.body as { query?: unknown; operationName?: unknown } | null | undefined;
  if (body === null || typeof body !== "object" || typeof body.query !== "string") return LIGHT_READ;
  const operationName = typeof body.operationName === "string" ? body.operationName : null;
  // Clients send the same few texts again and again: a short one's lane is read once, and its
  // weight learnt, while it is among the recent ones.
  if (body.query.length > REMEMBERED_TEXT_LENGTH) return { lane: laneOf(operationKind(body.query, operationName)), heavy: false };
  const key = operationName === null ? body.query : `${operationName}\n${body.query}`;
  let known = recentOperations.get(key);
  if (known === undefined) {
    if (recentOperations.size >= REMEMBERED_TEXTS) recentOperations.clear();
    const lane = laneOf(operationKind(body.query, operationName));
    const entry: Weighed = { lane, heavy: false };
    if (lane === "read") entry.answered = (bytes) => void (entry.heavy = bytes >= HEAVY_ANSWER_BYTES);
    recentOperations.set(key, (known = entry));
  }
  return known;
}

const LIGHT_READ: Weighed = { lane: "read", heavy: false };

/** Texts seen lately: at most REMEMBERED_TEXTS of at most REMEMBERED_TEXT_LENGTH characters. */
const recentOperations = new Map<string, Weighed>();
const REMEMBERED_TEXTS = 1000;
const REMEMBERED_TEXT_LENGTH = 4096;

/** An answer this large (bytes of JSON) makes the next read with the same text a heavy one. */
export const HEAVY_ANSWER_BYTES = 64 * 1024;

/** Heavy reads that run at once (at most MAX_CONCURRENT_OPERATIONS). */
export const HEAVY_READS_AT_ONCE = 2;

interface LaneState {
  readonly concurrency: number;
  running: number;
  readonly waiting: Turn[];
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
  /** A heavy read: it also takes a turn of the heavy share. */
  heavy: boolean;
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

/** The size of a body handed to `res.end` whole (0 for none: one written in pieces is not weighed). */
function bodyBytes(chunk: unknown): number {
  if (typeof chunk === "string") return chunk.length;
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
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
function handedOver(res: ServerResponse, work: () => unknown, answered?: (bytes: number) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      res.end = end;
      if (answered) answered(bodyBytes(args[0]));
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
