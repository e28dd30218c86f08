/** Two Threadline instances on one PostgreSQL schema, with their events going through Redis. */
import { Database, openDataSource } from "../../src/db/data-source";
import { createEvents, EventBus } from "../../src/events/create-events";
import { createServer, ThreadlineServer } from "../../src/server";
import { openTestDatabase, TestDatabase } from "./databases";
import { listen } from "./subscriptions";
import { testConfig } from "./test-server";

export interface Instance {
  server: ThreadlineServer;
  events: EventBus;
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

export async function startInstancePair(redisUrl: string): Promise<InstancePair> {
  const db = await openTestDatabase("postgres");
  // The second instance opens its own pool on the first one's schema, as a second process would.
  const schema = (db.dataSource.options as { schema?: string }).schema;
  const secondSource = await openDataSource(db.config, { pgSchema: schema });
  const start = async (dataSource: Database): Promise<Instance> => {
    const events = await createEvents(redisUrl);
    const server = await createServer(testConfig({ database: db.config, redisUrl }), dataSource, events.bus);
    return { server, events, dataSource, host: await listen(server.httpServer) };
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
      }
      await secondSource.destroy();
      await db.close();
    },
  };
}
