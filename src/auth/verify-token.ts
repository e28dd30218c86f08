/**
 * Readers' SSO tokens: JWTs that the host site signs for its logged-in reader, verified with jose.
 * HS256 against JWT_SECRET, and RS256 or ES256 against the key set at JWKS_URL. Every way a token
 * can fail is an UNAUTHENTICATED error whose message names the problem, so the host site's
 * developers can tell an expired token from a wrongly signed one.
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, JWTPayload, jwtVerify, JWTVerifyOptions } from "jose";
import { GraphQLError } from "graphql";
import { unauthenticated } from "../errors";
import { unstorableIn } from "../text/unstorable";
import { checkDisplayName } from "../text/display-name";
import type { Clock } from "../clock";
import type { Role } from "../entities/moderation-enums";

/** A reader's role as the token's `role` claim gives it: `commenter` (the default) or `moderator`. */
export type ReaderRole = Exclude<Role, "SERVICE">;

/** A signed-in reader, as the token describes them. */
export interface Reader {
  kind: "reader";
  /** The host site's stable id for the reader (the `sub` claim). */
  sub: string;
  /** The display name (the `name` claim), or READER_FALLBACK_NAME when the token has none. */
  name: string;
  role: ReaderRole;
  /** When the token stops being good (its `exp`): a socket signed in with it is closed then. */
  expiresAt: Date;
}

/** A reader's name when the token carries no `name` claim (never the sub, which may be private). */
export const READER_FALLBACK_NAME = "Reader";

/** The longest `sub` stored (Author.sub's column). */
export const MAX_SUB_LENGTH = 255;

export type TokenVerifier = (token: string) => Promise<Reader>;

export interface TokenSettings {
  jwtSecret: string | null;
  jwksUrl: string | null;
  /** The longest a token may live: `exp` at most this far after `iat` (or after now, without `iat`). */
  jwtMaxAgeSeconds: number;
}

/**
 * How far the host site's clock may be from ours: a token is good this long past `exp`, and its
 * `iat` may be this far ahead.
 */
export const CLOCK_TOLERANCE_SECONDS = 30;

const ASYMMETRIC = ["RS256", "ES256"];

/**
 * A verifier for one server. The remote key set is fetched on first use and cached by jose (and
 * fetched again when a token names a key it does not hold), so a verification costs no request
 * once the keys are known.
 */
export function createTokenVerifier(settings: TokenSettings, clock: Clock): TokenVerifier {
  const secret = settings.jwtSecret === null ? null : new TextEncoder().encode(settings.jwtSecret);
  const keySet = settings.jwksUrl === null ? null : createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5_000 });

  return async (token) => {
    let alg: string | undefined;
    let claims: JWTPayload;
    try {
      alg = decodeProtectedHeader(token).alg;
      claims = decodeJwt(token);
    } catch {
      throw unauthenticated("the bearer token is neither the API token nor a JWT");
    }
    if (alg === undefined || alg.toLowerCase() === "none")
      throw unauthenticated(`the token is unsigned (alg "${alg ?? "missing"}"); sign it with HS256, RS256 or ES256`);
    if (alg !== "HS256" && !ASYMMETRIC.includes(alg)) throw unauthenticated(`the token's algorithm ${alg} is not accepted; sign it with HS256, RS256 or ES256`);
    if (alg === "HS256" && !secret) throw unauthenticated("HS256 tokens are not accepted here: the server has no JWT_SECRET");
    if (alg !== "HS256" && !keySet) throw unauthenticated(`${alg} tokens are not accepted here: the server has no JWKS_URL`);

    let payload: JWTPayload;
    const now = clock();
    try {
      const options: JWTVerifyOptions = {
        algorithms: [alg],
        requiredClaims: ["sub", "exp"],
        currentDate: now,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // jose refuses an `iat` ahead of the clock only under maxTokenAge, which also makes `iat`
        // required: asked of the tokens that carry one (the signature covers what was decoded).
        ...(claims.iat !== undefined ? { maxTokenAge: settings.jwtMaxAgeSeconds } : {}),
      };
      payload = (alg === "HS256" ? await jwtVerify(token, secret!, options) : await jwtVerify(token, keySet!, options)).payload;
    } catch (error) {
      throw tokenError(error, alg !== "HS256", settings.jwtMaxAgeSeconds);
    }
    checkLifetime(payload, Math.floor(now.getTime() / 1000), settings.jwtMaxAgeSeconds);
    return readerOf(payload);
  };
}

