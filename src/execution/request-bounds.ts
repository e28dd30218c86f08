import { ExecutionResult, GraphQLError } from "graphql";
import { RETRY_AFTER_OUTAGE_SECONDS } from "../errors";

/**
 * What one operation may take once it runs: time (REQUEST_TIMEOUT_SECONDS) and the size of its
 * answer (MAX_RESPONSE_MB). The query limits (limits.ts) bound what a document may ask for before
 * it runs; these bound what it turns out to cost, on the data as it is.
 */
export interface RequestBounds {
  /** Milliseconds an operation may execute; 0: no deadline. */
  deadlineMs: number;
  /** Estimated bytes of JSON its answer may hold; 0: no cap. */
  maxResponseBytes: number;
  /**
   * Told of each execution answered at its deadline, which is still winding down (a read it had
   * started finishes): the server waits for them on stop, before its database closes.
   */
  windingDown?: (execution: Promise<unknown>) => void;
}

/** A context that can be told its operation is over: from then on it starts no more reads. */
export interface Expirable {
  expire(reason: GraphQLError): void;
}

function isExpirable(context: unknown): context is Expirable {
  return typeof (context as Partial<Expirable> | null)?.expire === "function";
}

/** HTTP 503 with Retry-After, like the database's own statement timeout. */
function pastDeadline(deadlineMs: number): GraphQLError {
  return new GraphQLError(`the request ran past its deadline of ${deadlineMs / 1000} s and was stopped; ask for less, or try again shortly`, {
    extensions: { code: "SERVICE_UNAVAILABLE", retryAfter: RETRY_AFTER_OUTAGE_SECONDS, deadlineSeconds: deadlineMs / 1000 },
  });
}

/** HTTP 400: the query is valid, and its answer on today's data is larger than any answer may be. */
function tooLarge(maxResponseBytes: number): GraphQLError {
  const mb = maxResponseBytes / (1024 * 1024);
  return new GraphQLError(`the answer would be larger than ${mb} MB, the most one request may answer; ask for smaller pages or fewer fields`, {
    extensions: { code: "BAD_REQUEST", maxResponseMb: mb },
  });
}

/**
 * Runs one operation within `bounds`. Past the deadline the client is answered at once, and the
 * context (when it is Expirable) starts no more reads, so the rest of the execution winds down
 * instead of building an answer nobody will get. An answer over the size cap is replaced by the
 * refusal; one within it keeps its text for the response (responseJson).
 */
export async function withinBounds(bounds: RequestBounds, context: unknown, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
  let result: ExecutionResult;
  if (bounds.deadlineMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    let lapsed = false;
    const deadline = new Promise<ExecutionResult>((resolve) => {
      timer = setTimeout(() => {
        lapsed = true;
        const error = pastDeadline(bounds.deadlineMs);
        if (isExpirable(context)) context.expire(error);
        resolve({ errors: [error] });
      }, bounds.deadlineMs);
    });
    const execution = run();
    try {
      result = await Promise.race([execution, deadline]);
    } finally {
      clearTimeout(timer);
    }
    if (lapsed) bounds.windingDown?.(execution);
  } else {
    result = await run();
  }
  if (bounds.maxResponseBytes > 0 && result.data) {
    const text = jsonWithin(result.data, bounds.maxResponseBytes);
    if (text === null) return { errors: [tooLarge(bounds.maxResponseBytes)] };
    dataTexts.set(result.data, text);
  }
  return result;
}

/**
 * The response `{"data": ...}` as JSON, or null when that is longer than `limit` characters (or
 * longer than any string can be). The answer is measured by writing it: the text is the one the
 * response sends when it has nothing but data (responseJson), so a walk to estimate its size
 * first would be paid on top of it.
 */
function jsonWithin(data: object, limit: number): string | null {
  let text: string;
  try {
    text = JSON.stringify({ data });
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  return text.length > limit ? null : text;
}

/** Each answer's `{"data": ...}` as JSON, written when its size was checked, for its response to reuse. */
const dataTexts = new WeakMap<object, string>();

/**
 * The response as JSON, exactly as JSON.stringify writes it. A response of data alone (no errors,
 * no extensions: nearly every one in production) is the text withinBounds wrote already, as one
 * flat string (a text pieced together would be copied whole again when it is encoded).
 */
export function responseJson(result: Record<string, unknown>): string {
  const data = result.data;
  const text = data !== null && typeof data === "object" ? dataTexts.get(data) : undefined;
  if (text === undefined) return JSON.stringify(result);
  // The response holds the text from here on; the data object may outlive it (Apollo's context).
  dataTexts.delete(data as object);
  return Object.keys(result).every((key) => key === "data" || result[key] === undefined) ? text : JSON.stringify(result);
}
