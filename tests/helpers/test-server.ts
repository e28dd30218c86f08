import { resolve } from "node:path";
import type { Clock } from "../../src/clock";
import { Config, DEFAULT_BOUNDS, DEFAULT_CLIENT_SETTINGS, NO_ABUSE_LIMITS, parseGraphqlExecutor } from "../../src/config";
import { CommentEvents, createLocalEvents } from "../../src/events/comment-events";
import { withQueryTally } from "../../src/db/query-counter";
import { collectDumpFiles, importFiles } from "../../src/ingest/import-files";
import { createServer, ThreadlineServer } from "../../src/server";
import { openTestDatabase, TestDatabase } from "./databases";
import { listen } from "./subscriptions";

export const SEEDS_DIR = resolve(__dirname, "../../seeds");
export const TEST_TOKEN = "test-token-0123456789";
/** The HS256 secret every test server accepts readers' tokens under (see tests/helpers/readers.ts). */
export const TEST_JWT_SECRET = "test-jwt-secret-0123456789-abcdefghij";

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
  extensions?: Record<string, unknown>;
}

export interface TestServer {
  db: TestDatabase;
  server: ThreadlineServer;
  config: Config;
  /** Runs an operation through the real Apollo server, as an HTTP request would. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: GqlOptions): Promise<GqlResult<T>>;
  /** Like gql, and fails the test on any error. */
  data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: GqlOptions): Promise<T>;
  close(): Promise<void>;
}

/** How a test operation presents itself: the bearer token, and the client address it comes from (none by default). */
export interface GqlOptions {
  token?: string | null;
  address?: string;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    database: { type: "sqlite", path: ":memory:" },
    apiToken: TEST_TOKEN,
    apiTokenGenerated: false,
    production: false,
    redisUrl: null,
    shutdownGraceSeconds: 10,
    maxConcurrentOperations: 2,
    maxQueuedOperations: 100,
    // Off, like the abuse limits: cases that send in bursts are not about it; tests/server/admission sets it.
    maxQueuedPerClient: 0,
    responseDrainSeconds: 30,
    statementTimeoutSeconds: 5,
    jwtSecret: TEST_JWT_SECRET,
    jwksUrl: null,
    jwtMaxAgeSeconds: 86_400,
    editWindowSeconds: 900,
    moderation: "POST",
    autoHoldFlags: 3,
    premoderateLinks: false,
    // Off: cases that post in bursts are not about the limits; tests/abuse sets them.
    abuseLimits: NO_ABUSE_LIMITS,
    ...DEFAULT_BOUNDS,
    // GRAPHQL_EXECUTOR=graphql-js npm test runs every test server on the card's stack alone.
    graphqlExecutor: parseGraphqlExecutor(process.env.GRAPHQL_EXECUTOR),
    clients: DEFAULT_CLIENT_SETTINGS,
    ...overrides,
  };
}

/** A whole server on a fresh database, seeded from seeds/ unless told otherwise. */
export async function startTestServer(
  engine: "sqlite" | "postgres",
  options: {
    seed?: boolean;
    production?: boolean;
    webRoot?: string;
    events?: CommentEvents;
    clock?: Clock;
    config?: Partial<Config>;
    /** Treat the JWT secret as the development one `npm start` made itself, which serves the development sign-in. */
    developmentSignIn?: boolean;
    sitemapUrlsPerFile?: number;
    /** A SQLite file instead of a scratch one, for cases that close the database and open it again. */
    sqlitePath?: string;
  } = {},
): Promise<TestServer> {
  const db = await openTestDatabase(engine, options.sqlitePath);
  if (options.seed !== false) {
    const summary = await importFiles(db.dataSource, await collectDumpFiles([SEEDS_DIR]));
    if (summary.rejected > 0) throw new Error(`seeds rejected: ${JSON.stringify(summary.outcomes.filter((o) => o.error))}`);
  }
  const config = testConfig({ ...options.config, database: db.config, production: options.production ?? false });
  const server = await createServer(config, db.dataSource, options.events ?? createLocalEvents(), {
    webRoot: options.webRoot,
    clock: options.clock,
    developmentJwtSecret: options.developmentSignIn && config.jwtSecret !== null ? config.jwtSecret : undefined,
    sitemapUrlsPerFile: options.sitemapUrlsPerFile,
  });
  const gql: TestServer["gql"] = async (query, variables, opts = {}) => {
    const token = opts.token === undefined ? null : opts.token;
    const tally = { count: 0 };
    const response = await withQueryTally(tally, async () =>
      server.apollo.executeOperation({ query, variables }, { contextValue: await server.context(token ? `Bearer ${token}` : undefined, tally, opts.address) }),
    );
    if (response.body.kind !== "single") throw new Error("unexpected incremental response");
    // Through JSON, as a client would see it (dates become ISO strings).
    return JSON.parse(JSON.stringify(response.body.singleResult)) as GqlResult<any>;
  };
  return {
    db,
    server,
    config,
    gql,
    async data(query, variables, opts) {
      const result = await gql(query, variables, opts);
      if (result.errors) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
      return result.data as any;
    },
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

/** Starts the test server's HTTP listener on a free port of 127.0.0.1 (`listen`); answers its /graphql URL. */
export async function graphqlUrl(t: TestServer): Promise<string> {
  return `http://${await listen(t.server.httpServer)}/graphql`;
}
