/**
 * The in-process cache of anonymous answers (RESPONSE_CACHE_MB), dropped exactly by writes, and the
 * keys HTTP caches in front are told of (Surrogate-Key, Cache-Tag) and purged by (CACHE_PURGE_URL).
 *
 * - What is cached: the answer to an anonymous query (no Authorization header) over GET or a JSON
 *   POST, that answered without errors and whose cache policy (cache-policy.ts) is public
 *   with a max-age. The key is the document's text, the operation name and the variables; every
 *   anonymous reader sees alike, so the viewer class is "anonymous" for every entry. A signed-in
 *   request neither reads nor fills the cache.
 * - A hit is answered before the request takes its turn (http/admission.ts): no operation runs.
 * - What an entry read is recorded as its rows are built (read/, keys as events/cache-keys.ts names them). A write names what it
 *   changed on the bus's `written` topic (events/comment-events.ts: publishWritten); this instance
 *   drops the entries that read any of it at once, before the write's answer is sent, and the
 *   others when the bus brings it. A read that began before a write and ends after it is not stored
 *   when it read what the write changed.
 * - An entry also lives no longer than its answer's max-age, so writes this service does not see
 *   (`npm run seed` into the same database) show within the time they always did.
 * - Entries are kept least recently used first, bounded by their bytes.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import type { ResponseCacheSettings } from "../config";
import { CommentEvents, WRITTEN_TOPIC, WrittenEvent } from "../events/comment-events";
import { ALL_KEY, ReadSet } from "../events/cache-keys";
import { CachePolicy, cacheControlHeader, PolicySource } from "./cache-policy";
import { textHash } from "./operation-cache";

/** What a request that may be cached carries through its run: its key, what it reads, and the write generation it began at. */
export interface CacheCandidate {
  key: string;
  reads: ReadSet;
  since: number;
}

/** A request context that may carry a candidate (context.ts). */
export interface CandidateContext extends BaseContext {
  cacheCandidate: CacheCandidate | null;
}

interface Entry {
  key: string;
  body: Buffer;
  policy: CachePolicy;
  keys: string[];
  /** Surrogate-Key and Cache-Tag values; null when the keys would be too long for a header. */
  surrogateKey: string | null;
  cacheTag: string | null;
  expires: number;
  size: number;
}

/**
 * The longest Surrogate-Key (and Cache-Tag) an answer carries: Varnish's default limit for one
 * header line is 8 KB, and Cloudflare and Fastly take 16 KB of tags. An answer whose keys are
 * longer (a deep page of many comments) carries none, and HTTP caches keep it for its max-age only.
 */
export const MAX_KEY_HEADER_LENGTH = 4_000;

/** Bytes an entry costs besides its body and key text: the map slots and its place under each key. */
const ENTRY_OVERHEAD = 256;
const PER_KEY_OVERHEAD = 64;

/** Write keys remembered for reads in flight; past this the memory starts over and reads in flight are not stored. */
const MAX_REMEMBERED_WRITES = 50_000;

/** The longest document text a key is made of; longer ones are not cached. */
const MAX_DOCUMENT_LENGTH = 100_000;

/** How long a purge request may take before it is given up. */
export const PURGE_TIMEOUT_MS = 2_000;

const SIMPLE_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

/**
 * Apollo's CSRF prevention (csrfPrevention, on by default): a request is served only when a browser
 * would have preflighted it, or it names the operation in a header. A hit is answered only where
 * Apollo would answer.
 */
function preflighted(headers: IncomingHttpHeaders): boolean {
  const type = headers["content-type"];
  if (type !== undefined) {
    const semicolon = type.indexOf(";");
    const essence = (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase();
    if (!SIMPLE_CONTENT_TYPES.includes(essence)) return true;
  }
  return Boolean(headers["x-apollo-operation-name"]) || Boolean(headers["apollo-require-preflight"]);
}

/** The cache key of an operation, or null when it is not one the cache takes. */
function operationKey(query: unknown, operationName: unknown, variables: unknown): string | null {
  if (typeof query !== "string" || query.length > MAX_DOCUMENT_LENGTH) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return null;
  if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) return null;
  return `${operationName ?? ""}\u0000${JSON.stringify(variables ?? {})}\u0000${query}`;
}

