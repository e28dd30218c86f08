import { randomBytes } from "node:crypto";
import proxyaddr from "proxy-addr";

export type DatabaseConfig =
  | { type: "sqlite"; path: string } // path ":memory:" for an in-memory database
  | { type: "postgres"; url: string };

export interface Config {
  port: number;
  database: DatabaseConfig;
  /** Bearer token that write operations require. */
  apiToken: string;
  /** True when API_TOKEN was unset and the token was generated at start. */
  apiTokenGenerated: boolean;
  production: boolean;
  redisUrl: string | null;
  /** How long a stopping server lets running requests finish (SHUTDOWN_GRACE_SECONDS). */
  shutdownGraceSeconds: number;
  /** GraphQL operations over HTTP that run at once; more wait their turn (MAX_CONCURRENT_OPERATIONS; 0: no limit). */
  maxConcurrentOperations: number;
  /**
   * Operations that may wait their turn at once (MAX_QUEUED_OPERATIONS; 0: no bound); one more is
   * refused with HTTP 503 and Retry-After.
   */
  maxQueuedOperations: number;
  /**
   * Operations one client (a reader's `sub`, else its address) may have running or waiting
   * (MAX_QUEUED_PER_CLIENT; 0: no bound); one more is refused with HTTP 429 and Retry-After.
   */
  maxQueuedPerClient: number;
  /** A response the client has not taken within this many seconds of its end closes its connection (RESPONSE_DRAIN_SECONDS; 0: never). */
  responseDrainSeconds: number;
  /** The longest one database statement of a request may run (STATEMENT_TIMEOUT_SECONDS; 0: no limit). */
  statementTimeoutSeconds: number;
  /** HS256 secret that readers' SSO tokens are signed with (JWT_SECRET); null: not accepted. */
  jwtSecret: string | null;
  /** Key set for RS256/ES256 readers' tokens (JWKS_URL); null: not accepted. */
  jwksUrl: string | null;
  /** The longest a reader's token may live from its `iat` (JWT_MAX_AGE_SECONDS). */
  jwtMaxAgeSeconds: number;
  /** How long after posting a reader may still edit or delete their comment (EDIT_WINDOW_SECONDS). */
  editWindowSeconds: number;
  /** Whether comments on articles whose mode was never set wait for a moderator (MODERATION). */
  moderation: ModerationSetting;
  /** Flags that put a published comment on hold (AUTO_HOLD_FLAGS). */
  autoHoldFlags: number;
  /** Whether readers' comments that contain a link wait for a moderator (PREMODERATE_LINKS; text/links.ts says what a link is). */
  premoderateLinks: boolean;
  /** How often readers and client addresses may write (src/abuse/abuse-limits.ts). */
  abuseLimits: AbuseLimitSettings;
  /**
   * How operations run (GRAPHQL_EXECUTOR): "jit", the fast path of src/execution (graphql-jit, the
   * direct POST path, the query lane, SQLite's statement cache, PostgreSQL's named statements);
   * "graphql-js", the card's stack alone.
   */
  graphqlExecutor: GraphqlExecutor;
  /** The deepest a reply may sit (MAX_THREAD_DEPTH): top-level comments are depth 0. */
  maxThreadDepth: number;
  /** How long one operation may execute before it is answered 503 (REQUEST_TIMEOUT_SECONDS; 0: no deadline). */
  requestTimeoutSeconds: number;
  /** The largest answer one operation may build, in MiB (MAX_RESPONSE_MB; 0: no cap). */
  maxResponseMb: number;
  /** Where a client's address comes from, and what one address may hold open (src/http/client-address.ts). */
  clients: ClientSettings;
  /** Which sites may frame the embed (/embed), and whether their unknown pages become articles (src/http/embed.routes.ts). */
  embed: EmbedSettings;
  /** The in-process cache of anonymous answers and the purges sent after writes (src/execution/response-cache.ts). */
  responseCache: ResponseCacheSettings;
}

export interface EmbedSettings {
  /** Origins (scheme://host[:port]) that may frame /embed and receive its messages (EMBED_ORIGINS); none: only Threadline's own pages. */
  origins: string[];
  /** Whether an allowed origin's unknown page becomes an article when its embed first loads (EMBED_CREATE_ARTICLES). */
  createArticles: boolean;
}

export const EMBED_OFF: EmbedSettings = { origins: [], createArticles: false };

export interface ResponseCacheSettings {
  /** Memory for cached anonymous answers, in MiB (RESPONSE_CACHE_MB; 0: no cache). */
  megabytes: number;
  /** Where a purge request naming a write's keys goes after every write (CACHE_PURGE_URL); null: none. */
  purgeUrl: string | null;
}

