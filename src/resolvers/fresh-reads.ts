import type { Context } from "../context";
import { createLoaders } from "../read";

/**
 * Drops what this context's loaders have cached. Loaders cache for a whole operation: after a
 * write, a later field of the same mutation would otherwise read stale counts, and a subscription's
 * context lives as long as the subscription, across every event it delivers.
 */
export function freshReads(ctx: Context): void {
  ctx.loaders = createLoaders(ctx.read, ctx.caller);
}
