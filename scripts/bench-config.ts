import {
  Config,
  DatabaseConfig,
  DEFAULT_ABUSE_LIMITS,
  DEFAULT_BOUNDS,
  EMBED_OFF,
  parseGraphqlExecutor,
  READER_SETTINGS_OFF,
  RESPONSE_CACHE_OFF,
} from "../src/config";

/**
 * The settings an in-process benchmark server runs with: nothing waits its turn, no statement
 * timeout, no readers' sign-in, the default limits on what one request may ask, and the executor
 * GRAPHQL_EXECUTOR names (so a benchmark compares jit and graphql-js by that variable alone).
 */
export function benchConfig(database: DatabaseConfig, apiToken = "bench-token"): Config {
  return {
    port: 0,
    database,
    apiToken,
    apiTokenGenerated: false,
    production: false,
    redisUrl: null,
    shutdownGraceSeconds: 0,
    maxConcurrentOperations: 0,
    maxQueuedOperations: 0,
    maxQueuedPerClient: 0,
    responseDrainSeconds: 0,
    statementTimeoutSeconds: 0,
    ...READER_SETTINGS_OFF,
    ...DEFAULT_BOUNDS,
    graphqlExecutor: parseGraphqlExecutor(process.env.GRAPHQL_EXECUTOR),
    abuseLimits: DEFAULT_ABUSE_LIMITS,
    embed: EMBED_OFF,
    responseCache: RESPONSE_CACHE_OFF,
  };
}
