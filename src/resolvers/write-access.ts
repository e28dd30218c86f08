import type { CountedClient } from "../abuse/abuse-limits";
import { Caller, requireSignedIn } from "../auth/caller";
import type { Context } from "../context";
import type { WriteRules } from "../discussion/comments";
import { forbidden, userError } from "../errors";
import { fromGlobalId, NodeTypeName } from "../schema/global-id";

/**
 * Writes need a credential (the service token or a signed-in reader); checked before anything
 * else so a refusal writes nothing. What each writer may do is decided by the write itself.
 */
export function requireWriter(ctx: Context, what = "this operation"): void {
  requireSignedIn(ctx.caller, what);
}

/** The time and the discussion's rules, as the write paths take them. */
export function writeRules(ctx: Context): WriteRules {
  return { clock: ctx.clock, wordLists: ctx.wordLists, ...ctx.rules };
}

/** Writes that only the service token may make (imports). */
export function requireService(ctx: Context, what: string): void {
  requireSignedIn(ctx.caller, what);
  if (ctx.caller.kind !== "service") throw unauthenticatedService(what);
}

function unauthenticatedService(what: string) {
  return forbidden(`${what} needs the service token ("Authorization: Bearer <API_TOKEN>")`);
}

/** The caller as the abuse limits see it: a reader is counted by the token's sub, the service token not at all. */
export function countedClientOf(ctx: Context): CountedClient {
  return countedClientFor(ctx.caller, ctx.clientAddress);
}

/** The same, for a caller and address known before a context is made (admission: http/admission.ts). */
export function countedClientFor(caller: Caller, address: string | null): CountedClient {
  return { service: caller.kind === "service", reader: caller.kind === "reader" ? caller.sub : null, address };
}

/**
 * The row id behind an id argument that must name `type`. Queries answer null for a malformed id;
 * a write cannot, so a malformed id (or one of another type) is the client's mistake.
 */
export function idArgument(globalId: string, type: NodeTypeName, argumentName: string): number {
  const decoded = fromGlobalId(globalId);
  if (!decoded) throw userError(`"${argumentName}" is not a valid id`, { argumentName });
  if (decoded.type !== type) throw userError(`"${argumentName}" must be the id of a ${type}, not of a ${decoded.type}`, { argumentName });
  return decoded.id;
}
