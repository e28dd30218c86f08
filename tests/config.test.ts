import { ConfigError, loadConfig } from "../src/config";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      database: { type: "sqlite", path: "data/threadline.sqlite" },
      production: false,
      redisUrl: null,
      apiTokenGenerated: true,
      shutdownGraceSeconds: 10,
      maxConcurrentOperations: 4,
      maxQueuedOperations: 100,
      maxQueuedPerClient: 4,
      responseDrainSeconds: 30,
      statementTimeoutSeconds: 5,
      jwtSecret: null,
      jwksUrl: null,
      editWindowSeconds: 900,
      moderation: "POST",
      autoHoldFlags: 3,
      premoderateLinks: false,
      abuseLimits: { addressPerMinute: 60, commentsPerMinute: 5, reactionsPerMinute: 30, flagsPerMinute: 10, duplicateCommentSeconds: 600 },
      graphqlExecutor: "jit",
      maxThreadDepth: 50,
      requestTimeoutSeconds: 10,
      maxResponseMb: 20,
      jwtMaxAgeSeconds: 86400,
      clients: { trustProxy: null, socketsPerAddress: 50, subscriptionsPerAddress: 200 },
      embed: { origins: [], createArticles: false },
      responseCache: { megabytes: 64, purgeUrl: null },
    });
    expect(config.apiToken.length).toBeGreaterThanOrEqual(24);
    expect(loadConfig({}).apiToken).not.toBe(config.apiToken);
  });

  it("runs more operations at once on PostgreSQL than on SQLite unless told otherwise (MAX_CONCURRENT_OPERATIONS)", () => {
    const postgres = "postgres://user@db.internal:5432/threadline";
    expect(loadConfig({ DATABASE_URL: "sqlite:data/x.sqlite" }).maxConcurrentOperations).toBe(4);
    expect(loadConfig({ DATABASE_URL: postgres }).maxConcurrentOperations).toBe(8);
    expect(loadConfig({ DATABASE_URL: postgres, MAX_CONCURRENT_OPERATIONS: "3" }).maxConcurrentOperations).toBe(3);
    expect(loadConfig({ DATABASE_URL: postgres, MAX_CONCURRENT_OPERATIONS: "0" }).maxConcurrentOperations).toBe(0);
  });

  it("reads every variable", () => {
    expect(
      loadConfig({
        PORT: "8080",
        DATABASE_URL: "postgres://user:secret@db.internal:5432/threadline",
        API_TOKEN: "s3cret-token",
        NODE_ENV: "production",
        REDIS_URL: "redis://127.0.0.1:6379",
        SHUTDOWN_GRACE_SECONDS: "30",
        MAX_CONCURRENT_OPERATIONS: "8",
        MAX_QUEUED_OPERATIONS: "0",
        MAX_QUEUED_PER_CLIENT: "2",
        RESPONSE_DRAIN_SECONDS: "5",
        STATEMENT_TIMEOUT_SECONDS: "2",
        JWT_SECRET: "a-host-site-secret-of-32-characters",
        JWKS_URL: "https://id.example.com/.well-known/jwks.json",
        EDIT_WINDOW_SECONDS: "300",
        MODERATION: "pre",
        AUTO_HOLD_FLAGS: "5",
        PREMODERATE_LINKS: "true",
        ADDRESS_RATE_PER_MINUTE: "120",
        COMMENT_RATE_PER_MINUTE: "0",
        REACTION_RATE_PER_MINUTE: "40",
        FLAG_RATE_PER_MINUTE: "3",
        DUPLICATE_COMMENT_SECONDS: "0",
        GRAPHQL_EXECUTOR: "graphql-js",
        MAX_THREAD_DEPTH: "8",
        REQUEST_TIMEOUT_SECONDS: "0",
        MAX_RESPONSE_MB: "5",
        JWT_MAX_AGE_SECONDS: "3600",
        TRUST_PROXY: "loopback, 10.0.0.0/8,2001:db8::1",
        SOCKETS_PER_ADDRESS: "500",
        SUBSCRIPTIONS_PER_ADDRESS: "1000",
        EMBED_ORIGINS: "https://news.example.com",
        EMBED_CREATE_ARTICLES: "true",
        RESPONSE_CACHE_MB: "0",
        CACHE_PURGE_URL: "http://varnish.internal:6081/purge",
      }),
    ).toEqual({
      port: 8080,
      database: { type: "postgres", url: "postgres://user:secret@db.internal:5432/threadline" },
      apiToken: "s3cret-token",
      apiTokenGenerated: false,
      production: true,
      redisUrl: "redis://127.0.0.1:6379",
      shutdownGraceSeconds: 30,
      maxConcurrentOperations: 8,
      maxQueuedOperations: 0,
      maxQueuedPerClient: 2,
      responseDrainSeconds: 5,
      statementTimeoutSeconds: 2,
      jwtSecret: "a-host-site-secret-of-32-characters",
      jwksUrl: "https://id.example.com/.well-known/jwks.json",
      editWindowSeconds: 300,
      moderation: "PRE",
      autoHoldFlags: 5,
      premoderateLinks: true,
      abuseLimits: { addressPerMinute: 120, commentsPerMinute: 0, reactionsPerMinute: 40, flagsPerMinute: 3, duplicateCommentSeconds: 0 },
      graphqlExecutor: "graphql-js",
      maxThreadDepth: 8,
      requestTimeoutSeconds: 0,
      maxResponseMb: 5,
      jwtMaxAgeSeconds: 3600,
      clients: { trustProxy: ["loopback", "10.0.0.0/8", "2001:db8::1"], socketsPerAddress: 500, subscriptionsPerAddress: 1000 },
      embed: { origins: ["https://news.example.com"], createArticles: true },
      responseCache: { megabytes: 0, purgeUrl: "http://varnish.internal:6081/purge" },
    });
    // A hop count, as express takes it; 0 trusts no proxy.
    expect(loadConfig({ TRUST_PROXY: "2" }).clients.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "0" }).clients.trustProxy).toBeNull();
    expect(loadConfig({ DATABASE_URL: "sqlite::memory:" }).database).toEqual({ type: "sqlite", path: ":memory:" });
  });

  it.each([
    [{ PORT: "70000" }, "PORT: port 70000 is out of range (0 to 65535)"],
    [{ PORT: "http" }, `PORT: expected a whole number from 0 to 65535, got "http"`],
    [{ DATABASE_URL: "mysql://localhost/x" }, `DATABASE_URL: "mysql://localhost/x" is neither postgres://... nor sqlite:PATH`],
    [{ DATABASE_URL: "postgres://user:pw@/x" }, `DATABASE_URL: "postgres://user:***@/x" is not a valid postgres:// URL`],
    [{ DATABASE_URL: "sqlite:" }, `DATABASE_URL: "sqlite:" names no file; use sqlite:PATH or sqlite::memory:`],
    [{ NODE_ENV: "prod" }, `NODE_ENV: expected production, development or test, got "prod"`],
    [{ API_TOKEN: "short" }, "API_TOKEN: must be at least 8 characters with no whitespace"],
    [{ REDIS_URL: "http://x" }, `REDIS_URL: expected redis:// or rediss://, got "http:"`],
    [{ STATEMENT_TIMEOUT_SECONDS: "1.5" }, `STATEMENT_TIMEOUT_SECONDS: expected a whole number of seconds from 0 to 600, got "1.5"`],
    [{ GRAPHQL_EXECUTOR: "fast" }, `GRAPHQL_EXECUTOR: expected jit or graphql-js, got "fast"`],
    [{ PREMODERATE_LINKS: "sometimes" }, `PREMODERATE_LINKS: expected true or false, got "sometimes"`],
    [{ MAX_THREAD_DEPTH: "0" }, `MAX_THREAD_DEPTH: expected a whole number of levels from 1 to 1000, got "0"`],
    [{ REQUEST_TIMEOUT_SECONDS: "ten" }, `REQUEST_TIMEOUT_SECONDS: expected a whole number of seconds from 0 to 600, got "ten"`],
    [{ MAX_RESPONSE_MB: "2048" }, `MAX_RESPONSE_MB: expected a whole number of MiB from 0 to 1024, got "2048"`],
    [{ RESPONSE_CACHE_MB: "64MB" }, `RESPONSE_CACHE_MB: expected a whole number of MiB from 0 to 65536, got "64MB"`],
    [{ CACHE_PURGE_URL: "varnish:6081" }, `CACHE_PURGE_URL: expected http:// or https://, got "varnish:"`],
    [{ CACHE_PURGE_URL: "not a url" }, `CACHE_PURGE_URL: "not a url" is not a valid URL`],
    [{ COMMENT_RATE_PER_MINUTE: "five" }, `COMMENT_RATE_PER_MINUTE: expected a whole number of writes a minute from 0 (no limit) to 100000, got "five"`],
    [{ ADDRESS_RATE_PER_MINUTE: "1000000" }, `ADDRESS_RATE_PER_MINUTE: expected a whole number of writes a minute from 0 (no limit) to 100000, got "1000000"`],
    [{ SHUTDOWN_GRACE_SECONDS: "-1" }, `SHUTDOWN_GRACE_SECONDS: expected a whole number of seconds from 0 to 600, got "-1"`],
    [{ JWT_SECRET: "too-short" }, "JWT_SECRET: must be at least 32 characters (HS256 needs a 256-bit key), got 9"],
    [{ JWKS_URL: "not a url" }, `JWKS_URL: "not a url" is not a valid URL`],
    [{ JWKS_URL: "ftp://keys.example.com/jwks" }, `JWKS_URL: expected https:// (or http://), got "ftp:"`],
    [{ EDIT_WINDOW_SECONDS: "15m" }, `EDIT_WINDOW_SECONDS: expected a whole number of seconds from 0 to 31536000, got "15m"`],
    [{ MODERATION: "sometimes" }, `MODERATION: expected pre or post, got "sometimes"`],
    [{ AUTO_HOLD_FLAGS: "0" }, `AUTO_HOLD_FLAGS: expected a whole number of flags from 1 to 1000, got "0"`],
    [{ MAX_CONCURRENT_OPERATIONS: "two" }, `MAX_CONCURRENT_OPERATIONS: expected a whole number of operations from 0 to 10000, got "two"`],
    [{ MAX_QUEUED_OPERATIONS: "-1" }, `MAX_QUEUED_OPERATIONS: expected a whole number of operations from 0 to 100000, got "-1"`],
    [{ JWT_MAX_AGE_SECONDS: "1d" }, `JWT_MAX_AGE_SECONDS: expected a whole number of seconds from 60 to 31536000, got "1d"`],
    [
      { TRUST_PROXY: "nginx" },
      "TRUST_PROXY: invalid IP address: nginx; expected a hop count, or addresses, CIDRs and loopback, linklocal or uniquelocal, separated by commas",
    ],
    [
      { TRUST_PROXY: "10.0.0.0/33" },
      "TRUST_PROXY: invalid range on address: 10.0.0.0/33; expected a hop count, or addresses, CIDRs and loopback, linklocal or uniquelocal, separated by commas",
    ],
    [{ TRUST_PROXY: "true" }, `TRUST_PROXY: "true" would believe any client's X-Forwarded-For; give the number of proxies in front, or their addresses`],
    [{ TRUST_PROXY: "99" }, "TRUST_PROXY: a hop count must be from 0 to 32, got 99"],
    [{ SOCKETS_PER_ADDRESS: "0" }, `SOCKETS_PER_ADDRESS: expected a whole number of sockets from 1 to 100000, got "0"`],
    [{ SUBSCRIPTIONS_PER_ADDRESS: "many" }, `SUBSCRIPTIONS_PER_ADDRESS: expected a whole number of subscriptions from 1 to 1000000, got "many"`],
    [{ MAX_QUEUED_PER_CLIENT: "four" }, `MAX_QUEUED_PER_CLIENT: expected a whole number of operations from 0 to 100000, got "four"`],
    [{ RESPONSE_DRAIN_SECONDS: "30s" }, `RESPONSE_DRAIN_SECONDS: expected a whole number of seconds from 0 to 600, got "30s"`],
    [{ EMBED_ORIGINS: "news.example.com" }, `EMBED_ORIGINS: "news.example.com" is not an origin like https://news.example.com`],
    [
      { EMBED_ORIGINS: "https://news.example.com/articles" },
      `EMBED_ORIGINS: "https://news.example.com/articles" is not an origin: write scheme://host[:port] only, like https://news.example.com`,
    ],
    [{ EMBED_ORIGINS: "ftp://news.example.com" }, `EMBED_ORIGINS: "ftp://news.example.com": expected https:// (or http://), got "ftp:"`],
    [{ EMBED_ORIGINS: "*" }, `EMBED_ORIGINS: "*" would let any site frame the comments and create articles; list the origins`],
    [{ EMBED_CREATE_ARTICLES: "yes" }, `EMBED_CREATE_ARTICLES: expected true or false, got "yes"`],
    [{ EMBED_CREATE_ARTICLES: "true" }, "EMBED_CREATE_ARTICLES: is true but EMBED_ORIGINS lists no origin whose pages could be created"],
  ])("names the variable in the error for %j", (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message.split(":")[0], message.slice(message.indexOf(":") + 2)));
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe("EMBED_ORIGINS", () => {
  it("reads origins as browsers send them: lower case, no default port, no trailing slash, each once", () => {
    expect(
      loadConfig({ EMBED_ORIGINS: " https://News.Example.com/ , http://localhost:8080,https://news.example.com", EMBED_CREATE_ARTICLES: "TRUE" }).embed,
    ).toEqual({
      origins: ["https://news.example.com", "http://localhost:8080"],
      createArticles: true,
    });
    expect(() => loadConfig({ EMBED_ORIGINS: "https://news.example.com:443" })).toThrow("like https://news.example.com");
  });
});