/** No cache and no purges: what a Config built in code (tests, benchmarks) starts from. */
export const RESPONSE_CACHE_OFF: ResponseCacheSettings = { megabytes: 0, purgeUrl: null };

/**
 * express's `trust proxy` values (TRUST_PROXY): a hop count, or the addresses, CIDRs and names
 * (`loopback`, `linklocal`, `uniquelocal`) of the proxies whose X-Forwarded-For is believed.
 */
export type TrustProxy = number | string[];

export interface ClientSettings {
  /** Null: the client is the TCP peer, and X-Forwarded-For is ignored. */
  trustProxy: TrustProxy | null;
  /** Open WebSockets from one client address (SOCKETS_PER_ADDRESS). */
  socketsPerAddress: number;
  /** Subscriptions from one client address, over all its sockets (SUBSCRIPTIONS_PER_ADDRESS). */
  subscriptionsPerAddress: number;
}

export const DEFAULT_CLIENT_SETTINGS: ClientSettings = { trustProxy: null, socketsPerAddress: 50, subscriptionsPerAddress: 200 };

/** Writes a minute; 0 turns a limit off. */
export interface AbuseLimitSettings {
  /** Writes of any kind from one client address (ADDRESS_RATE_PER_MINUTE). */
  addressPerMinute: number;
  /** Comments by one reader (COMMENT_RATE_PER_MINUTE). */
  commentsPerMinute: number;
  /** Reactions and their withdrawals by one reader (REACTION_RATE_PER_MINUTE). */
  reactionsPerMinute: number;
  /** Flags by one reader (FLAG_RATE_PER_MINUTE). */
  flagsPerMinute: number;
  /** How long one reader's comment body is refused again (DUPLICATE_COMMENT_SECONDS; 0: never). */
  duplicateCommentSeconds: number;
}

export const DEFAULT_ABUSE_LIMITS: AbuseLimitSettings = {
  addressPerMinute: 60,
  commentsPerMinute: 5,
  reactionsPerMinute: 30,
  flagsPerMinute: 10,
  duplicateCommentSeconds: 600,
};

/** Every abuse limit off (for scripts and tests that are not about them). */
export const NO_ABUSE_LIMITS: AbuseLimitSettings = {
  addressPerMinute: 0,
  commentsPerMinute: 0,
  reactionsPerMinute: 0,
  flagsPerMinute: 0,
  duplicateCommentSeconds: 0,
};

export type GraphqlExecutor = "jit" | "graphql-js";

/** GRAPHQL_EXECUTOR: `jit` (the default) or `graphql-js`; see docs/decisions/. */
export function parseGraphqlExecutor(value: string | undefined): GraphqlExecutor {
  if (value === undefined || value.trim() === "") return "jit";
  const executor = value.trim().toLowerCase();
  if (executor !== "jit" && executor !== "graphql-js") throw new ConfigError("GRAPHQL_EXECUTOR", `expected jit or graphql-js, got "${value}"`);
  return executor;
}

/** What one request may ask of the server, when their variables are unset. */
export const DEFAULT_BOUNDS: Pick<Config, "maxThreadDepth" | "requestTimeoutSeconds" | "maxResponseMb"> = {
  maxThreadDepth: 50,
  requestTimeoutSeconds: 10,
  maxResponseMb: 20,
};

export type ModerationSetting = "PRE" | "POST";

/** Readers' settings as they are when none of their variables is set (for scripts that build a Config by hand). */
export const READER_SETTINGS_OFF: Pick<
  Config,
  "jwtSecret" | "jwksUrl" | "jwtMaxAgeSeconds" | "editWindowSeconds" | "moderation" | "autoHoldFlags" | "premoderateLinks" | "clients"
> = {
  jwtSecret: null,
  jwksUrl: null,
  jwtMaxAgeSeconds: 86_400,
  clients: DEFAULT_CLIENT_SETTINGS,
  editWindowSeconds: 900,
  moderation: "POST",
  autoHoldFlags: 3,
  premoderateLinks: false,
};

