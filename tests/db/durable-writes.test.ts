/**
 * A write is acknowledged only once it is committed. SQLite rolls a transaction back by itself when
 * its disk fills; the writer must notice, answer 503, and store every later write once there is
 * room again. The disk is a small tmpfs where this process may mount one (root), else a COMMIT that
 * fails the way SQLite's does on a full disk.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sqlite3 from "sqlite3";
import { DatabaseConfig } from "../../src/config";
import { Database, openDataSource } from "../../src/db/data-source";
import { createLocalEvents } from "../../src/events/comment-events";
import { collectDumpFiles, importFiles } from "../../src/ingest/import-files";
import { toGlobalId } from "../../src/schema/global-id";
import { createServer, ThreadlineServer } from "../../src/server";
import { listen } from "../helpers/subscriptions";
import { SEEDS_DIR, TEST_TOKEN, testConfig } from "../helpers/test-server";

type Body = any;

interface Disk {
  dir: string;
  /** Fills the disk (or arms the failing COMMIT) until `free` is called. */
  fill(db: Database): void;
  free(): void;
  remove(): void;
}

/** A 4 MiB tmpfs, filled by a ballast file. */
function tmpfsDisk(): Disk | null {
  const dir = mkdtempSync(join(tmpdir(), "threadline-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", dir], { stdio: "ignore" });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const ballast = join(dir, "ballast");
  return {
    dir,
    fill() {
      // Whatever room is left after the database: writes past it fail with SQLITE_FULL.
      try {
        writeFileSync(ballast, Buffer.alloc(4 * 1024 * 1024));
      } catch {
        // ENOSPC: the ballast took all it could, which is the point.
      }
    },
    free() {
      unlinkSync(ballast);
    },
    remove() {
      execFileSync("umount", [dir], { stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Without a mount: the writer's COMMITs fail as SQLite's do on a full disk, with SQLITE_FULL after
 * SQLite itself rolled the transaction back, every second time while the disk is "full".
 */
function failingCommitDisk(): Disk {
  const dir = mkdtempSync(join(tmpdir(), "threadline-full-"));
  let full = false;
  let commits = 0;
  return {
    dir,
    fill(db) {
      full = true;
      const connection = (db.driver as unknown as { databaseConnection: sqlite3.Database }).databaseConnection;
      // TypeORM sends COMMIT through all(); ROLLBACK goes to run(), which stays as it is.
      const all = connection.all.bind(connection) as (...args: unknown[]) => sqlite3.Database;
      (connection as unknown as Record<string, unknown>).all = (query: string, ...rest: unknown[]) => {
        if (!full || query !== "COMMIT" || ++commits % 2 === 1) return all(query, ...rest);
        const callback = rest.find((value) => typeof value === "function") as (error: Error | null) => void;
        return connection.run("ROLLBACK", () =>
          callback(Object.assign(new Error("SQLITE_FULL: database or disk is full"), { errno: 13, code: "SQLITE_FULL" })),
        );
      };
    },
    free() {
      full = false;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function start(config: DatabaseConfig, seed: boolean): Promise<{ db: Database; server: ThreadlineServer; url: string }> {
  const db = await openDataSource(config);
  if (seed) await importFiles(db, (await collectDumpFiles([SEEDS_DIR])).slice(0, 1));
  const server = await createServer(testConfig({ database: config, production: true }), db, createLocalEvents());
  return { db, server, url: `http://${await listen(server.httpServer)}` };
}

async function post(url: string, query: string, variables: Record<string, unknown>): Promise<{ status: number; retryAfter: string | null; body: Body }> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json() };
}

const ADD = `mutation ($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body, authorName: "Filler") { comment { id } } }`;

const disks: [string, () => Disk | null][] = [
  ["a full tmpfs", tmpfsDisk],
  ["a COMMIT that fails as on a full disk", failingCommitDisk],
];

describe.each(disks)("writes on SQLite with %s", (kind, makeDisk) => {
  let disk: Disk | null;
  beforeAll(() => {
    disk = makeDisk();
    if (!disk) console.log(`durable-writes: ${kind} skipped: this process cannot mount a tmpfs (it needs root)`);
  });
  afterAll(() => disk?.remove());

  it("acknowledges only committed writes, answers 503 while full, and stores every write once there is room", async () => {
    if (!disk) return;
    const config: DatabaseConfig = { type: "sqlite", path: join(disk.dir, "threadline.sqlite") };
    // The failed statements are logged; this test expects them.
    const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
    const log = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    let { db, server, url } = await start(config, true);
    const acknowledged: string[] = [];
    const refusals: { status: number; retryAfter: string | null; code: unknown }[] = [];
    try {
      const [{ id: articleNumber }] = await db.query(`SELECT "id" FROM "article" LIMIT 1`);
      const articleId = toGlobalId("Article", Number(articleNumber));
      const lookup = await post(url, `{ node(id: "${articleId}") { id } }`, {});
      expect(lookup.body.data.node).toEqual({ id: articleId });

      disk!.fill(db);
      const body = "x".repeat(9_000);
      for (let i = 0; i < 600 && refusals.length < 5; i++) {
        const answer = await post(url, ADD, { articleId, body: `${i} ${body}` });
        if (answer.status === 200 && answer.body.data?.addComment) acknowledged.push(answer.body.data.addComment.comment.id);
        else refusals.push({ status: answer.status, retryAfter: answer.retryAfter, code: answer.body.errors?.[0]?.extensions?.code });
      }
      expect(refusals.length).toBeGreaterThan(0);
      for (const refusal of refusals) expect(refusal).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/), code: "SERVICE_UNAVAILABLE" });
      if (kind === "a full tmpfs") expect((await fetch(`${url}/health`)).status).toBe(503);

      disk!.free();
      for (let i = 0; i < 30; i++) {
        const answer = await post(url, ADD, { articleId, body: `after ${i}` });
        expect(answer.status).toBe(200);
        acknowledged.push(answer.body.data.addComment.comment.id);
      }
      expect(new Set(acknowledged).size).toBe(acknowledged.length);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);

      await server.stop();
      await db.destroy();
      ({ db, server, url } = await start(config, false));
      const stored = new Set<string>();
      for (const id of acknowledged) {
        const answer = await post(url, `query ($id: ID!) { comment(id: $id) { id } }`, { id });
        if (answer.body.data?.comment?.id === id) stored.add(id);
      }
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      errors.mockRestore();
      log.mockRestore();
      await server.stop();
      await db.destroy();
    }
  }, 120_000);
});
