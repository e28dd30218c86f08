/**
 * SQLite's read connections keep their prepared statements (src/execution/statement-cache.ts). A kept
 * statement must never change what a read sees: a repeated operation sees every write committed
 * before it, a failed statement does not poison the next call, and the connection still closes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sqlite3 from "sqlite3";
import { StatementCache } from "../../src/execution/statement-cache";
import { ADD_COMMENT, importUniqueArticle } from "../helpers/discussion";
import { engines } from "../helpers/databases";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const COMMENTS = `query($id: ID!) { node(id: $id) { ... on Article { commentCount comments(first: 50) { totalCount nodes { body } } } } }`;

describe.each(engines)("a repeated read on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  it("sees every comment committed before it, however often the same operation ran", async () => {
    const articleId = await importUniqueArticle(t, { comments: [] });
    for (let i = 1; i <= 4; i++) {
      // The same text each time: on SQLite the reads run on statements prepared by the first.
      for (let j = 0; j < 3; j++) {
        const seen = await t.data(COMMENTS, { id: articleId });
        expect(seen.node.commentCount).toBe(i - 1);
        expect(seen.node.comments.totalCount).toBe(i - 1);
        expect(seen.node.comments.nodes.map((n: { body: string }) => n.body)).toEqual(Array.from({ length: i - 1 }, (_, k) => `Comment number ${k + 1}`));
      }
      await t.data(ADD_COMMENT, { articleId, body: `Comment number ${i}`, authorName: "Repeat Reader" }, { token: TEST_TOKEN });
    }
  });
});

describe("StatementCache", () => {
  let dir: string;
  let writer: sqlite3.Database;
  let reader: sqlite3.Database;
  let cache: StatementCache;

  const open = (path: string, mode: number) =>
    new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(path, mode, (error) => (error ? reject(error) : resolve(db)));
    });
  const exec = (db: sqlite3.Database, text: string) => new Promise<void>((resolve, reject) => db.exec(text, (error) => (error ? reject(error) : resolve())));
  const all = (text: string, params: unknown[] = []) =>
    new Promise<unknown[]>((resolve, reject) => reader.all(text, params, (error: Error | null, rows: unknown[]) => (error ? reject(error) : resolve(rows))));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "threadline-statements-"));
    writer = await open(join(dir, "db.sqlite"), sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE);
    await exec(writer, "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a'), ('b');");
    reader = await open(join(dir, "db.sqlite"), sqlite3.OPEN_READONLY);
    cache = new StatementCache(reader, 3);
    cache.install();
  });

  afterEach(async () => {
    await cache.clear();
    await new Promise<void>((resolve, reject) => reader.close((error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve) => writer.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("prepares a text once and runs it with each call's parameters", async () => {
    const prepare = jest.spyOn(reader, "prepare");
    const text = "SELECT v FROM t WHERE id = ?";
    expect(await Promise.all([all(text, [1]), all(text, [2]), all(text, [3])])).toEqual([[{ v: "a" }], [{ v: "b" }], []]);
    expect(await all(text, [2])).toEqual([{ v: "b" }]);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(cache.count).toBe(1);
  });

  it("keeps no read transaction open: a kept statement sees later commits", async () => {
    const text = "SELECT COUNT(*) AS n FROM t";
    expect(await all(text)).toEqual([{ n: 2 }]);
    await exec(writer, "INSERT INTO t (v) VALUES ('c')");
    expect(await all(text)).toEqual([{ n: 3 }]);
    // A checkpoint that must wait for readers finishes: no kept statement holds a snapshot.
    const checkpoint = await new Promise<unknown[]>((resolve, reject) =>
      writer.all("PRAGMA wal_checkpoint(TRUNCATE)", (error, rows) => (error ? reject(error) : resolve(rows))),
    );
    expect(checkpoint).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
  });

  it("keeps only the most recently used texts", async () => {
    for (const id of [1, 2, 3, 4, 5]) await all(`SELECT ${id} AS n`);
    expect(cache.count).toBe(3);
    const prepare = jest.spyOn(reader, "prepare");
    await all("SELECT 5 AS n");
    expect(prepare).not.toHaveBeenCalled();
    await all("SELECT 1 AS n");
    expect(prepare).toHaveBeenCalledTimes(1);
  });

  it("reports a text that does not prepare to its caller, and keeps nothing of it", async () => {
    await expect(all("SELECT nope FROM t")).rejects.toThrow(/no such column: nope/);
    await expect(all("SELECT nope FROM t")).rejects.toThrow(/no such column: nope/);
    expect(cache.count).toBe(0);
    expect(await all("SELECT v FROM t WHERE id = ?", [1])).toEqual([{ v: "a" }]);
  });

  it("drops a statement that failed while running, and prepares it again", async () => {
    const text = "SELECT json(?) AS j";
    // Malformed JSON fails at run time, after a good prepare.
    await expect(all(text, ["{"])).rejects.toThrow(/malformed JSON/);
    expect(cache.count).toBe(0);
    expect(await all(text, ["[1]"])).toEqual([{ j: "[1]" }]);
    expect(cache.count).toBe(1);
  });
});
