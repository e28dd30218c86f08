/**
 * Failure that operators and clients can see: /health checks the database, an outage is HTTP 503
 * with a code to retry on, and a stopping server finishes the requests it has started.
 */
import { DataSource } from "typeorm";
import { startTestServer, TestServer } from "../helpers/test-server";
import { engines } from "../helpers/databases";
import { listen } from "../helpers/subscriptions";
import { startTcpProxy, TcpProxy } from "../helpers/tcp-proxy";
import { Database, openDataSource } from "../../src/db/data-source";
import { createServer, ThreadlineServer } from "../../src/server";
import { createLocalEvents } from "../../src/events/comment-events";
import { testConfig } from "../helpers/test-server";

type Body = any;

const CHEAP = { query: "{ articles(first: 2) { totalCount nodes { title } } }" };

async function post(url: string, body: unknown): Promise<{ status: number; body: Body; retryAfter: string | null }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json(), retryAfter: response.headers.get("retry-after") };
}

/** Makes every statement wait `ms` first, as a slow or distant database would; returns the undo. */
function slowStatements(dataSource: DataSource, ms: number): () => void {
  const driver = dataSource.driver as any;
  const original = driver.createQueryRunner.bind(driver);
  const patched = new Set<{ query: unknown }>();
  driver.createQueryRunner = (mode: unknown) => {
    const runner = original(mode);
    if (!patched.has(runner)) {
      const query = runner.query.bind(runner);
      runner.query = async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return query(...args);
      };
      runner.unpatched = query;
      patched.add(runner);
    }
    return runner;
  };
  return () => {
    driver.createQueryRunner = original;

    for (const runner of patched as Set<any>) runner.query = runner.unpatched;
  };
}

describe.each(engines)("failure on %s", (engine) => {
  let t: TestServer;
  let base: string;
  beforeEach(async () => {
    t = await startTestServer(engine, { production: true });
    base = `http://${await listen(t.server.httpServer)}`;
  });
  afterEach(async () => {
    if (!t.db.dataSource.isInitialized) await t.db.dataSource.initialize();
    await t.close();
  });

  it("reports a reachable database on /health, and a lost one as 503; queries then get 503 SERVICE_UNAVAILABLE", async () => {
    const healthy = await fetch(`${base}/health`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ ok: true, checks: { database: "ok", writer: "ok" } });

    await t.db.dataSource.destroy();
    const sick = await fetch(`${base}/health`);
    expect(sick.status).toBe(503);
    const report: Body = await sick.json();
    expect(report.ok).toBe(false);
    expect(report.checks.database).not.toBe("ok");
    expect(report.checks.writer).not.toBe("ok");

    const answer = await post(`${base}/graphql`, CHEAP);
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe("5");
    expect(answer.body.errors[0].extensions).toEqual({ code: "SERVICE_UNAVAILABLE", retryAfter: 5 });
    expect(answer.body.errors[0].message).toBe("the database is unavailable; try again shortly");

    await t.db.dataSource.initialize();
    const back = await fetch(`${base}/health`);
    expect(await back.json()).toEqual({ ok: true, checks: { database: "ok", writer: "ok" } });
    expect((await post(`${base}/graphql`, CHEAP)).status).toBe(200);
  });

  it("on stop, lets a running request finish, and turns new ones away", async () => {
    const undo = t.db.dataSource.dataSources().map((dataSource) => slowStatements(dataSource, 400));
    const restore = () => undo.forEach((undoOne) => undoOne());
    try {
      const running = post(`${base}/graphql`, CHEAP);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stopping = t.server.stop();
      const late = await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(CHEAP) }).then(
        (response) => response.status,
        () => "refused",
      );
      expect(late).toBe(503);
      const finished = await running;
      expect(finished.status).toBe(200);
      expect(finished.body.data.articles.nodes).toHaveLength(2);
      await stopping;
    } finally {
      restore();
    }
  });
});

const describeWithPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describeWithPostgres("a PostgreSQL server that goes away and comes back", () => {
  let t: TestServer;
  let proxy: TcpProxy;
  let behindProxy: Database;
  let server: ThreadlineServer;
  let base: string;
  beforeAll(async () => {
    t = await startTestServer("postgres");
    const url = new URL(process.env.TEST_DATABASE_URL!);
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const schema = (t.db.dataSource.options as { schema?: string }).schema!;
    behindProxy = await openDataSource({ type: "postgres", url: url.toString() }, { pgSchema: schema });
    server = await createServer(testConfig({ production: true }), behindProxy, createLocalEvents());
    base = `http://${await listen(server.httpServer)}`;
  });
  afterAll(async () => {
    await server.stop();
    await behindProxy.destroy().catch(() => undefined);
    await proxy.close();
    await t.close();
  });

  it("answers 503 while the database is unreachable and recovers by itself when it returns", async () => {
    expect((await post(`${base}/graphql`, CHEAP)).status).toBe(200);
    await proxy.cut();
    const during = await post(`${base}/graphql`, CHEAP);
    expect(during.status).toBe(503);
    expect(during.body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
    expect((await fetch(`${base}/health`)).status).toBe(503);
    await proxy.restore();
    const after = await post(`${base}/graphql`, CHEAP);
    expect(after.status).toBe(200);
    expect(after.body.data.articles.totalCount).toBeGreaterThan(0);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
