import { GraphQLError } from "graphql";

/**
 * Every error code a client can see, in one list used by the resolvers and by formatError alike.
 * The first group is ours (docs/api.md lists them); the second is Apollo's and graphql-js's for requests that
 * never reach a resolver. All of them are the client's to act on and pass through unmasked;
 * anything else becomes INTERNAL_SERVER_ERROR.
 */
export const CLIENT_ERROR_CODES = [
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "NOT_FOUND",
  "FORBIDDEN",
  "RATE_LIMITED",
  "SERVICE_UNAVAILABLE",
  "GRAPHQL_VALIDATION_FAILED",
  "GRAPHQL_PARSE_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
] as const;

export type ErrorCode = (typeof CLIENT_ERROR_CODES)[number] | "INTERNAL_SERVER_ERROR";

const clientCodes: ReadonlySet<string> = new Set(CLIENT_ERROR_CODES);

export function isClientErrorCode(code: unknown): boolean {
  return typeof code === "string" && clientCodes.has(code);
}

export function userError(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", ...extra } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "NOT_FOUND" } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED" } });
}

/** Signed in, and not allowed to do this; nothing was changed. */
export function forbidden(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN", ...extra } });
}

/**
 * A write refused by an abuse limit (src/abuse/abuse-limits.ts): HTTP 429 with Retry-After when
 * it is the whole request. `retryAfter` is the whole seconds until the write would be taken;
 * `limit` names the limit.
 */
export function rateLimited(message: string, retryAfter: number, limit: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "RATE_LIMITED", retryAfter, limit } });
}

/** Seconds a client is told to wait before retrying when the database is unreachable. */
export const RETRY_AFTER_OUTAGE_SECONDS = 5;

/** Seconds a client is told to wait before sending again a write that kept meeting others (a conflict). */
export const RETRY_AFTER_CONFLICT_SECONDS = 1;

/**
 * What a client sees when the database cannot answer: it cannot be reached, a statement ran past
 * the statement timeout, or a write kept meeting others' (a deadlock or serialization failure
 * on every try, see db/transaction.ts) and was not made. HTTP 503 with Retry-After, as a proxy
 * would answer.
 */
export function serviceUnavailable(cause: DatabaseFailure = "unreachable"): GraphQLError {
  const message = {
    timeout: "the database took too long to answer; try again shortly, or ask for less",
    unreachable: "the database is unavailable; try again shortly",
    storage: "the database cannot store writes right now (its disk is full or read-only); nothing was written; try again later",
    conflict: "the write met others to the same rows and was not made; send it again shortly",
  }[cause];
  const retryAfter = cause === "conflict" ? RETRY_AFTER_CONFLICT_SECONDS : RETRY_AFTER_OUTAGE_SECONDS;
  return new GraphQLError(message, { extensions: { code: "SERVICE_UNAVAILABLE", retryAfter } });
}

/**
 * unreachable: no connection, or it went away; timeout: a statement ran past the statement timeout;
 * storage: the database could not write to its disk (full, failing, or read-only); conflict: a
 * write kept meeting others' and was not made.
 */
export type DatabaseFailure = "unreachable" | "timeout" | "storage" | "conflict";

/**
 * PostgreSQL's deadlock_detected and serialization_failure: the database rolled the whole
 * transaction back, and running it again may well succeed.
 */
const CONFLICT_CODES = new Set(["40P01", "40001"]);

/** PostgreSQL's query_canceled (statement_timeout) and SQLite's interrupt (our read timeout). */
const TIMEOUT_CODES = new Set(["57014", "SQLITE_INTERRUPT"]);

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "SQLITE_BUSY",
  "SQLITE_CANTOPEN",
]);
const UNREACHABLE_MESSAGES =
  /Connection terminated|Cannot use a pool after calling end|timeout exceeded when trying to connect|Database is closed|Connection with \w+ database is not established|Driver not Connected|connection to server .* failed|the database system is (?:shutting down|starting up|in recovery mode)/i;

/**
 * Whether `test` holds for the error or for one it wraps: TypeORM keeps the driver's error as
 * driverError, and graphql-js wraps a thrown value that is not an Error (from another realm, say)
 * as thrownValue.
 */
function anyCause(error: unknown, test: (fields: Record<string, unknown>) => boolean, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 3) return false;
  const fields = error as Record<string, unknown>;
  if (test(fields)) return true;
  return [fields.driverError, fields.cause, fields.thrownValue].some((inner) => anyCause(inner, test, depth + 1));
}

/**
 * SQLite's disk-full, I/O and read-only errors (sqlite3 reports the primary code), and PostgreSQL's
 * disk_full (53100) and read_only_sql_transaction (25006).
 */
const STORAGE_CODES = new Set(["SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "53100", "25006"]);

/** Whether an error is the database failing to write to its disk. */
export function isStorageFailure(error: unknown): boolean {
  return anyCause(error, ({ code }) => typeof code === "string" && STORAGE_CODES.has(code));
}

/** Whether an error is a transaction the database rolled back for meeting another (CONFLICT_CODES). */
export function isWriteConflict(error: unknown): boolean {
  return anyCause(error, ({ code }) => typeof code === "string" && CONFLICT_CODES.has(code));
}

/** Whether an error is a statement stopped by the statement timeout. */
export function isStatementTimeout(error: unknown): boolean {
  return anyCause(error, ({ code }) => typeof code === "string" && TIMEOUT_CODES.has(code));
}

/**
 * Whether an error means the database could not be reached or went away, rather than that a
 * statement failed: connection errors from the drivers, PostgreSQL's connection-exception
 * (08xxx), shutdown (57P01-57P03) and too-many-connections (53300) states, a busy or closed
 * SQLite file.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return anyCause(error, ({ code, message }) => {
    if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || /^08/.test(code) || /^57P0[123]$/.test(code) || code === "53300")) return true;
    return typeof message === "string" && UNREACHABLE_MESSAGES.test(message);
  });
}

/** How the database failed a request, if that is why it failed. */
export function databaseFailure(error: unknown): DatabaseFailure | null {
  if (isWriteConflict(error)) return "conflict";
  if (isStatementTimeout(error)) return "timeout";
  if (isStorageFailure(error)) return "storage";
  return isDatabaseUnavailable(error) ? "unreachable" : null;
}
