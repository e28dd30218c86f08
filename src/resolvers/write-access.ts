import type { Writer } from "../abuse/abuse-limits";
import type { Context } from "../context";
import { unauthenticated, userError } from "../errors";
import { fromGlobalId, NodeTypeName } from "../schema/global-id";

/** Every write needs the bearer token; checked before anything else so a refusal writes nothing. */
export function requireWriter(ctx: Context): void {
  if (!ctx.auth.canWrite) {
    throw unauthenticated(`this operation needs "Authorization: Bearer <API_TOKEN>"`);
  }
}

/** The caller as the abuse limits see it. */
export function writerOf(ctx: Context): Writer {
  return { service: ctx.auth.canWrite, reader: null, address: ctx.clientAddress };
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

