/**
 * The abuse limits while Redis is away: writes neither fail nor go unlimited. Each instance counts
 * in its own memory until Redis is back.
 */
import { redisSuite, redisUrl } from "../helpers/redis";
import { AbuseLimitStore, createAbuseLimits } from "../../src/abuse/abuse-limits";
import { DEFAULT_ABUSE_LIMITS } from "../../src/config";
import { RedisUnavailableError } from "../../src/events/create-events";
import { createServer, ThreadlineServer } from "../../src/server";
import { renderDump } from "../../src/ingest/render-dump";
import { openTestDatabase, TestDatabase } from "../helpers/databases";
import { IMPORT_DUMP, uniqueArticle } from "../helpers/discussion";
import { POST, readerToken } from "../helpers/readers";
import { httpGql, listen } from "../helpers/subscriptions";
import { startTcpProxy, TcpProxy } from "../helpers/tcp-proxy";
import { createLocalEvents } from "../../src/events/comment-events";
import { testConfig, TEST_TOKEN } from "../helpers/test-server";
import { captureConsole, CapturedConsole } from "../helpers/console";

const REDIS_URL = new URL(redisUrl());
const describeWithRedis = redisSuite(false);

describeWithRedis(`abuse limits during a Redis outage`, () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let limits: AbuseLimitStore;
  let server: ThreadlineServer;
  let host: string;
  // The outage is announced on the console (once per outage): kept, and checked, instead of printed.
  let logged: CapturedConsole;

  beforeAll(async () => {
    logged = captureConsole("error");
    db = await openTestDatabase("sqlite");
    proxy = await startTcpProxy(REDIS_URL.hostname, Number(REDIS_URL.port || 6379));
    const redisUrl = `redis://127.0.0.1:${proxy.port}`;
    const settings = { ...DEFAULT_ABUSE_LIMITS, commentsPerMinute: 2 };
    limits = await createAbuseLimits(settings, redisUrl, `threadline-test:${Date.now()}-${process.pid}`);
    server = await createServer(testConfig({ database: db.config, redisUrl, abuseLimits: settings }), db.dataSource, createLocalEvents(), {
      limits: limits.limits,
    });
    host = await listen(server.httpServer);
  });
  afterAll(async () => {
    await server.stop();
    await limits.close();
    await proxy.close();
    await db.close();
    logged.restore();
    expect(logged.lines().filter((line) => !line.startsWith("[threadline] Redis (rate limits) unreachable:"))).toEqual([]);
  });

  it("counts in memory while Redis is unreachable: writes are taken, and the limit still holds", async () => {
    const story: string = (await httpGql(host, IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN)).data!.importDump.article.id;
    const reader = await readerToken({ sub: "outage-reader", name: "Otto" });
    const post = (body: string) => httpGql(host, POST, { articleId: story, body }, reader);
    expect((await post("before the outage")).errors).toBeUndefined();

    await proxy.cut();
    // Every write while Redis is away is taken (none fails), counted from 0 in this instance's memory.
    expect((await post("during the outage 1")).errors).toBeUndefined();
    expect((await post("during the outage 2")).errors).toBeUndefined();
    const over = await post("one too many");
    expect(over.errors?.[0].extensions).toMatchObject({ code: "RATE_LIMITED", limit: "COMMENTS" });
    await proxy.restore();
  });

  it("refuses to start when Redis does not answer", async () => {
    await expect(createAbuseLimits(DEFAULT_ABUSE_LIMITS, "redis://127.0.0.1:1")).rejects.toThrow(RedisUnavailableError);
  });
});