const INVALID = Symbol("invalid");

/** A GET parameter holding JSON: undefined when absent or blank. */
function jsonParam(text: string | null): unknown {
  if (text === null || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

/**
 * What names the document: its text, or an automatic persisted query's hash, with or without the
 * text (so the request that brings the text runs, and Apollo registers the hash for the requests
 * that send it alone). Text sent with a hash it does not match is Apollo's to refuse, never a hit;
 * any other extension is not cached.
 */
function documentOf(query: unknown, extensions: unknown): unknown {
  if (extensions === undefined || extensions === null) return query;
  if (typeof extensions !== "object" || Array.isArray(extensions)) return null;
  const { persistedQuery, ...others } = extensions as Record<string, unknown>;
  if (Object.keys(others).length > 0 || typeof persistedQuery !== "object" || persistedQuery === null) return null;
  const hash = (persistedQuery as { sha256Hash?: unknown }).sha256Hash;
  if (typeof hash !== "string") return null;
  if (query === undefined || query === null) return `\u0001${hash}`;
  return typeof query === "string" && textHash(query) === hash ? `\u0001${hash}` : null;
}

/** The key of a GET or JSON POST of an anonymous operation, or null. */
function requestKey(req: IncomingMessage & { body?: unknown }): string | null {
  const authorization = req.headers.authorization;
  if (authorization !== undefined && authorization !== "") return null;
  if (req.method === "POST") {
    const body = req.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
    const { query, operationName, variables, extensions } = body as Record<string, unknown>;
    return operationKey(documentOf(query, extensions), operationName, variables);
  }
  if (req.method === "GET") {
    const url = req.url ?? "";
    const mark = url.indexOf("?");
    if (mark === -1) return null;
    const params = new URLSearchParams(url.slice(mark + 1));
    const variables = jsonParam(params.get("variables"));
    const extensions = jsonParam(params.get("extensions"));
    if (variables === INVALID || extensions === INVALID) return null;
    return operationKey(documentOf(params.get("query") ?? undefined, extensions), params.get("operationName"), variables);
  }
  return null;
}

/** Sends a write's keys to CACHE_PURGE_URL; never waits for, nor fails, the write. */
export class Purger {
  private failing = false;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = PURGE_TIMEOUT_MS,
  ) {}

  /**
   * POST to the URL with the keys space-separated in Surrogate-Key, comma-separated in Cache-Tag,
   * and as JSON in the body ({"keys": [...]}). A failure is logged once, and again only after a
   * purge has succeeded since.
   */
  purge(keys: string[]): void {
    fetch(this.url, {
      method: "POST",
      headers: { "surrogate-key": keys.join(" "), "cache-tag": keys.join(","), "content-type": "application/json" },
      body: JSON.stringify({ keys }),
      signal: AbortSignal.timeout(this.timeoutMs),
    })
      .then(async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        if (this.failing) console.error("[threadline] CACHE_PURGE_URL answers again; purges are sent");
        this.failing = false;
      })
      .catch((error: unknown) => {
        if (!this.failing)
          console.error(`[threadline] CACHE_PURGE_URL: a purge failed (${(error as Error).message}); later failures are not logged until one succeeds`);
        this.failing = true;
      });
  }
}

export interface ResponseCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  stored: number;
  evicted: number;
  dropped: number;
}

export class ResponseCache {
  /** In use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private readonly byKey = new Map<string, Set<Entry>>();
  private bytes = 0;
  private readonly maxBytes: number;
  /** Counts writes; a read remembers the count it began at. */
  private generation = 0;
  /** Names this instance's writes on the bus, so that their echo is not applied a second time. */
  private readonly origin = randomUUID();
  /** The generation of the last write of each key, for reads in flight. */
  private readonly writtenAt = new Map<string, number>();
  /** Reads that began before this generation are not stored (the memory of writes started over). */
  private forgottenBefore = 0;
  private readonly pending = new WeakMap<IncomingMessage, string>();
  private readonly purger: Purger | null;
  private readonly listeners = new Set<(keys: string[]) => void>();
  private readonly stats = { hits: 0, stored: 0, evicted: 0, dropped: 0 };

