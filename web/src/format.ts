import type { CombinedError } from "urql";

/** Dates in one fixed form and zone, so every reader (and every screenshot) sees the same text. */
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export function formatDateTime(iso: string): string {
  return `${dateTime.format(new Date(iso))} UTC`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The message of a failed operation, as the API worded it. */
export function errorText(error: CombinedError): string {
  if (error.graphQLErrors && error.graphQLErrors.length > 0) return error.graphQLErrors.map((e) => e.message).join("; ");
  if (error.networkError) return `cannot reach the server (${error.networkError.message})`;
  return error.message;
}

export function isUnauthenticated(error: CombinedError): boolean {
  return error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
}
