import "reflect-metadata";
import { resolve } from "node:path";
import { ConfigError, loadConfig, redact } from "./config";
import { openDataSource } from "./db/data-source";
import { createEvents } from "./events/create-events";
import { seedIfEmpty } from "./ingest/import-files";
import { createServer, GRAPHQL_PATH } from "./server";
import { GRAPHIQL_PATH } from "./web/reader-app.routes";

/** Bootstrap only: config -> database -> seed-if-empty -> listen. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`threadline: bad setting ${error.message}`);
      process.exit(2);
    }
    throw error;
  }

  const where = config.database.type === "postgres" ? redact(config.database.url) : `sqlite:${config.database.path}`;
  const db = await openDataSource(config.database, { statementTimeoutMs: config.statementTimeoutSeconds * 1000 }).catch((error: Error) => {
    console.error(`threadline: cannot open the database at ${where}: ${error.message}`);
    process.exit(1);
  });

  // Redis first: a wrong REDIS_URL should stop the start before minutes of seeding, not after.
  const events = await createEvents(config.redisUrl).catch((error: Error) => {
    console.error(`threadline: ${error.message}`);
    process.exit(1);
  });

  const seeded = await seedIfEmpty(db, resolve(__dirname, "../../seeds"));
  if (seeded) {
    console.log(`threadline: empty database: imported ${seeded.imported} dumps from seeds/, ${seeded.rejected} rejected`);
    for (const outcome of seeded.outcomes) if (outcome.error) console.log(`  rejected ${outcome.error}`);
  }

  const server = await createServer(config, db, events.bus, {
    ...(config.redisUrl ? { healthChecks: { redis: events.ping } } : {}),
    webRoot: resolve(__dirname, "../web"),
  });
  await new Promise<void>((listening, failed) => {
    server.httpServer.once("error", failed);
    server.httpServer.listen(config.port, listening);
  }).catch((error: Error) => {
    console.error(`threadline: cannot listen on PORT ${config.port}: ${error.message}`);
    process.exit(1);
  });

  console.log(`threadline: reader app at http://localhost:${config.port}/`);
  console.log(`threadline: GraphQL at http://localhost:${config.port}${GRAPHQL_PATH} (database ${where})`);
  if (!config.production) {
    console.log(
      `threadline: explorers: Apollo Sandbox at http://localhost:${config.port}${GRAPHQL_PATH} (online), ` +
        `GraphiQL at http://localhost:${config.port}${GRAPHIQL_PATH} (works offline)`,
    );
  }
  if (config.apiTokenGenerated) {
    console.log(`threadline: API_TOKEN was not set; write operations take this token until restart:\n  Authorization: Bearer ${config.apiToken}`);
  }

  const shutdown = async (signal: string) => {
    console.log(`threadline: ${signal}: finishing running requests (up to ${config.shutdownGraceSeconds} s), then stopping`);
    await server.stop();
    await events.close();
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