  constructor(
    settings: ResponseCacheSettings,
    private readonly policies: PolicySource,
    private readonly production: boolean,
  ) {
    this.maxBytes = settings.megabytes * 1024 * 1024;
    this.purger = settings.purgeUrl ? new Purger(settings.purgeUrl) : null;
  }

  /** Whether answers are kept. */
  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** Whether anonymous reads record what they read: to be kept, or to tell HTTP caches their keys. */
  get recording(): boolean {
    return this.enabled || this.purger !== null;
  }

  statistics(): ResponseCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, ...this.stats };
  }

  /**
   * Answers the request from the cache when it holds the answer (true: the response is sent). On
   * a miss, remembers the request's key for candidateFor.
   */
  serve(req: IncomingMessage & { body?: unknown }, res: ServerResponse): boolean {
    if (!this.recording) return false;
    const key = requestKey(req);
    if (key === null) return false;
    const entry = this.enabled ? this.entries.get(key) : undefined;
    if (entry === undefined || !preflighted(req.headers)) {
      this.pending.set(req, key);
      return false;
    }
    if (entry.expires <= Date.now()) {
      this.remove(entry);
      this.pending.set(req, key);
      return false;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.stats.hits += 1;
    const cacheControl = cacheControlHeader({ method: req.method, credentialed: false, hasErrors: false, policy: entry.policy });
    res.statusCode = 200;
    res.setHeader("content-type", "application/json; charset=utf-8");
    res.setHeader("cache-control", cacheControl);
    if (cacheControl.startsWith("public")) res.setHeader("vary", "Authorization");
    if (entry.surrogateKey !== null) {
      res.setHeader("surrogate-key", entry.surrogateKey);
      res.setHeader("cache-tag", entry.cacheTag!);
    }
    res.setHeader("x-cache", "HIT");
    res.setHeader("content-length", entry.body.length);
    res.end(entry.body);
    return true;
  }

  /** What an anonymous request that missed records as it runs; null when it is not one to keep or tag. */
  candidateFor(req: IncomingMessage): CacheCandidate | null {
    const key = this.pending.get(req);
    if (key === undefined) return null;
    this.pending.delete(req);
    return { key, reads: new ReadSet(), since: this.generation };
  }

  /** Keeps answers that may be kept, and names their keys in Surrogate-Key and Cache-Tag. */
  plugin<TContext extends CandidateContext>(): ApolloServerPlugin<TContext> {
    return {
      requestDidStart: async () => ({
        willSendResponse: async ({ contextValue, request, response, document }) => {
          const candidate = contextValue.cacheCandidate;
          if (!candidate || !document || !request.http || response.body.kind !== "single") return;
          const { data, errors } = response.body.singleResult;
          if ((errors && errors.length > 0) || data === null || data === undefined) return;
          if (response.http.status !== undefined && response.http.status !== 200) return;
          const policy = this.policies.policyFor(document, request.operationName);
          if (policy.maxAge <= 0 || policy.scope !== "PUBLIC") return;
          const keys = candidate.reads.keys();
          const surrogateKey = keys.join(" ");
          const fits = surrogateKey.length <= MAX_KEY_HEADER_LENGTH;
          if (fits) {
            response.http.headers.set("surrogate-key", surrogateKey);
            response.http.headers.set("cache-tag", keys.join(","));
          }
          if (!this.enabled) return;
          response.http.headers.set("x-cache", "MISS");
          if (!this.stillFresh(candidate, keys)) return;
          const json = JSON.stringify(data);
          const body = Buffer.from(this.production ? `{"data":${json}}` : `{"data":${json},"extensions":{"sqlQueries":0}}`, "utf8");
          this.store({
            key: candidate.key,
            body,
            policy,
            keys,
            surrogateKey: fits ? surrogateKey : null,
            cacheTag: fits ? keys.join(",") : null,
            expires: Date.now() + policy.maxAge * 1000,
            size: body.length + candidate.key.length * 2 + keys.length * PER_KEY_OVERHEAD + ENTRY_OVERHEAD,
          });
        },
      }),
    };
  }

  /**
   * Drops every entry that read any of `keys` (ALL_KEY: every entry), and keeps reads in flight
   * that read any of them from being stored.
   */
  written(keys: readonly string[]): void {
    this.generation += 1;
    for (const key of keys) {
      if (key === ALL_KEY) {
        this.stats.dropped += this.entries.size;
        this.entries.clear();
        this.byKey.clear();
        this.bytes = 0;
        this.writtenAt.clear();
        this.forgottenBefore = this.generation;
        break;
      }
      this.writtenAt.set(key, this.generation);
      const readers = this.byKey.get(key);
      if (readers === undefined) continue;
      for (const entry of [...readers]) {
        this.remove(entry);
        this.stats.dropped += 1;
      }
    }
    if (this.writtenAt.size > MAX_REMEMBERED_WRITES) {
      this.writtenAt.clear();
      this.forgottenBefore = this.generation;
    }
    for (const listener of this.listeners) listener([...keys]);
  }

  /** Calls `listener` with the keys of every write this cache applies, from this instance or the bus. */
  onWritten(listener: (keys: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The bus this instance's writers publish on: a write's keys are applied here before they are
   * published (so the next read on this instance sees the write), and purged at CACHE_PURGE_URL.
   */
  watch(events: CommentEvents): CommentEvents {
    const publish = events.publish.bind(events) as (topic: string, payload: unknown) => void;
    return {
      publish: ((topic: string, payload: unknown) => {
        if (topic === WRITTEN_TOPIC) {
          const { keys } = payload as WrittenEvent;
          this.written(keys);
          this.purger?.purge(keys);
          return publish(topic, { ...(payload as WrittenEvent), origin: this.origin });
        }
        publish(topic, payload);
      }) as CommentEvents["publish"],
      subscribe: events.subscribe.bind(events),
    };
  }

  /** Applies the writes of every instance as the bus brings them; returns what stops it. */
  follow(events: CommentEvents): () => void {
    if (!this.enabled) return () => undefined;
    const written = events.subscribe(WRITTEN_TOPIC)[Symbol.asyncIterator]();
    void (async () => {
      for (;;) {
        const next = await written.next();
        if (next.done) return;
        // This instance's own writes were applied as they were published (watch): applied again
        // when the bus brings them back, they would drop what was read and cached in between.
        if (next.value.origin !== this.origin) this.written(next.value.keys);
      }
    })().catch((error: unknown) => console.error("[threadline] the response cache stopped following writes:", error));
    return () => void written.return?.();
  }

  private stillFresh(candidate: CacheCandidate, keys: string[]): boolean {
    if (candidate.since < this.forgottenBefore) return false;
    if (candidate.since === this.generation) return true;
    return keys.every((key) => (this.writtenAt.get(key) ?? 0) <= candidate.since);
  }

  private store(entry: Entry): void {
    if (entry.size > this.maxBytes) return;
    const old = this.entries.get(entry.key);
    if (old) this.remove(old);
    this.entries.set(entry.key, entry);
    this.bytes += entry.size;
    for (const key of entry.keys) {
      const readers = this.byKey.get(key);
      if (readers) readers.add(entry);
      else this.byKey.set(key, new Set([entry]));
    }
    this.stats.stored += 1;
    for (const oldest of this.entries.values()) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest);
      this.stats.evicted += 1;
    }
  }

  private remove(entry: Entry): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    this.bytes -= entry.size;
    for (const key of entry.keys) {
      const readers = this.byKey.get(key);
      if (!readers) continue;
      readers.delete(entry);
      if (readers.size === 0) this.byKey.delete(key);
    }
  }
}
