/**
 * A folder import leaves the planner statistics that fit the data it wrote: PostgreSQL's tables
 * analyzed (a fresh schema has none, and plans a 200,000-row join as a sequential scan), SQLite's
 * sqlite_stat1 filled in by PRAGMA optimize.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importFiles } from "../../src/ingest/import-files";
import { renderDump } from "../../src/ingest/render-dump";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { uniqueArticle } from "../helpers/discussion";

const TABLES = ["article", "article_tag", "author", "comment", "related_link", "tag"];

describe.each(engines)("planner statistics after a folder import on %s", (engine) => {
  let db: TestDatabase;
  let folder: string;
  beforeEach(async () => {
    db = await openTestDatabase(engine);
    folder = mkdtempSync(join(tmpdir(), "threadline-statistics-"));
  });
  afterEach(async () => {
    await db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Tables whose statistics say they hold rows. */
  async function analyzedTables(): Promise<string[]> {
    const ds = db.dataSource;
    const rows: { name: string }[] =
      engine === "postgres"
        ? await ds.query(`SELECT relname AS name FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND reltuples > 0`)
        : (await ds.query(`SELECT name FROM sqlite_schema WHERE name = 'sqlite_stat1'`)).length === 0
          ? []
          : await ds.query(`SELECT DISTINCT tbl AS name FROM sqlite_stat1`);
    return rows
      .map((row) => row.name)
      .filter((name) => TABLES.includes(name))
      .sort();
  }

  it("analyzes the tables it wrote to, and leaves a dry run's database alone", async () => {
    const files = Array.from({ length: 3 }, (_, i) => {
      const file = join(folder, `${i}.txt`);
      const comments = Array.from({ length: 4 }, (_, c) => ({ author: `Reader ${c}`, hasAvatar: true, body: `Comment ${c} on ${i}` }));
      writeFileSync(file, renderDump(uniqueArticle({ tags: ["Statistics", `Topic ${i}`], relatedLinks: [{ title: "Elsewhere" }], comments })));
      return file;
    });
    await importFiles(db.dataSource, files, { dryRun: true });
    expect(await analyzedTables()).toEqual([]);

    const summary = await importFiles(db.dataSource, files);
    expect(summary.imported).toBe(3);
    expect(await analyzedTables()).toEqual(TABLES);
  });
});
