/** Two Threadline instances on one PostgreSQL schema, with their events and rate-limit counters in Redis. */
import { randomBytes } from "node:crypto";
import { AbuseLimitStore, createAbuseLimits } from "../../src/abuse/abuse-limits";
import { AbuseLimitSettings, Config, DEFAULT_ABUSE_LIMITS } from "../../src/config";
import { Database, openDataSource } from "../../src/db/data-source";
import { createEvents, EventBus } from "../../src/events/create-events";
import { createServer, ThreadlineServer } from "../../src/server";
import { openTestDatabase, TestDatabase } from "./databases";
import { listen } from "./subscriptions";
import { testConfig } from "./test-server";

export interface Instance {
  server: ThreadlineServer;
  events: EventBus;
  limits: AbuseLimitStore;
  dataSource: Database;
  /** "host:port" it listens on. */
  host: string;
}

export interface InstancePair {
  db: TestDatabase;
  a: Instance;
  b: Instance;
  close(): Promise<void>;
}

export async function startInstancePair(redisUrl: string, abuseLimits: Partial<AbuseLimitSettings> = {}, config: Partial<Config> = {}): Promise<InstancePair> {
  const db = await openTestDatabase("postgres");
  // The second instance opens its own pool on the first one's schema, as a second process would.
  const schema = (db.dataSource.options as { schema?: string }).schema;
  const secondSource = await openDataSource(db.config, { pgSchema: schema });
  // Counters under a prefix of this pair's own, so runs sharing the Redis do not count each other's writes.
  const limitPrefix = `threadline-test:${randomBytes(6).toString("hex")}`;
  const settings = { ...DEFAULT_ABUSE_LIMITS, ...abuseLimits };
  const start = async (dataSource: Database): Promise<Instance> => {
    const events = await createEvents(redisUrl);
    const limits = await createAbuseLimits(settings, redisUrl, limitPrefix);
    const server = await createServer(testConfig({ ...config, database: db.config, redisUrl, abuseLimits: settings }), dataSource, events.bus, {
      limits: limits.limits,
    });
    return { server, events, limits, dataSource, host: await listen(server.httpServer) };
  };
  const a = await start(db.dataSource);
  const b = await start(secondSource);
  return {
    db,
    a,
    b,
    async close() {
      for (const instance of [a, b]) {
        await instance.server.stop();
        await instance.events.close();
        await instance.limits.close();
      }
      await secondSource.destroy();
      await db.close();
    },
  };
}
