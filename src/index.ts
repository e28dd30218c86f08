import "reflect-metadata";
import { AddressInfo } from "node:net";
import { join } from "node:path";
import { Config, ConfigError, loadConfig, redact } from "./config";
import { openDataSource } from "./db/data-source";
import { createEvents } from "./events/create-events";
import { createAbuseLimits } from "./abuse/abuse-limits";
import { seedIfEmpty } from "./ingest/import-files";
import { createServer, GRAPHQL_PATH } from "./server";
import { dataFolder, keptDevelopmentJwtSecret, keptDevelopmentToken, portIsFree, projectRoot } from "./startup";
import { GRAPHIQL_PATH } from "./http/reader-app.routes";

/** How often a long seed import reports how far it got. */
const PROGRESS_EVERY_MS = 2_000;

function say(line: string): void {
  console.log(`threadline: ${line}`);
}

/** Bootstrap only: config -> port check -> database -> seed-if-empty -> listen. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`threadline: bad setting ${error.message}`);
      process.exit(2);
    }
    throw error;
  }

  // Before anything slow: a second `npm start` should hear at once that the first one runs.
  if (!(await portIsFree(config.port))) {
    console.error(`threadline: PORT ${config.port} is already in use (another Threadline?); stop it or set PORT to a free port`);
    process.exit(1);
  }

  let tokenNote = "";
  if (config.apiTokenGenerated && !config.production) {
    const kept = await keptDevelopmentToken(dataFolder(config.database));
    config = { ...config, apiToken: kept.token };
    tokenNote = kept.created ? `made now and kept in ${kept.file} (mode 0600)` : `kept in ${kept.file}`;
  }
  // The reader app's development sign-in signs readers' tokens with JWT_SECRET: outside production
  // one is kept beside the token, so `npm start` offers it with no setup and its tokens outlive a restart.
  // Only that secret, never a JWT_SECRET the operator supplied, serves the development sign-in.
  let secretNote = "";
  let developmentJwtSecret: string | undefined;
  if (config.jwtSecret === null && !config.production) {
    const kept = await keptDevelopmentJwtSecret(dataFolder(config.database));
    config = { ...config, jwtSecret: kept.token };
    developmentJwtSecret = kept.token;
    secretNote = kept.created ? `made now and kept in ${kept.file} (mode 0600)` : `kept in ${kept.file}`;
  }

  const where = config.database.type === "postgres" ? redact(config.database.url) : `sqlite:${config.database.path}`;
  say(`opening the database at ${where} and bringing its schema up to date…`);
  const db = await openDataSource(config.database, {
    statementTimeoutMs: config.statementTimeoutSeconds * 1000,
    statementCache: config.graphqlExecutor === "jit",
  }).catch((error: Error) => {
    console.error(`threadline: cannot open the database at ${where}: ${error.message}`);
    process.exit(1);
  });

  // Redis first: a wrong REDIS_URL should stop the start before minutes of seeding, not after.
  const events = await createEvents(config.redisUrl).catch((error: Error) => {
    console.error(`threadline: ${error.message}`);
    process.exit(1);
  });
  // Rate-limit counters: in Redis too when it is there, so every instance counts against the same ones.
  const limits = await createAbuseLimits(config.abuseLimits, config.redisUrl).catch((error: Error) => {
    console.error(`threadline: ${error.message}`);
    process.exit(1);
  });

  const root = projectRoot(__dirname);
  let lastReport = Date.now();
  const seeded = await seedIfEmpty(db, join(root, "seeds"), {
    onStart: (files) => say(`the database is empty: importing ${files} dumps from seeds/…`),
    onProgress: (done, total) => {
      if (done < total && Date.now() - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = Date.now();
        say(`  ${done} of ${total} dumps imported`);
      }
    },
  });
  if (seeded) {
    say(`imported ${seeded.imported} dumps from seeds/, ${seeded.rejected} rejected`);
    for (const outcome of seeded.outcomes) if (outcome.error) console.log(`  rejected ${outcome.error}`);
  }

  const server = await createServer(config, db, events.bus, {
    // Redis down is a degraded service, not a dead one: events wait in the outbox, limits count in memory.
    ...(config.redisUrl ? { degradableChecks: { redis: events.ping } } : {}),
    webRoot: join(root, "dist", "web"),
    limits: limits.limits,
    developmentJwtSecret,
  });
  await new Promise<void>((listening, failed) => {
    server.httpServer.once("error", failed);
    server.httpServer.listen(config.port, listening);
  }).catch((error: NodeJS.ErrnoException) => {
    const reason = error.code === "EADDRINUSE" ? "it was taken while the database was prepared" : error.message;
    console.error(`threadline: cannot listen on PORT ${config.port}: ${reason}`);
    process.exit(1);
  });

  const base = `http://localhost:${(server.httpServer.address() as AddressInfo).port}`;
  say(`reader app at ${base}/`);
  say(`GraphQL at ${base}${GRAPHQL_PATH} (database ${where})`);
  if (!config.production) {
    say(`explorers: Apollo Sandbox at ${base}${GRAPHQL_PATH} (online), GraphiQL at ${base}${GRAPHIQL_PATH} (works offline)`);
  }
  if (secretNote) say(`JWT_SECRET is not set; readers' tokens are signed with a development secret (${secretNote}); sign in as a reader at ${base}/`);
  else if (config.jwtSecret !== null && !config.production)
    say("JWT_SECRET is set, so the reader app's development sign-in is off: readers sign in through the host site");
  if (config.apiTokenGenerated) {
    if (tokenNote) say(`API_TOKEN is not set; write operations take this development token (${tokenNote}):\n  Authorization: Bearer ${config.apiToken}`);
    else say(`API_TOKEN was not set; write operations take this token until restart:\n  Authorization: Bearer ${config.apiToken}`);
  }

  const shutdown = async (signal: string) => {
    say(`${signal}: finishing running requests (up to ${config.shutdownGraceSeconds} s), then stopping`);
    await server.stop();
    await events.close();
    await limits.close();
    await db.destroy();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error) => {
  console.error("threadline: failed to start:", error);
  process.exit(1);
});
