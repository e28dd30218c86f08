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
 * An operation whose client hung up while it waited is not run (see `clientGone`): a client that
 * sends many requests and leaves costs their places in the queue, not their work.
 */
export class Admission {
  private readonly limit: Limit;

  /** `limit`: operations that may run at once; 0 runs every one at once. */
  constructor(limit: number) {
    this.limit = pLimit(limit > 0 ? limit : Infinity);
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
export function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  return res.destroyed || req.socket.destroyed;
}