/**
 * A token may live at most JWT_MAX_AGE_SECONDS: jose bounds a token's age by its `iat` but not how
 * far ahead its `exp` lies, so a token signed for a century would be good for a century.
 */
function checkLifetime(payload: JWTPayload, now: number, maxAge: number): void {
  const exp = payload.exp as number;
  if (typeof payload.iat === "number") {
    if (exp - payload.iat > maxAge) {
      throw unauthenticated(
        `the token lives ${exp - payload.iat} seconds from its "iat" to its "exp"; this server accepts at most ${maxAge} (JWT_MAX_AGE_SECONDS)`,
      );
    }
  } else if (exp - now > maxAge + CLOCK_TOLERANCE_SECONDS) {
    throw unauthenticated(`the token has no "iat" and expires ${exp - now} seconds from now; this server accepts at most ${maxAge} (JWT_MAX_AGE_SECONDS)`);
  }
}

/** What a failed verification tells the client; `remote`: the key came from JWKS_URL. */
function tokenError(error: unknown, remote: boolean, maxAge: number): GraphQLError {
  if (error instanceof errors.JWTExpired && error.claim === "iat") {
    return unauthenticated(`the token was issued more than ${maxAge} seconds ago (JWT_MAX_AGE_SECONDS); ask the host site for a new one`);
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "iat" && error.reason === "check_failed") {
    const iat = typeof error.payload.iat === "number" ? ` (${new Date(error.payload.iat * 1000).toISOString()})` : "";
    return unauthenticated(`the token's "iat" claim${iat} is in the future; check the host site's clock`);
  }
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === "number" ? ` at ${new Date(error.payload.exp * 1000).toISOString()}` : "";
    return unauthenticated(`the token expired${exp}; ask the host site for a new one`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return unauthenticated(`the token has no "${error.claim}" claim; "sub" and "exp" are required`);
    return unauthenticated(`the token's "${error.claim}" claim is not acceptable: ${error.message}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return unauthenticated("the token's signature does not verify: it was not signed with this server's key");
  if (error instanceof errors.JWKSNoMatchingKey) return unauthenticated("no key in the key set at JWKS_URL matches the token (its kid or algorithm)");
  if (remote && (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError))) {
    // Not the client's fault: the key set could not be had. Safe to retry, as for a database outage.
    console.error(`[threadline] JWKS_URL: ${(error as Error).message}`);
    return new GraphQLError("the key set that readers' tokens are checked against could not be fetched; try again shortly", {
      extensions: { code: "SERVICE_UNAVAILABLE", retryAfter: 5 },
    });
  }
  if (error instanceof errors.JOSEError) return unauthenticated(`the token is not a valid JWT: ${error.message}`);
  throw error;
}

/** The claims the service uses, checked: a bad one refuses the token rather than being guessed at. */
function readerOf(payload: JWTPayload): Reader {
  const sub = payload.sub;
  if (typeof sub !== "string" || sub.trim() === "") throw unauthenticated(`the token's "sub" claim must be a non-empty string`);
  if (sub.length > MAX_SUB_LENGTH) throw unauthenticated(`the token's "sub" claim is ${sub.length} characters long; the limit is ${MAX_SUB_LENGTH}`);
  // Held to the rule every argument is (schema/text-inputs.ts): stored, it would no longer be the sub.
  const unstorable = unstorableIn(sub);
  if (unstorable !== null) throw unauthenticated(`the token's "sub" claim contains ${unstorable}, which cannot be stored`);

  const rawName = payload.name;
  let name = READER_FALLBACK_NAME;
  if (rawName !== undefined && rawName !== null) {
    if (typeof rawName !== "string") throw unauthenticated(`the token's "name" claim must be a string`);
    // The same rule as an authorName argument (invisible characters removed, one line, the length).
    const checked = checkDisplayName(rawName);
    if ("problem" in checked) throw unauthenticated(`the token's "name" claim ${checked.problem}`);
    if (checked.name !== "") name = checked.name;
  }

  const role = payload.role ?? "commenter";
  if (role !== "commenter" && role !== "moderator")
    throw unauthenticated(`the token's "role" claim must be "commenter" or "moderator", got ${JSON.stringify(role).slice(0, 40)}`);
  // jose has checked that exp is a number in the future (requiredClaims).
  const expiresAt = new Date((payload.exp as number) * 1000);
  return { kind: "reader", sub, name, role: role === "moderator" ? "MODERATOR" : "COMMENTER", expiresAt };
}
