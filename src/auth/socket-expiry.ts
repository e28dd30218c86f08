/**
 * A WebSocket identifies its caller once, when it opens; a reader's identity then lasts only as
 * long as their token. When the token expires the socket is closed with TOKEN_EXPIRED_CLOSE, and
 * nothing more is sent on it: a client that still has a reader reconnects with a fresh token
 * (whose claims, a moderator's demotion among them, then apply). Anonymous sockets and the service
 * token do not expire.
 */
import type { Clock } from "../clock";
import type { Caller } from "./caller";

/** The close code of a socket whose reader's token has expired (graphql-ws's Unauthorized). */
export const TOKEN_EXPIRED_CLOSE = 4401;
export const TOKEN_EXPIRED_REASON = "the token expired; reconnect with a fresh one";

/** The longest delay setTimeout takes; a token that lives longer is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Whether the caller's credential is no longer good by the clock: a reader's token past its exp. */
export function credentialExpired(caller: Caller, clock: Clock): boolean {
  return caller.kind === "reader" && caller.expiresAt.getTime() <= clock().getTime();
}

/** Something that can be closed with a code and a reason: a WebSocket. */
interface Closable {
  close(code: number, reason: string): void;
}

/** Closes the socket at once, as for an expired token. */
export function closeExpired(socket: Closable): void {
  socket.close(TOKEN_EXPIRED_CLOSE, TOKEN_EXPIRED_REASON);
}

/**
 * Closes the socket when the caller's token expires, by the clock (checked again when the timer
 * fires, so a clock a test holds still is obeyed). Answers a function that stops the timer, for
 * when the socket closes first.
 */
export function closeAtExpiry(socket: Closable, caller: Caller, clock: Clock): () => void {
  if (caller.kind !== "reader") return () => undefined;
  let timer: NodeJS.Timeout | null = null;
  const arm = () => {
    const left = caller.expiresAt.getTime() - clock().getTime();
    if (left <= 0) {
      timer = null;
      closeExpired(socket);
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
}
