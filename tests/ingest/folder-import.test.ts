/**
 * A folder import stays per dump when the database itself refuses one: only that dump is
 * rejected, with the database's reason on its line, and the rest import.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { openDataSource } from "../../src/db/data-source";
import { runCli } from "../../src/ingest/cli";
import { importFiles } from "../../src/ingest/import-files";
import { renderDump } from "../../src/ingest/render-dump";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { uniqueArticle } from "../helpers/discussion";
import { refuseCommentsContaining } from "./database-faults";

const REFUSAL = "cursed comments are refused";

/** Three dumps, the middle one with a comment the database will refuse. */
function writeDumps(folder: string) {
  const good = (n: number) => uniqueArticle({ comments: [{ author: "Ann", hasAvatar: true, body: `Fine comment ${n}` }] });
  const articles = [
    good(1),
    uniqueArticle({
      comments: [
        { author: "Bob", hasAvatar: true, body: "Fine" },
        { author: null, hasAvatar: false, body: "Cursed words" },
      ],
    }),
    good(3),
  ];
  const files = articles.map((article, i) => {
    const file = join(folder, `${i + 1}.txt`);
    writeFileSync(file, renderDump(article));
    return file;
  });
  return { articles, files };
}

class Capture extends Writable {
  text = "";
  _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe.each(engines)("a folder import that the database refuses one dump of, on %s", (engine) => {
  let db: TestDatabase;
  let folder: string;
  beforeEach(async () => {
    db = await openTestDatabase(engine);
    folder = mkdtempSync(join(tmpdir(), "threadline-folder-"));
  });
  afterEach(async () => {
    await db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("rejects only that dump, with the database's reason, in a new batch and on re-import", async () => {
    const quiet = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      await refuseCommentsContaining(db.dataSource, "Cursed", REFUSAL);
      const { articles, files } = writeDumps(folder);
      const summary = await importFiles(db.dataSource, files, { displayName: (file) => file.slice(folder.length + 1) });
      expect(summary.outcomes.map((outcome) => [outcome.file, outcome.status])).toEqual([
        ["1.txt", "imported"],
        ["2.txt", "rejected"],
        ["3.txt", "imported"],
      ]);
      expect(summary.outcomes[1].error).toMatch(new RegExp(`^2\\.txt: the database refused it: .*${REFUSAL}`));
      const titles = (await db.dataSource.query(`SELECT "title" FROM "article" ORDER BY "id"`)).map((row: { title: string }) => row.title);
      expect(titles).toEqual([articles[0].title, articles[2].title]);

      // A changed dump takes the one-by-one path: refused the same way, the others go on.
      writeFileSync(files[0], renderDump({ ...articles[0], comments: [{ author: null, hasAvatar: false, body: "Cursed again" }] }));
      writeFileSync(files[2], renderDump({ ...articles[2], paragraphs: ["A changed paragraph."] }));
      const again = await importFiles(db.dataSource, files);
      expect(again.outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected", "updated"]);
      expect(again.outcomes[0].error).toContain(REFUSAL);
      const [first] = await db.dataSource.query(`SELECT COUNT(*) AS n FROM "comment" WHERE "body" LIKE 'Cursed%'`);
      expect(Number(first.n)).toBe(0);
    } finally {
      quiet.mockRestore();
    }
  });
});

describe.each(engines)("the seed command, when the database refuses one dump, on %s", (engine) => {
  let folder: string;
  let db: TestDatabase | null = null;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "threadline-folder-"));
  });
  afterEach(async () => {
    await db?.close();
    db = null;
    rmSync(folder, { recursive: true, force: true });
  });

  /** A migrated database the command can be pointed at, refusing cursed comments. */
  async function refusingDatabase(): Promise<string> {
    if (engine === "sqlite") {
      const path = join(folder, "seed.sqlite");
      const prepared = await openDataSource({ type: "sqlite", path });
      await refuseCommentsContaining(prepared, "Cursed", REFUSAL);
      await prepared.destroy();
      return `sqlite:${path}`;
    }
    // The test's own schema, through the search_path option that node-postgres reads from the URL.
    db = await openTestDatabase("postgres");
    await refuseCommentsContaining(db.dataSource, "Cursed", REFUSAL);
    const schema = (db.dataSource.options as { schema?: string }).schema as string;
    return `${process.env.TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }

  it("imports the others, names the dump and the database's reason, and exits 1", async () => {
    const databaseUrl = await refusingDatabase();
    const dumps = join(folder, "dumps");
    mkdirSync(dumps);
    const { articles } = writeDumps(dumps);

    const stdout = new Capture();
    const stderr = new Capture();
    const quiet = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    let code: number;
    try {
      code = await runCli([dumps], { stdout, stderr, isTTY: false, cwd: folder, env: { DATABASE_URL: databaseUrl } });
    } finally {
      quiet.mockRestore();
    }
    expect(stderr.text).toBe("");
    expect(code).toBe(1);
    expect(stdout.text).toContain("3 files: 2 imported, 0 updated, 0 unchanged, 1 rejected");
    expect(stdout.text).toMatch(new RegExp(`\\n  dumps/2\\.txt: the database refused it: .*${REFUSAL}`));
    const written = db?.dataSource ?? (await openDataSource({ type: "sqlite", path: join(folder, "seed.sqlite") }));
    try {
      const titles = (await written.query(`SELECT "title" FROM "article" ORDER BY "id"`)).map((row: { title: string }) => row.title);
      expect(titles).toEqual([articles[0].title, articles[2].title]);
    } finally {
      if (!db) await written.destroy();
    }
  });
});
