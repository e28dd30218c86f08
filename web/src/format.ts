import type { CombinedError } from "urql";

/** Dates in one fixed form and zone, so every reader (and every screenshot) sees the same text. */
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export function formatDateTime(iso: string): string {
  return `${dateTime.format(new Date(iso))} UTC`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "12 results", or "1,000+ results" for a count that stopped at its bound (a boundedCount). */
export function countText(total: { count: number; isExact: boolean }, one: string, many = `${one}s`): string {
  if (total.isExact) return plural(total.count, one, many);
  return `${total.count.toLocaleString("en-US")}+ ${many}`;
}

/** "42 seconds", "2 minutes": how long to wait, rounded up to what a reader would count. */
export function waitText(seconds: number): string {
  const whole = Math.max(Math.ceil(seconds), 1);
  return whole < 90 ? plural(whole, "second") : plural(Math.ceil(whole / 60), "minute");
}

/**
 * The message of a failed operation, as the API worded it. A rate limit's refusal also says when
 * to try again (extensions.retryAfter, in seconds).
 */
export function errorText(error: CombinedError): string {
  if (error.graphQLErrors && error.graphQLErrors.length > 0) {
    return error.graphQLErrors
      .map((e) => {
        const retryAfter = e.extensions?.retryAfter;
        if (e.extensions?.code === "RATE_LIMITED" && typeof retryAfter === "number") return `Slow down: ${e.message}. Try again in ${waitText(retryAfter)}.`;
        return e.message;
      })
      .join("; ");
  }
  if (error.networkError) return `cannot reach the server (${error.networkError.message})`;
  return error.message;
}

export function isUnauthenticated(error: CombinedError): boolean {
  return error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
}
