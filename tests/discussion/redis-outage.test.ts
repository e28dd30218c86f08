/**
 * Redis between instances goes away and comes back: events posted meanwhile are held and
 * delivered, /health says Redis is degraded while it is (still 200: the database serves), and a
 * server cannot start without it.
 */
import { redisSuite, redisUrl } from "../helpers/redis";
import { Client } from "graphql-ws";
import { createEvents, EventBus, RedisUnavailableError } from "../../src/events/create-events";
import { createServer, ThreadlineServer } from "../../src/server";
import { renderDump } from "../../src/ingest/render-dump";
import { ADD_COMMENT, IMPORT_DUMP, uniqueArticle } from "../helpers/discussion";
import { openTestDatabase, TestDatabase } from "../helpers/databases";
import { eventually, httpGql, listen, probe, wsClient } from "../helpers/subscriptions";
import { startTcpProxy, TcpProxy } from "../helpers/tcp-proxy";
import { testConfig, TEST_TOKEN } from "../helpers/test-server";
import { captureConsole, CapturedConsole } from "../helpers/console";

const REDIS_URL = new URL(redisUrl());
const describeWithRedis = redisSuite(false);

const COMMENT_ADDED = `subscription($id: ID!) { commentAdded(articleId: $id) { body } }`;

describeWithRedis(`a Redis outage`, () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let events: EventBus;
  let server: ThreadlineServer;
  let host: string;
  const clients: Client[] = [];
  // Every case here takes Redis away: the server's lines about it are expected, and kept for the cases to read.
  let log: CapturedConsole;

  beforeAll(async () => {
    log = captureConsole("error");
    db = await openTestDatabase("sqlite");
    proxy = await startTcpProxy(REDIS_URL.hostname, Number(REDIS_URL.port || 6379));
    const redisUrl = `redis://127.0.0.1:${proxy.port}`;
    events = await createEvents(redisUrl, { capacity: 100, maxAgeMs: 30_000, firstRetryMs: 50, maxRetryMs: 200 });
    server = await createServer(testConfig({ database: db.config, redisUrl }), db.dataSource, events.bus, { degradableChecks: { redis: events.ping } });
    host = await listen(server.httpServer);
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await server.stop();
    await events.close();
    await proxy.close();
    await db.close();
    log.restore();
  });

  it("holds comments posted while Redis is down and delivers them in order once it is back", async () => {
    const imported = await httpGql(host, IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN);
    const story: string = imported.data!.importDump.article.id;
    const client = wsClient(host);
    clients.push(client);
    const sub = probe(client, COMMENT_ADDED, { id: story });
    await httpGql(host, ADD_COMMENT, { articleId: story, body: "before" }, TEST_TOKEN);
    expect(await sub.next()).toMatchObject({ kind: "next", result: { data: { commentAdded: { body: "before" } } } });

    expect(await (await fetch(`http://${host}/health`)).json()).toEqual({ ok: true, checks: { database: "ok", writer: "ok", redis: "ok" } });
    await proxy.cut();
    // Degraded, not down: the database serves, so the instance stays in rotation (200).
    const health = async () => {
      const response = await fetch(`http://${host}/health`);
      return { status: response.status, body: (await response.json()) as { ok: boolean; checks: Record<string, string>; degraded?: Record<string, string> } };
    };
    await eventually(async () => (await health()).body.checks.redis === "degraded", "/health to report Redis degraded");
    const during = await health();
    expect(during).toMatchObject({ status: 200, body: { ok: true, checks: { database: "ok", redis: "degraded" } } });
    expect(during.body.degraded?.redis).toEqual(expect.any(String));

    for (const body of ["during 1", "during 2", "during 3"]) {
      const posted = await httpGql(host, ADD_COMMENT, { articleId: story, body }, TEST_TOKEN);
      expect(posted.errors).toBeUndefined();
    }
    // Held: a publish failed and the outbox said so, once.
    const holding = (line: string) => /^\[threadline\] Redis publish failed \(.*\); holding live events until it is back$/.test(line);
    await eventually(async () => log.lines().some(holding), "the outbox to hold the events");
    await proxy.restore();

    for (const body of ["during 1", "during 2", "during 3"]) {
      expect(await sub.next(10_000)).toMatchObject({ kind: "next", result: { data: { commentAdded: { body } } } });
    }
    expect(events.lostEvents()).toBe(0);
    await eventually(async () => (await health()).body.checks.redis === "ok", "/health to report Redis back");
    // The line follows the last publish's reply, which can reach this instance after the subscriber
    // has the message: the two travel on different connections.
    const back = "[threadline] Redis is back; held live events delivered";
    await eventually(async () => log.lines().includes(back), "the outbox to say the held events went out");
    expect(log.lines().filter(holding)).toHaveLength(1);
    expect(log.lines().filter((line) => line === back)).toHaveLength(1);
  });

  it("counts events it had to give up on", async () => {
    const tiny = await createEvents(`redis://127.0.0.1:${proxy.port}`, { capacity: 2, maxAgeMs: 30_000, firstRetryMs: 50, maxRetryMs: 100 });
    try {
      await proxy.cut();
      for (let i = 0; i < 5; i++) tiny.bus.publish("commentAdded:1", { commentId: i, articleId: 1, comment: {} });
      await eventually(async () => tiny.lostEvents() === 3, "three events to be counted lost");
      expect(log.lines()).toContain("[threadline] lost 1 live event(s) while Redis was unreachable (the outbox is full); 3 lost since start");
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
