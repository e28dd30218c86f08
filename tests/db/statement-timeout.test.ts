/**
 * No single statement holds the database for long: reads past the statement timeout are stopped
 * on both engines, and the client gets HTTP 503 SERVICE_UNAVAILABLE rather than a masked 500.
 */
import { createLocalEvents } from "../../src/events/comment-events";
import { createServer } from "../../src/server";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { beforeEachStatement } from "../helpers/statements";
import { listen } from "../helpers/subscriptions";
import { testConfig } from "../helpers/test-server";
import { captureConsole, captureStderr } from "../helpers/console";

/** A statement that runs for many seconds on each engine unless stopped. */
const SLOW = {
  sqlite: `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 300000000) SELECT COUNT(*) AS n FROM c`,
  postgres: `SELECT pg_sleep(30)`,
};

describe.each(engines)("statement timeout on %s", (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(engine, ":memory:", { statementTimeoutMs: 300 });
  });
  afterAll(() => db.close());

  it("stops a read that runs past the timeout, and the database serves the next one", async () => {
    const databaseLog = captureStderr();
    const failure = await db.dataSource
      .reader()
      .query(SLOW[engine])
      .then(
        () => null,
        (error: { code?: string; driverError?: { code?: string } }) => error.driverError?.code ?? error.code,
      );
    databaseLog.restore();
    // Stopped by the timeout (the engine's interrupt code), not run to its end.
    expect(failure).toBe(engine === "sqlite" ? "SQLITE_INTERRUPT" : "57014");
    expect(databaseLog.lines()).toContainEqual(expect.stringMatching(/^\[db query-error\] query failed: /));
    expect(await db.dataSource.reader().query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("answers a request whose statement timed out with 503 and a retryable code", async () => {
    const server = await createServer(testConfig({ database: db.config, production: true }), db.dataSource, createLocalEvents());
    const base = `http://${await listen(server.httpServer)}`;
    // Any statement of this request stands for one that ran too long.
    const code = engine === "sqlite" ? "SQLITE_INTERRUPT" : "57014";
    const patched = db.dataSource
      .dataSources()
      .map((source) => beforeEachStatement(source, () => Promise.reject(Object.assign(new Error("interrupted"), { code }))));
    const restore = () => patched.forEach((undo) => undo());
    const log = captureConsole("error");
    try {
      const response = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ articles(first: 1) { totalCount } }" }),
      });
      const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(response.status).toBe(503);
      expect(body.errors[0].extensions).toEqual({ code: "SERVICE_UNAVAILABLE", retryAfter: 5 });
      expect(body.errors[0].message).toMatch(/took too long/);
      // Operators see one line naming the cause, without a stack.
      expect(log.lines()).toEqual(["[threadline] database timeout: interrupted"]);
    } finally {
      log.restore();
      restore();
      await server.stop();
    }
  });
});
