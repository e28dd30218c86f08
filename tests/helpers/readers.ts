/**
 * Readers for the identity and moderation tests: JWTs signed with the test secret (as a host site
 * would sign them), a clock the tests move, and the mutations those tests send, in one place.
 */
import { SignJWT } from "jose";
import type { Clock } from "../../src/clock";
import { TEST_JWT_SECRET, TestServer } from "./test-server";

export interface ReaderClaims {
  sub?: string;
  name?: string;
  role?: string;
  /** Seconds from the clock's now until exp; default one hour. */
  expiresIn?: number;
  /** Leave exp out altogether. */
  noExp?: boolean;
  /** Seconds from the clock's now to iat (negative: in the past); default 0. */
  issuedIn?: number;
  /** Leave iat out altogether (exp still counts from now). */
  noIat?: boolean;
}

/** A clock that stands still until a test moves it. */
export function testClock(start = new Date("2026-05-01T12:00:00.000Z")) {
  let now = start.getTime();
  const clock: Clock = () => new Date(now);
  return {
    clock,
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

/** An HS256 token for the claims, signed with `secret` (the test servers' secret unless told). */
export async function readerToken(claims: ReaderClaims, options: { now?: Date; secret?: string } = {}): Promise<string> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const payload: Record<string, unknown> = {};
  if (claims.name !== undefined) payload.name = claims.name;
  if (claims.role !== undefined) payload.role = claims.role;
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: "HS256" });
  if (!claims.noIat) jwt.setIssuedAt(now + (claims.issuedIn ?? 0));
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (!claims.noExp) jwt.setExpirationTime(now + (claims.expiresIn ?? 3600));
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** A token with `alg: none` and no signature, as an attacker would send it. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

export const POST = `mutation($articleId: ID!, $body: String!, $authorName: String, $parentId: ID) {
  addComment(articleId: $articleId, body: $body, authorName: $authorName, parentId: $parentId) {
    comment { id body createdAt editableUntil viewerCanEdit viewerCanDelete author { id name commentCount } }
  }
}`;
export const EDIT = `mutation($id: ID!, $body: String!) { editComment(id: $id, body: $body) { comment { id body editedAt } } }`;
export const DELETE = `mutation($id: ID!) { deleteComment(id: $id) { comment { id isDeleted } } }`;
export const COMMENT = `query($id: ID!) {
  comment(id: $id) { id body isDeleted editedAt editableUntil viewerCanEdit viewerCanDelete author { id name commentCount } }
}`;
export const VIEWER = `{ viewer { role canModerate name author { id name commentCount } } }`;

/** Posts as the holder of `token`; the comment as addComment returned it. */
export async function postAs(t: TestServer, token: string, articleId: string, body: string, extra: Record<string, unknown> = {}) {
  const data = await t.data(POST, { articleId, body, ...extra }, { token });
  return data.addComment.comment as {
    id: string;
    body: string;
    createdAt: string;
    editableUntil: string;
    author: { id: string; name: string; commentCount: number };
  };
}
