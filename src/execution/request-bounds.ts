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
 * refusal before it is turned into text.
 */
export async function withinBounds(bounds: RequestBounds, context: unknown, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
  let result: ExecutionResult;
  if (bounds.deadlineMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ExecutionResult>((resolve) => {
      timer = setTimeout(() => {
        const error = pastDeadline(bounds.deadlineMs);
        if (isExpirable(context)) context.expire(error);
        resolve({ errors: [error] });
      }, bounds.deadlineMs);
    });
    try {
      result = await Promise.race([run(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  } else {
    result = await run();
  }
  if (bounds.maxResponseBytes > 0 && result.data && jsonSizeOver(result.data, bounds.maxResponseBytes)) {
    return { errors: [tooLarge(bounds.maxResponseBytes)] };
  }
  return result;
}

/**
 * Whether `value` would take more than `limit` bytes as JSON, estimated (a string counts its UTF-16
 * length; escapes and multi-byte characters are not counted) and stopping as soon as it is over.
 */
export function jsonSizeOver(value: unknown, limit: number): boolean {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") size += item.length + 3;
    else if (item === null || typeof item !== "object") size += 6;
    else if (Array.isArray(item)) {
      size += 2 + item.length;
      for (let i = 0; i < item.length; i++) stack.push(item[i]);
    } else {
      for (const key in item) {
        size += key.length + 4;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
    if (size > limit) return true;
  }
  return false;
}
