import express, { Router } from "express";
import { GraphQLError } from "graphql";
import { SignJWT } from "jose";
import type { TokenVerifier } from "../auth/verify-token";
import type { Clock } from "../clock";
import { checkDisplayName } from "../text/display-name";

/** Where the reader app asks for a development reader token. */
export const DEV_READER_TOKEN_PATH = "/dev/reader-token";

/** How long a development reader token lasts; the app asks for a new one before it runs out. */
export const DEV_READER_TOKEN_SECONDS = 3600;

/** The `sub` of the reader a display name signs in as: the same name is the same reader, across restarts. */
export function devReaderSub(name: string): string {
  return `dev:${name.normalize("NFC").toLowerCase()}`;
}

export interface DevSignInOptions {
  /** The development secret `npm start` made and keeps in the data folder; never a JWT_SECRET the operator supplied. */
  jwtSecret: string;
  /** The server's own verifier: a token this route hands out is one the API accepts. */
  verify: TokenVerifier;
  clock: Clock;
}

/**
 * The reader app's development sign-in: a reader token, as a host site would sign one, for a
 * display name and role the developer picks. The server mounts it only outside production and
 * only with the development secret `npm start` made itself (JWT_SECRET unset): anyone who can reach
 * it can sign in as anyone, so it must never sign with the host site's real secret.
 *
 * A page elsewhere cannot use it: the request must be JSON (a cross-site form cannot send that
 * without a CORS preflight, which this route never grants) and, when the browser names its
 * Origin, come from this server's own.
 */
export function devSignInRoutes(options: DevSignInOptions): Router {
  const router = Router();
  const secret = new TextEncoder().encode(options.jwtSecret);
  router.post(DEV_READER_TOKEN_PATH, express.json({ limit: "4kb" }), async (req, res, next) => {
    res.setHeader("cache-control", "no-store");
    const refuse = (status: number, message: string) => res.status(status).json({ error: message });
    if (!req.is("application/json")) return refuse(415, `send {"name": "...", "role": "commenter" | "moderator"} as application/json`);
    const origin = req.get("origin");
    if (origin !== undefined && hostOf(origin) !== req.get("host")) return refuse(403, "development sign-in is for pages of this server only");

    const body: unknown = req.body;
    const { name, role = "commenter" } = (typeof body === "object" && body !== null ? body : {}) as { name?: unknown; role?: unknown };
    if (typeof name !== "string" || name.trim() === "") return refuse(400, "name: give the display name to sign in as");
    if (role !== "commenter" && role !== "moderator") return refuse(400, `role: expected "commenter" or "moderator", got ${JSON.stringify(role).slice(0, 40)}`);

    // The name as the API will store it (invisible characters gone), so the sub follows what readers see.
    const checked = checkDisplayName(name);
    if ("problem" in checked) return refuse(400, `name ${checked.problem}`);
    if (checked.name === "") return refuse(400, "name: give the display name to sign in as");
    const displayName = checked.name;
    const now = Math.floor(options.clock().getTime() / 1000);
    const expires = now + DEV_READER_TOKEN_SECONDS;
    try {
      const token = await new SignJWT({ name: displayName, role })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(devReaderSub(displayName))
        .setIssuer("threadline-development-sign-in")
        .setIssuedAt(now)
        .setExpirationTime(expires)
        .sign(secret);
      // Checked as every request's token is: a name the API would refuse (too long, two lines) is refused here.
      const reader = await options.verify(token);
      res.json({ token, expiresAt: new Date(expires * 1000).toISOString(), reader: { sub: reader.sub, name: reader.name, role: reader.role } });
    } catch (error) {
      if (error instanceof GraphQLError) return refuse(400, error.message.replace(/^the token's "name" claim/, "name"));
      next(error);
    }
  });
  return router;
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
