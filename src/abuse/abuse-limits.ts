/**
 * Abuse limits for writes: how often one client address, and one signed-in reader, may write.
 *
 * Counters live in Redis when REDIS_URL is set, so the limits hold across every instance; in
 * process memory otherwise (one instance). The service token is never limited: it is the site's
 * own credential (imports, moderation scripts). A refusal is RATE_LIMITED with
 * extensions.retryAfter, the whole seconds until the write would be taken.
 *
 * rate-limiter-flexible counts atomically (a Lua script on Redis), so two instances taking the
 * same reader's writes at the same moment cannot both let the one-over-the-limit through.
 */
import { createHash } from "node:crypto";
import Redis from "ioredis";
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { AbuseLimitSettings } from "../config";
import { rateLimited } from "../errors";
import { RedisUnavailableError } from "../events/create-events";
import { foldKey } from "../text/fold";
import { addressKey } from "./address-key";

/** The counters' window: every rate is per minute. */
const WINDOW_SECONDS = 60;

/**
 * The client an operation counts against, as far as the limits (and admission, for any operation)
 * care: the service token, a signed-in reader, an address.
 */
export interface CountedClient {
  /** True for the service token, which no limit applies to. */
  service: boolean;
  /** The signed-in reader's stable id (the token's `sub`); null when there is none. */
  reader: string | null;
  /** The client's address (http/client-address.ts), counted by its addressKey; null for an operation run in-process. */
  address: string | null;
}

/** The writes a reader is limited in, each with its own rate. */
export type ReaderWrite = "comment" | "reaction" | "flag";

/** Which limit refused a write: extensions.limit. */
export type LimitName = "ADDRESS" | "COMMENTS" | "DUPLICATE_BODY" | "REACTIONS" | "FLAGS";

/** Builds a counter: points per duration (seconds) under a key prefix. */
type LimiterFactory = (name: string, points: number, duration: number) => RateLimiterAbstract;

/** The text two bodies are compared by: Unicode NFC, whitespace runs as one space, case folded. */
export function bodyFingerprint(body: string): string {
  return createHash("sha256")
    .update(foldKey(body.normalize("NFC").replace(/\s+/gu, " ").trim()))
    .digest("base64url");
}