/** A bad setting: the message names the variable, and the process stops with it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

export const DEFAULT_DATABASE_URL = "sqlite:data/threadline.sqlite";

export function parsePort(value: string | undefined, variable = "PORT"): number {
  if (value === undefined || value.trim() === "") return 4000;
  if (!/^\d+$/.test(value.trim())) throw new ConfigError(variable, `expected a whole number from 0 to 65535, got "${value}"`);
  const port = Number(value);
  if (port > 65535) throw new ConfigError(variable, `port ${port} is out of range (0 to 65535)`);
  return port;
}

export function parseDatabaseUrl(value: string | undefined, variable = "DATABASE_URL"): DatabaseConfig {
  const raw = value === undefined || value.trim() === "" ? DEFAULT_DATABASE_URL : value.trim();
  if (raw.startsWith("sqlite:")) {
    const path = raw.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "") throw new ConfigError(variable, `"${raw}" names no file; use sqlite:PATH or sqlite::memory:`);
    return { type: "sqlite", path };
  }
  if (/^postgres(ql)?:/.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(variable, `"${redact(raw)}" is not a valid postgres:// URL`);
    }
    if (!url.hostname) throw new ConfigError(variable, `"${redact(raw)}" names no host`);
    if (url.pathname.replace(/^\//, "") === "") throw new ConfigError(variable, `"${redact(raw)}" names no database`);
    return { type: "postgres", url: raw };
  }
  throw new ConfigError(variable, `"${redact(raw)}" is neither postgres://... nor sqlite:PATH`);
}

function parseRedisUrl(value: string | undefined): string | null {
  if (value === undefined || value.trim() === "") return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError("REDIS_URL", `"${redact(value)}" is not a valid redis:// URL`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ConfigError("REDIS_URL", `expected redis:// or rediss://, got "${url.protocol}"`);
  }
  return value.trim();
}

function parsePurgeUrl(value: string | undefined): string | null {
  if (value === undefined || value.trim() === "") return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError("CACHE_PURGE_URL", `"${redact(value)}" is not a valid URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError("CACHE_PURGE_URL", `expected http:// or https://, got "${url.protocol}"`);
  }
  return url.toString();
}

function parseNodeEnv(value: string | undefined): boolean {
  const env = (value ?? "development").trim();
  if (!["production", "development", "test", ""].includes(env)) {
    throw new ConfigError("NODE_ENV", `expected production, development or test, got "${value}"`);
  }
  return env === "production";
}

function parseApiToken(value: string | undefined): { apiToken: string; apiTokenGenerated: boolean } {
  if (value === undefined || value === "") {
    return { apiToken: randomBytes(24).toString("base64url"), apiTokenGenerated: true };
  }
  if (/\s/.test(value) || value.length < 8) {
    throw new ConfigError("API_TOKEN", "must be at least 8 characters with no whitespace");
  }
  return { apiToken: value, apiTokenGenerated: false };
}

function parseSeconds(variable: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) > 600) {
    throw new ConfigError(variable, `expected a whole number of seconds from 0 to 600, got "${value}"`);
  }
  return Number(value);
}

/** A shorter secret can be guessed offline from any token signed with it. */
export const MIN_JWT_SECRET_LENGTH = 32;

function parseJwtSecret(value: string | undefined): string | null {
  if (value === undefined || value === "") return null;
  if (value.length < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError("JWT_SECRET", `must be at least ${MIN_JWT_SECRET_LENGTH} characters (HS256 needs a 256-bit key), got ${value.length}`);
  }
  return value;
}

function parseJwksUrl(value: string | undefined): string | null {
  if (value === undefined || value.trim() === "") return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError("JWKS_URL", `"${redact(value)}" is not a valid URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError("JWKS_URL", `expected https:// (or http://), got "${url.protocol}"`);
  }
  return url.toString();
}

