/** The Database: who reads where, what a read can see during a write, and what closing it closes. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataSource } from "typeorm";
import { openDataSource } from "../../src/db/data-source";
import { inTransaction } from "../../src/db/transaction";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { startTestServer, TestServer } from "../helpers/test-server";
import { captureStderr } from "../helpers/console";

const tagCount = async (db: DataSource) => Number((await db.query(`SELECT COUNT(*) AS n FROM tag`))[0].n);

describe.each(engines)("database on %s", (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(() => db.close());

  it("serves a read during a write transaction from the last commit", async () => {
    const before = await tagCount(db.dataSource.reader());
    let seenInside = -1;
    await inTransaction(db.dataSource, async (manager) => {
      await manager.query(`INSERT INTO tag ("name", "nameKey", "slug") VALUES ('Pending', 'pending', 'pending')`);
      seenInside = await tagCount(db.dataSource.reader());
    });
    expect(seenInside).toBe(before);
    expect(await tagCount(db.dataSource.reader())).toBe(before + 1);
  });

  it("counts the statements of reads in extensions.sqlQueries", async () => {
    const t: TestServer = await startTestServer(engine, { seed: false });
    try {
      const context = await t.server.context();
      if (engine === "sqlite") expect(context.read).not.toBe(context.db);
      else expect(context.read).toBe(context.db);
      const result = await t.gql(`{ articles(first: 5) { totalCount nodes { title commentCount } } }`);
      expect(result.errors).toBeUndefined();
      expect(result.extensions?.sqlQueries).toBeGreaterThanOrEqual(2);
    } finally {
      await t.close();
    }
  });
});

it("refuses a write transaction on a data source without a write queue", async () => {
  // Never connected: the refusal comes first.
  const bare = new DataSource({ type: "postgres", url: "postgres://nobody@127.0.0.1:1/none" });
  await expect(inTransaction(bare, async () => 1)).rejects.toThrow("inTransaction needs a database opened by openDataSource");
});

describe("SQLite readers", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "threadline-readers-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are read-only connections of their own, taken in turn, and close with the database", async () => {
    const db = await openDataSource({ type: "sqlite", path: join(dir, "readers.sqlite") }, { readers: 2 });
    const readers = [db.reader(), db.reader(), db.reader()];
    expect(readers[0]).not.toBe(db);
    expect(readers[1]).not.toBe(readers[0]);
    expect(readers[2]).toBe(readers[0]);
    expect((await db.query(`PRAGMA journal_mode`))[0].journal_mode).toBe("wal");
    const databaseLog = captureStderr();
    await expect(readers[0].query(`INSERT INTO tag ("name", "nameKey", "slug") VALUES ('x', 'x', 'x')`)).rejects.toThrow(/SQLITE_READONLY/);
    databaseLog.restore();
    await db.destroy();
    expect(readers.map((reader) => reader.isInitialized)).toEqual([false, false, false]);
  });

  it("with `readers: 0`, reads share the writer's connection", async () => {
    const db = await openDataSource({ type: "sqlite", path: join(dir, "shared.sqlite") }, { readers: 0 });
    try {
      expect(db.reader()).toBe(db);
    } finally {
      await db.destroy();
    }
  });

  it("`:memory:` is a scratch file with readers, removed on close", async () => {
    const db = await openDataSource({ type: "sqlite", path: ":memory:" });
    const file = db.options.database as string;
    expect(file).not.toBe(":memory:");
    expect(db.reader()).not.toBe(db);
    expect(existsSync(file)).toBe(true);
    await db.destroy();
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(file, ".."))).toBe(false);
  });
});
