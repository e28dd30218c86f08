/**
 * Redis between instances goes away and comes back: events posted meanwhile are held and
 * delivered, /health says Redis is down while it is, and a server cannot start without it.
 */
import { Client } from "graphql-ws";
import { createEvents, EventBus, RedisUnavailableError } from "../../src/events/create-events";
import { createServer, ThreadlineServer } from "../../src/server";
import { renderDump } from "../../src/ingest/render-dump";
import { ADD_COMMENT, IMPORT_DUMP, uniqueArticle } from "../helpers/discussion";
import { openTestDatabase, TestDatabase } from "../helpers/databases";
import { eventually, httpGql, listen, probe, wsClient } from "../helpers/subscriptions";
import { startTcpProxy, TcpProxy } from "../helpers/tcp-proxy";
import { testConfig, TEST_TOKEN } from "../helpers/test-server";

const REDIS_URL = new URL(process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379");
const describeWithRedis = process.env.TEST_DATABASE_URL ? describe : describe.skip;
const skipReason = process.env.TEST_DATABASE_URL ? "" : " (skipped: TEST_DATABASE_URL is not set, so Redis may not be either)";

const COMMENT_ADDED = `subscription($id: ID!) { commentAdded(articleId: $id) { body } }`;

describeWithRedis(`a Redis outage${skipReason}`, () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let events: EventBus;
  let server: ThreadlineServer;
  let host: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    db = await openTestDatabase("sqlite");
    proxy = await startTcpProxy(REDIS_URL.hostname, Number(REDIS_URL.port || 6379));
    const redisUrl = `redis://127.0.0.1:${proxy.port}`;
    events = await createEvents(redisUrl, { capacity: 100, maxAgeMs: 30_000, firstRetryMs: 50, maxRetryMs: 200 });
    server = await createServer(testConfig({ database: db.config, redisUrl }), db.dataSource, events.bus, { healthChecks: { redis: events.ping } });
    host = await listen(server.httpServer);
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await server.stop();
    await events.close();
    await proxy.close();
    await db.close();
  });

  it("holds comments posted while Redis is down and delivers them in order once it is back", async () => {
    const imported = await httpGql(host, IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN);
    const story: string = imported.data!.importDump.article.id;
    const client = wsClient(host);
    clients.push(client);
    const sub = probe(client, COMMENT_ADDED, { id: story });
    await httpGql(host, ADD_COMMENT, { articleId: story, body: "before" }, TEST_TOKEN);
    expect(await sub.next()).toMatchObject({ kind: "next", result: { data: { commentAdded: { body: "before" } } } });

    await proxy.cut();
    await eventually(async () => (await fetch(`http://${host}/health`)).status === 503, "/health to report Redis down");
    const health = (await (await fetch(`http://${host}/health`)).json()) as { checks: Record<string, string> };
    expect(health.checks.database).toBe("ok");
    expect(health.checks.redis).not.toBe("ok");

    for (const body of ["during 1", "during 2", "during 3"]) {
      const posted = await httpGql(host, ADD_COMMENT, { articleId: story, body }, TEST_TOKEN);
      expect(posted.errors).toBeUndefined();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await proxy.restore();

    for (const body of ["during 1", "during 2", "during 3"]) {
      expect(await sub.next(10_000)).toMatchObject({ kind: "next", result: { data: { commentAdded: { body } } } });
    }
    expect(events.lostEvents()).toBe(0);
    await eventually(async () => (await fetch(`http://${host}/health`)).status === 200, "/health to report Redis back");
  });

  it("counts events it had to give up on", async () => {
    const tiny = await createEvents(`redis://127.0.0.1:${proxy.port}`, { capacity: 2, maxAgeMs: 30_000, firstRetryMs: 50, maxRetryMs: 100 });
    try {
      await proxy.cut();
      for (let i = 0; i < 5; i++) tiny.bus.publish("commentAdded:1", { commentId: i, articleId: 1, comment: {} });
      await eventually(async () => tiny.lostEvents() === 3, "three events to be counted lost");
    } finally {
      await proxy.restore();
      await tiny.close();
    }
  });

  it("refuses to start when Redis cannot be reached, with a one-line reason", async () => {
    await proxy.cut();
    try {
      const failure = await createEvents(`redis://127.0.0.1:${proxy.port}`).then(
        () => null,
        (error: Error) => error,
      );
      expect(failure).toBeInstanceOf(RedisUnavailableError);
      expect(failure!.message).toMatch(/^REDIS_URL: cannot connect: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    } finally {
      await proxy.restore();
    }
  });
});