function parseWholeNumber(variable: string, value: string | undefined, fallback: number, min: number, max: number, unit: string): number {
  if (value === undefined || value.trim() === "") return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(variable, `expected a whole number of ${unit} from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}

const MAX_RATE_PER_MINUTE = 100_000;

function parseRate(variable: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) > MAX_RATE_PER_MINUTE) {
    throw new ConfigError(variable, `expected a whole number of writes a minute from 0 (no limit) to ${MAX_RATE_PER_MINUTE}, got "${value}"`);
  }
  return Number(value);
}

function parseModeration(value: string | undefined): ModerationSetting {
  if (value === undefined || value.trim() === "") return "POST";
  const mode = value.trim().toLowerCase();
  if (mode !== "pre" && mode !== "post") throw new ConfigError("MODERATION", `expected pre or post, got "${value}"`);
  return mode === "pre" ? "PRE" : "POST";
}

/** A switch: true or false (also 1/0, yes/no, on/off), unset as `fallback`. */
function parseOnOff(variable: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === "") return fallback;
  const given = value.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(given)) return true;
  if (["false", "0", "no", "off"].includes(given)) return false;
  throw new ConfigError(variable, `expected true or false, got "${value}"`);
}

function parseAbuseLimits(env: Env): AbuseLimitSettings {
  return {
    addressPerMinute: parseRate("ADDRESS_RATE_PER_MINUTE", env.ADDRESS_RATE_PER_MINUTE, DEFAULT_ABUSE_LIMITS.addressPerMinute),
    commentsPerMinute: parseRate("COMMENT_RATE_PER_MINUTE", env.COMMENT_RATE_PER_MINUTE, DEFAULT_ABUSE_LIMITS.commentsPerMinute),
    reactionsPerMinute: parseRate("REACTION_RATE_PER_MINUTE", env.REACTION_RATE_PER_MINUTE, DEFAULT_ABUSE_LIMITS.reactionsPerMinute),
    flagsPerMinute: parseRate("FLAG_RATE_PER_MINUTE", env.FLAG_RATE_PER_MINUTE, DEFAULT_ABUSE_LIMITS.flagsPerMinute),
    duplicateCommentSeconds: parseWholeNumber(
      "DUPLICATE_COMMENT_SECONDS",
      env.DUPLICATE_COMMENT_SECONDS,
      DEFAULT_ABUSE_LIMITS.duplicateCommentSeconds,
      0,
      86_400,
      "seconds",
    ),
  };
}

/** The most proxies a request may pass through that TRUST_PROXY can name by count. */
const MAX_PROXY_HOPS = 32;

/** TRUST_PROXY, parsed by proxy-addr (express's own parser for `trust proxy`), so both read it alike. */
function parseTrustProxy(value: string | undefined): TrustProxy | null {
  if (value === undefined || value.trim() === "") return null;
  const raw = value.trim();
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > MAX_PROXY_HOPS) throw new ConfigError("TRUST_PROXY", `a hop count must be from 0 to ${MAX_PROXY_HOPS}, got ${raw}`);
    return hops === 0 ? null : hops;
  }
  if (raw.toLowerCase() === "true") {
    throw new ConfigError("TRUST_PROXY", `"true" would believe any client's X-Forwarded-For; give the number of proxies in front, or their addresses`);
  }
  const list = raw.split(",").map((entry) => entry.trim());
  try {
    proxyaddr.compile(list);
  } catch (error) {
    throw new ConfigError(
      "TRUST_PROXY",
      `${(error as Error).message}; expected a hop count, or addresses, CIDRs and loopback, linklocal or uniquelocal, separated by commas`,
    );
  }
  return list;
}

function parseClients(env: Env): ClientSettings {
  return {
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    socketsPerAddress: parseWholeNumber("SOCKETS_PER_ADDRESS", env.SOCKETS_PER_ADDRESS, DEFAULT_CLIENT_SETTINGS.socketsPerAddress, 1, 100_000, "sockets"),
    subscriptionsPerAddress: parseWholeNumber(
      "SUBSCRIPTIONS_PER_ADDRESS",
      env.SUBSCRIPTIONS_PER_ADDRESS,
      DEFAULT_CLIENT_SETTINGS.subscriptionsPerAddress,
      1,
      1_000_000,
      "subscriptions",
    ),
  };
}

