/**
 * Who is calling, and what they may do. A request carries no credential (anonymous), the service
 * token (API_TOKEN: scripts, the host site's back end; every moderator right), or a reader's JWT
 * (see verify-token.ts). The rights are decided here, in one place, from that description alone;
 * whether a reader wrote a given comment is decided where the comment's author is known: for writes
 * in src/discussion/permissions.ts, for what a reader sees in src/policy/comment-visibility.ts.
 */
import { timingSafeEqual } from "node:crypto";
import { forbidden, unauthenticated } from "../errors";
import type { Role } from "../entities/moderation-enums";
import type { Reader, TokenVerifier } from "./verify-token";

export type Caller = { kind: "anonymous" } | { kind: "service" } | Reader;

export const ANONYMOUS: Caller = { kind: "anonymous" };

/** Whether an Authorization header value carries the service token (compared in constant time). */
export function tokenMatches(authorization: string | undefined, apiToken: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(apiToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The caller behind an Authorization header. No header: anonymous. A header must be
 * `Bearer <API_TOKEN>` or `Bearer <JWT>`; anything else is an UNAUTHENTICATED error naming the
 * problem, for the whole request: a client that sends a credential is told when it is not good,
 * rather than served as anonymous.
 */
export async function identifyCaller(authorization: string | undefined, apiToken: string, verify: TokenVerifier): Promise<Caller> {
  if (authorization === undefined || authorization.trim() === "") return ANONYMOUS;
  if (tokenMatches(authorization, apiToken)) return { kind: "service" };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw unauthenticated(`the Authorization header must be "Bearer <token>"`);
  return verify(match[1]);
}

/** The role served as Viewer.role: the service token's, or the reader's. */
export function roleOf(caller: Caller): Role | null {
  if (caller.kind === "service") return "SERVICE";
  return caller.kind === "reader" ? caller.role : null;
}

/** Moderators and the service token: every comment, every status, every moderation tool. */
export function canModerate(caller: Caller): boolean {
  return caller.kind === "service" || (caller.kind === "reader" && caller.role === "MODERATOR");
}

/** Writes need a credential; UNAUTHENTICATED otherwise. */
export function requireSignedIn(caller: Caller, what: string): asserts caller is Exclude<Caller, { kind: "anonymous" }> {
  if (caller.kind === "anonymous") {
    throw unauthenticated(`${what} needs a signed-in reader ("Authorization: Bearer <JWT>") or the service token`);
  }
}

/** Moderation tools: UNAUTHENTICATED for anonymous callers, FORBIDDEN for readers who are not moderators. */
export function requireModerator(caller: Caller, what: string): void {
  requireSignedIn(caller, what);
  if (!canModerate(caller)) throw forbidden(`${what} is for moderators only`);
}