function describeSeconds(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? "" : "s"}` : `${seconds} seconds`;
}

function retryAfterSeconds(refusal: RateLimiterRes): number {
  return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
}

/** The limits of one server; made by createAbuseLimits, held by the server, reached through the context. */
export class AbuseLimits {
  private readonly address: RateLimiterAbstract | null;
  private readonly perReader: Record<ReaderWrite, RateLimiterAbstract | null>;
  private readonly duplicates: RateLimiterAbstract | null;

  constructor(settings: AbuseLimitSettings, limiter: LimiterFactory) {
    // A rate of 0 turns that limit off.
    const rate = (name: string, perMinute: number) => (perMinute > 0 ? limiter(name, perMinute, WINDOW_SECONDS) : null);
    this.address = rate("address", settings.addressPerMinute);
    this.perReader = {
      comment: rate("comments", settings.commentsPerMinute),
      reaction: rate("reactions", settings.reactionsPerMinute),
      flag: rate("flags", settings.flagsPerMinute),
    };
    this.duplicates = settings.duplicateCommentSeconds > 0 ? limiter("bodies", 1, settings.duplicateCommentSeconds) : null;
  }

  /**
   * Counts one write against the client's address and, for `kind`, against the reader. Throws
   * RATE_LIMITED when either is over its rate; the service token passes untouched.
   */
  async take(client: CountedClient, kind: ReaderWrite | null): Promise<void> {
    if (client.service) return;
    if (this.address && client.address !== null) {
      await this.consume(
        this.address,
        addressKey(client.address),
        "ADDRESS",
        () => `too many writes from your address; the limit is ${this.address!.points} a minute`,
      );
    }
    const perReader = kind === null ? null : this.perReader[kind];
    if (perReader && client.reader !== null) {
      await this.consume(perReader, client.reader, LIMIT_OF[kind!], () => `too many ${NOUN_OF[kind!]}; the limit is ${perReader.points} a minute`);
    }
  }

  /**
   * Claims a comment body for the reader for DUPLICATE_COMMENT_SECONDS: the same body again within
   * that time is RATE_LIMITED, retryAfter saying when it would be taken. Returns a release to call
   * when the comment was not written after all, so that sending it again is not refused.
   */
  async claimBody(client: CountedClient, body: string): Promise<() => Promise<void>> {
    const duplicates = this.duplicates;
    if (!duplicates || client.service || client.reader === null) return async () => undefined;
    const key = `${client.reader}:${bodyFingerprint(body)}`;
    await this.consume(duplicates, key, "DUPLICATE_BODY", () => `you posted the same text within the last ${describeSeconds(duplicates.duration)}`);
    return async () => {
      await duplicates.delete(key).catch(() => undefined);
    };
  }

  /**
   * Runs `write`, a comment post, within the limits: the client's address and comment rate are
   * counted and the body claimed first; if the write then fails, the body is released.
   */
  async forComment<T>(client: CountedClient, body: string, write: () => Promise<T>): Promise<T> {
    await this.take(client, "comment");
    const release = await this.claimBody(client, body);
    try {
      return await write();
    } catch (error) {
      await release();
      throw error;
    }
  }

  private async consume(limiter: RateLimiterAbstract, key: string, limit: LimitName, message: () => string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (refusal) {
      // Anything but a refusal is a store failure the insurance limiter did not absorb: let it through.
      if (!(refusal instanceof RateLimiterRes)) {
        console.error(`[threadline] rate limit ${limit} could not be checked:`, refusal);
        return;
      }
      throw rateLimited(message(), retryAfterSeconds(refusal), limit);
    }
  }
}

const LIMIT_OF: Record<ReaderWrite, LimitName> = { comment: "COMMENTS", reaction: "REACTIONS", flag: "FLAGS" };
const NOUN_OF: Record<ReaderWrite, string> = { comment: "comments", reaction: "reactions", flag: "flags" };

export interface AbuseLimitStore {
  limits: AbuseLimits;
  close(): Promise<void>;
}

/** Limits whose counters live in this process: one instance's. */
export function memoryAbuseLimits(settings: AbuseLimitSettings): AbuseLimits {
  return new AbuseLimits(settings, (name, points, duration) => new RateLimiterMemory({ keyPrefix: name, points, duration }));
}

/**
 * Limits for a server: counters in Redis when `redisUrl` is given (Redis must answer now, as for
 * the event bus), in memory otherwise. While Redis is unreachable later, each instance counts in
 * its own memory instead (the limits then hold per instance), so writes neither fail nor go
 * unlimited. `keyPrefix` keeps deployments (or test runs) that share a Redis apart.
 */
export async function createAbuseLimits(settings: AbuseLimitSettings, redisUrl: string | null, keyPrefix = "threadline:limits"): Promise<AbuseLimitStore> {
  if (!redisUrl) return { limits: memoryAbuseLimits(settings), close: async () => undefined };
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times - 1, 6), 5_000),
  });
  let reason: string | null = null;
  const noteReason = (error: Error) => void (reason ??= error.message);
  client.once("error", noteReason);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new RedisUnavailableError(reason ?? ((error as Error).message || String(error)));
  } finally {
    client.off("error", noteReason);
  }
  let down = false;
  client.on("error", (error: Error) => {
    if (!down) console.error(`[threadline] Redis (rate limits) unreachable: ${error.message}; counting in memory until it is back`);
    down = true;
  });
  client.on("ready", () => {
    if (down) console.error("[threadline] Redis (rate limits) reconnected");
    down = false;
  });
  const limits = new AbuseLimits(
    settings,
    (name, points, duration) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${keyPrefix}:${name}`,
        points,
        duration,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration }),
      }),
  );
  return {
    limits,
    async close() {
      client.disconnect();
    },
  };
}