/** EMBED_ORIGINS: origins separated by commas, each written as browsers send it (no path, no trailing slash). */
export function parseEmbedOrigins(value: string | undefined): string[] {
  if (value === undefined || value.trim() === "") return [];
  const origins: string[] = [];
  for (const entry of value.split(",").map((part) => part.trim())) {
    if (entry === "") continue;
    if (entry === "*") throw new ConfigError("EMBED_ORIGINS", `"*" would let any site frame the comments and create articles; list the origins`);
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError("EMBED_ORIGINS", `"${entry}" is not an origin like https://news.example.com`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new ConfigError("EMBED_ORIGINS", `"${entry}": expected https:// (or http://), got "${url.protocol}"`);
    if (url.origin !== entry.replace(/\/$/, "").toLowerCase() || url.pathname !== "/" || url.search !== "" || url.hash !== "") {
      throw new ConfigError("EMBED_ORIGINS", `"${entry}" is not an origin: write scheme://host[:port] only, like ${url.origin}`);
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
}

function parseBoolean(variable: string, value: string | undefined): boolean {
  if (value === undefined || value.trim() === "") return false;
  const flag = value.trim().toLowerCase();
  if (flag !== "true" && flag !== "false") throw new ConfigError(variable, `expected true or false, got "${value}"`);
  return flag === "true";
}

function parseEmbed(env: Env): EmbedSettings {
  const settings = { origins: parseEmbedOrigins(env.EMBED_ORIGINS), createArticles: parseBoolean("EMBED_CREATE_ARTICLES", env.EMBED_CREATE_ARTICLES) };
  if (settings.createArticles && settings.origins.length === 0) {
    throw new ConfigError("EMBED_CREATE_ARTICLES", "is true but EMBED_ORIGINS lists no origin whose pages could be created");
  }
  return settings;
}

/** Hides a password in a URL before it goes into an error message or a log. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

/**
 * MAX_CONCURRENT_OPERATIONS when it is not set, by engine. Heavy reads run 2 at a time whatever it
 * is (HEAVY_READS_AT_ONCE, http/admission.ts). SQLite's reads are CPU on the one JavaScript
 * thread and its 4 worker threads, where a few at a time finish soonest; PostgreSQL's wait on the
 * network for most of their time, so more run at once, within node-postgres's pool of 10
 * connections (docs/benchmarks.md, Admission).
 */
export const DEFAULT_CONCURRENT_OPERATIONS: Record<DatabaseConfig["type"], number> = { sqlite: 4, postgres: 8 };

export function loadConfig(env: Env = process.env): Config {
  const database = parseDatabaseUrl(env.DATABASE_URL);
  return {
    port: parsePort(env.PORT),
    database,
    ...parseApiToken(env.API_TOKEN),
    production: parseNodeEnv(env.NODE_ENV),
    redisUrl: parseRedisUrl(env.REDIS_URL),
    shutdownGraceSeconds: parseSeconds("SHUTDOWN_GRACE_SECONDS", env.SHUTDOWN_GRACE_SECONDS, 10),
    maxConcurrentOperations: parseWholeNumber(
      "MAX_CONCURRENT_OPERATIONS",
      env.MAX_CONCURRENT_OPERATIONS,
      DEFAULT_CONCURRENT_OPERATIONS[database.type],
      0,
      10_000,
      "operations",
    ),
    maxQueuedOperations: parseWholeNumber("MAX_QUEUED_OPERATIONS", env.MAX_QUEUED_OPERATIONS, 100, 0, 100_000, "operations"),
    maxQueuedPerClient: parseWholeNumber("MAX_QUEUED_PER_CLIENT", env.MAX_QUEUED_PER_CLIENT, 4, 0, 100_000, "operations"),
    responseDrainSeconds: parseSeconds("RESPONSE_DRAIN_SECONDS", env.RESPONSE_DRAIN_SECONDS, 30),
    statementTimeoutSeconds: parseSeconds("STATEMENT_TIMEOUT_SECONDS", env.STATEMENT_TIMEOUT_SECONDS, 5),
    jwtSecret: parseJwtSecret(env.JWT_SECRET),
    jwksUrl: parseJwksUrl(env.JWKS_URL),
    jwtMaxAgeSeconds: parseWholeNumber("JWT_MAX_AGE_SECONDS", env.JWT_MAX_AGE_SECONDS, 86_400, 60, 31_536_000, "seconds"),
    editWindowSeconds: parseWholeNumber("EDIT_WINDOW_SECONDS", env.EDIT_WINDOW_SECONDS, 900, 0, 31_536_000, "seconds"),
    moderation: parseModeration(env.MODERATION),
    autoHoldFlags: parseWholeNumber("AUTO_HOLD_FLAGS", env.AUTO_HOLD_FLAGS, 3, 1, 1000, "flags"),
    premoderateLinks: parseOnOff("PREMODERATE_LINKS", env.PREMODERATE_LINKS, false),
    abuseLimits: parseAbuseLimits(env),
    graphqlExecutor: parseGraphqlExecutor(env.GRAPHQL_EXECUTOR),
    maxThreadDepth: parseWholeNumber("MAX_THREAD_DEPTH", env.MAX_THREAD_DEPTH, DEFAULT_BOUNDS.maxThreadDepth, 1, 1000, "levels"),
    requestTimeoutSeconds: parseSeconds("REQUEST_TIMEOUT_SECONDS", env.REQUEST_TIMEOUT_SECONDS, DEFAULT_BOUNDS.requestTimeoutSeconds),
    maxResponseMb: parseWholeNumber("MAX_RESPONSE_MB", env.MAX_RESPONSE_MB, DEFAULT_BOUNDS.maxResponseMb, 0, 1024, "MiB"),
    clients: parseClients(env),
    embed: parseEmbed(env),
    responseCache: {
      megabytes: parseWholeNumber("RESPONSE_CACHE_MB", env.RESPONSE_CACHE_MB, 64, 0, 65_536, "MiB"),
      purgeUrl: parsePurgeUrl(env.CACHE_PURGE_URL),
    },
  };
}
