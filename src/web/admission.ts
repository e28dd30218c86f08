import type { IncomingMessage, ServerResponse } from "node:http";
import pLimit, { Limit } from "p-limit";

/**
 * How many GraphQL operations over HTTP run at once (MAX_CONCURRENT_OPERATIONS); the others wait
 * their turn, first come first served, before Apollo parses them. The queue is p-limit's.
 *
 * A request's rows, loaders and result stay in memory while it runs. With many running together
 * on the one JavaScript thread, each takes longer, so more of them are alive at every young-
 * generation collection, which copies whatever is alive: under ten concurrent deep pages that
 * copying took a third of the CPU. A few at a time finish sooner, die young, and the same load is
 * served faster (see the README's Operating it and Benchmarks).
 *
 * HTTP requests take their turn through `admit`. One whose client hung up while it waited is not
 * run: a client that sends many requests and leaves costs their places in the queue, not their
 * work. The queue holds at most `maxQueued` (MAX_QUEUED_OPERATIONS): each waiting request keeps
 * its parsed body (up to BODY_LIMIT), so beyond that a request is refused at once with 503 instead
 * of held.
 */
export class Admission {
  private readonly limit: Limit;
  private readonly concurrency: number;

  /**
   * `limit`: operations that may run at once (0: every one at once, and none waits);
   * `maxQueued`: operations that may wait (0: no bound).
   */
  constructor(
    limit: number,
    private readonly maxQueued = 0,
  ) {
    this.concurrency = limit > 0 ? limit : Infinity;
    this.limit = pLimit(this.concurrency);
  }

  /** Whether another operation would have to wait while `maxQueued` already do: refuse it. */
  get full(): boolean {
    return this.maxQueued > 0 && this.limit.activeCount >= this.concurrency && this.limit.pendingCount >= this.maxQueued;
  }

  /**
   * Runs `work` for an HTTP request in its turn: answers 503 at once instead when the queue is
   * full, and skips it when the client has left by its turn. Settles when `work` does (at once
   * when refused or skipped); a failure of `work` rejects it.
   */
  admit(req: IncomingMessage, res: ServerResponse, work: () => Promise<void>): Promise<void> {
    if (this.full) {
      refuseBusy(res, this.queued);
      return Promise.resolve();
    }
    return this.run(() => (clientGone(req, res) ? Promise.resolve() : work()));
  }

  /** Runs `work` once fewer than `limit` operations are running. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.limit(work);
  }

  /** Operations waiting their turn (for tests and logs). */
  get queued(): number {
    return this.limit.pendingCount;
  }
}

/**
 * Whether nobody is left to read the answer to `req`: its connection closed (the client hung up,
 * or a proxy gave up) before the answer was sent.
 */
function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  return res.destroyed || req.socket.destroyed;
}

/** Seconds a client refused for a full queue is asked to wait (Retry-After). */
const BUSY_RETRY_AFTER_SECONDS = 1;

/** Answers a request that found the queue full: HTTP 503 SERVICE_UNAVAILABLE with Retry-After. */
function refuseBusy(res: ServerResponse, waiting: number): void {
  res.statusCode = 503;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("retry-after", String(BUSY_RETRY_AFTER_SECONDS));
  const message = `the server is busy: its queue of operations waiting their turn is full (${waiting}); try again shortly`;
  res.end(JSON.stringify({ errors: [{ message, extensions: { code: "SERVICE_UNAVAILABLE", retryAfter: BUSY_RETRY_AFTER_SECONDS } }] }));
}
