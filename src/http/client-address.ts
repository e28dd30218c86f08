import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";
import type { TrustProxy } from "../config";

/** A request's client address (HTTP, or the upgrade request of a WebSocket); null when the socket has gone. */
export type ClientAddressOf = (req: IncomingMessage) => string | null;

/**
 * Where the client address of a request comes from, by express's `trust proxy` rule (TRUST_PROXY):
 * without it, the TCP peer and X-Forwarded-For ignored; with it, proxy-addr walks
 * X-Forwarded-For back through the trusted proxies only, so a client cannot name its own address.
 * Every path that limits by address (POST, express, the WebSocket upgrade) asks this one function.
 */
export function clientAddressReader(trustProxy: TrustProxy | null): ClientAddressOf {
  if (trustProxy === null) return (req) => req.socket.remoteAddress ?? null;
  // express's compileTrust: a hop count trusts that many proxies nearest to the server.
  const trust = typeof trustProxy === "number" ? (_address: string, hop: number) => hop < trustProxy : proxyaddr.compile(trustProxy);
  return (req) => (req.socket.remoteAddress === undefined ? null : proxyaddr(req, trust));
}
