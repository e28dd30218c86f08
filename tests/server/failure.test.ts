/**
 * Failure that operators and clients can see: /health checks the database, an outage is HTTP 503
 * with a code to retry on, and a stopping server finishes the requests it has started.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataSource } from "typeorm";
import { startTestServer, TestServer } from "../helpers/test-server";
import { beforeEachStatement } from "../helpers/statements";
import { engines } from "../helpers/databases";
import { listen } from "../helpers/subscriptions";
import { startTcpProxy, TcpProxy } from "../helpers/tcp-proxy";
import { Database, openDataSource } from "../../src/db/data-source";
import { createServer, ThreadlineServer } from "../../src/server";
import { createLocalEvents } from "../../src/events/comment-events";
import { testConfig } from "../helpers/test-server";
import { captureConsole, captureStderr } from "../helpers/console";

type Body = any;

const CHEAP = { query: "{ articles(first: 2) { totalCount nodes { title } } }" };

async function post(url: string, body: unknown): Promise<{ status: number; body: Body; retryAfter: string | null }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json(), retryAfter: response.headers.get("retry-after") };
}

/**
 * Holds every statement at a gate, as a slow or distant database would, until `release()`;
 * `reached` resolves when the first statement arrives there (a request is running).
 */
function holdStatements(dataSource: DataSource): { reached: Promise<void>; release: () => void; undo: () => void } {
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const restore = beforeEachStatement(dataSource, async () => {
    arrived();
    await released;
  });
  const undo = () => {
    release();
    restore();
  };
  return { reached, release, undo };
}

describe.each(engines)("failure on %s", (engine) => {
  let t: TestServer;
  let base: string;
  let work: string;
  beforeEach(async () => {
    // A file, not a scratch database: the case that loses the database opens the same one again.
    work = mkdtempSync(join(tmpdir(), "threadline-failure-"));
    t = await startTestServer(engine, { production: true, sqlitePath: join(work, "db.sqlite") });
    base = `http://${await listen(t.server.httpServer)}`;
  });
  afterEach(async () => {
    if (!t.db.dataSource.isInitialized) await t.db.dataSource.initialize();
    await t.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("reports a reachable database on /health, and a lost one as 503; queries then get 503 SERVICE_UNAVAILABLE", async () => {
    const healthy = await fetch(`${base}/health`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ ok: true, checks: { database: "ok", writer: "ok" } });

    const log = captureConsole("error");
    // The statements that meet the closed pool are logged as failed: expected here, and kept out of the test output.
    const databaseLog = captureStderr();
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
    expect(log.lines()).toEqual([expect.stringMatching(/^\[threadline\] database unreachable: /)]);
    log.restore();
    databaseLog.restore();
    expect(databaseLog.lines().filter((line) => !line.startsWith("[db query-error] "))).toEqual([]);

    await t.db.dataSource.initialize();
    const back = await fetch(`${base}/health`);
    expect(await back.json()).toEqual({ ok: true, checks: { database: "ok", writer: "ok" } });
    const served = await post(`${base}/graphql`, CHEAP);
    expect(served.status).toBe(200);
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data.articles.nodes).toHaveLength(2);
  });

  it("on stop, lets a running request finish, and turns new ones away", async () => {
    const gates = t.db.dataSource.dataSources().map((dataSource) => holdStatements(dataSource));
    try {
      const running = post(`${base}/graphql`, CHEAP);
      // The request is running once one of its statements waits at a gate.
      await Promise.race(gates.map((gate) => gate.reached));
      const stopping = t.server.stop();
      const late = await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(CHEAP) }).then(
        (response) => response.status,
        () => "refused",
      );
      expect(late).toBe(503);
      gates.forEach((gate) => gate.release());
      const finished = await running;
      expect(finished.status).toBe(200);
      expect(finished.body.data.articles.nodes).toHaveLength(2);
      await stopping;
    } finally {
      gates.forEach((gate) => gate.undo());
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
    const log = captureConsole("error");
    // The pool's own word on the dropped connections.
    const databaseLog = captureStderr();
    try {
      await proxy.cut();
      const during = await post(`${base}/graphql`, CHEAP);
      expect(during.status).toBe(503);
      expect(during.body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
      expect((await fetch(`${base}/health`)).status).toBe(503);
      expect(log.lines()).toEqual([expect.stringMatching(/^\[threadline\] database unreachable: /)]);
    } finally {
      log.restore();
    }
    await proxy.restore();
    const after = await post(`${base}/graphql`, CHEAP);
    databaseLog.restore();
    expect(after.status).toBe(200);
    expect(after.body.data.articles.totalCount).toBeGreaterThan(0);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
