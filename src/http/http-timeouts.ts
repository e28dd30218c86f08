import type { ServerOptions, ServerResponse } from "node:http";

/**
 * How long node's http server waits for a client, so that no connection is held by a client that
 * sends or reads too slowly (or not at all). Node's own defaults are minutes, or none.
 *
 * - headers: the whole request head must arrive within this (a trickle of header bytes, slowloris).
 * - request: the whole request, head and body (up to BODY_LIMIT), must arrive within this.
 * - keepAlive: an idle kept-alive connection is closed after this (node's default, stated here
 *   with the others). A proxy in front that keeps connections to us must close idle ones sooner,
 *   or a request it sends just as we close gets a 502.
 * - checkInterval: how often node looks for connections past the first two.
 */
export const HTTP_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, checkIntervalMs: 1_000 } as const;

/** The options node's http server takes at creation (the check interval can only be given then). */
export function httpServerOptions(): ServerOptions {
  return {
    headersTimeout: HTTP_TIMEOUTS.headersMs,
    requestTimeout: HTTP_TIMEOUTS.requestMs,
    keepAliveTimeout: HTTP_TIMEOUTS.keepAliveMs,
    connectionsCheckingInterval: HTTP_TIMEOUTS.checkIntervalMs,
  };
}

/**
 * Closes the connection of `res` when its answer, once complete (`res.end`), has not been taken
 * by the client within `drainMs` (RESPONSE_DRAIN_SECONDS; 0: never). A client that does not read
 * would otherwise keep the whole answer in this process's memory for as long as it likes. Only an
 * answer still queued in node when it is complete arms the timer: the common one is already with
 * the kernel.
 */
export function closeWhenNotDrained(res: ServerResponse, drainMs: number): void {
  if (drainMs <= 0) return;
  res.once("prefinish", () => {
    const socket = res.socket;
    if (!socket || socket.writableLength === 0 || res.writableFinished) return;
    const timer = setTimeout(() => socket.destroy(), drainMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once("finish", clear);
    res.once("close", clear);
  });
}
