/**
 * `npm run seed` over CMS exports: .ndjson (one ArticleInput a line) and .json (one object or an
 * array), reported one article at a time, with the dump's report and dry-run JSON, on both engines.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { openDataSource } from "../../src/db/data-source";
import { runCli } from "../../src/ingest/cli";
import { collectDumpFiles, importFiles } from "../../src/ingest/import-files";
import { renderDump } from "../../src/ingest/render-dump";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { uniqueArticle } from "../helpers/discussion";

class Capture extends Writable {
  text = "";
  _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const article = (n: number, extra: Record<string, unknown> = {}) => ({
  url: `https://news.example.com/story-${n}`,
  externalId: `cms-${n}`,
  title: `Exported Story ${n}`,
  publishedAt: `2024-05-0${n}T10:00:00Z`,
  paragraphs: [`Body of story ${n}.`],
  tags: ["Exports", `Story ${n}`],
  ...extra,
});

describe("seed --dry-run over exports", () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "threadline-exports-"));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  async function dryRun(...files: string[]) {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runCli(["--dry-run", "--json", ...files], { stdout, stderr, isTTY: false, cwd: folder, env: {} });
    expect(stderr.text).toBe("");
    return { code, entries: JSON.parse(stdout.text) };
  }

  it("prints one entry per article, named FILE:LINE, FILE#N or FILE, with the article as checked", async () => {
    writeFileSync(join(folder, "a.ndjson"), `${JSON.stringify(article(1))}\n\n${JSON.stringify(article(2, { section: "World" }))}\n`);
    writeFileSync(join(folder, "b.json"), JSON.stringify([article(3), article(4)], null, 2));
    writeFileSync(join(folder, "c.json"), JSON.stringify(article(5, { publishedAt: "2024-05-05T12:00:00+02:00", url: "HTTPS://News.Example.com/story-5" })));
    const { code, entries } = await dryRun("a.ndjson", "b.json", "c.json");
    expect(code).toBe(0);
    expect(entries.map((entry: { file: string }) => entry.file)).toEqual(["a.ndjson:1", "a.ndjson:3", "b.json#1", "b.json#2", "c.json"]);
    for (const entry of entries) expect(Object.keys(entry)).toEqual(["file", "ok", "article", "warnings", "error"]);
    expect(entries[1]).toEqual({
      file: "a.ndjson:3",
      ok: true,
      article: {
        url: "https://news.example.com/story-2",
        externalId: "cms-2",
        title: "Exported Story 2",
        publishedAt: "2024-05-02T10:00:00.000Z",
        section: "World",
        paragraphs: ["Body of story 2."],
        tags: ["Exports", "Story 2"],
      },
      warnings: [],
      error: null,
    });
    expect(entries[4].article).toMatchObject({ url: "https://news.example.com/story-5", publishedAt: "2024-05-05T10:00:00.000Z" });
  });

  it("reports a bad line with its line number, the field at fault, and goes on", async () => {
    const lines = [
      JSON.stringify(article(1)),
      "{ not json",
      JSON.stringify(article(3, { publishedAt: "2024-05-03T10:00:00" })),
      JSON.stringify(article(4, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })),
      JSON.stringify(article(5, { titel: "typo" })),
      JSON.stringify(article(6)),
      JSON.stringify(article(7, { paragraphs: ["NUL \u0000 inside"] })),
    ];
    writeFileSync(join(folder, "cms.ndjson"), lines.join("\n"));
    writeFileSync(join(folder, "broken.json"), '[\n  {"url": "https://x.example/1",\n  oops\n]');
    const { code, entries } = await dryRun("cms.ndjson", "broken.json");
    expect(code).toBe(1);
    const summary = entries.map((entry: { file: string; ok: boolean; error: string | null }) => [entry.file, entry.ok, entry.error]);
    expect(summary).toEqual([
      ["broken.json", false, expect.stringMatching(/^broken\.json: line 3: not JSON: /)],
      ["cms.ndjson:1", true, null],
      ["cms.ndjson:2", false, expect.stringMatching(/^cms\.ndjson:2: not JSON: /)],
      ["cms.ndjson:3", false, expect.stringMatching(/^cms\.ndjson:3: "publishedAt": not a date-time with its zone/)],
      ["cms.ndjson:4", false, 'cms.ndjson:4: "tags": the article has 51 tags; the limit is 50'],
      ["cms.ndjson:5", false, 'cms.ndjson:5: "titel" is not a field of ArticleInput'],
      ["cms.ndjson:6", true, null],
      ["cms.ndjson:7", false, 'cms.ndjson:7: "paragraphs": contains a NUL character, which cannot be stored'],
    ]);
    expect(entries[2].article).toBeNull();
  });
});

describe.each(engines)("seed over exports on %s", (engine) => {
  let folder: string;
  let db: TestDatabase | null = null;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "threadline-exports-"));
  });
  afterEach(async () => {
    await db?.close();
    db = null;
    rmSync(folder, { recursive: true, force: true });
  });

  async function database(): Promise<{ url: string; query: (text: string) => Promise<Record<string, unknown>[]>; close: () => Promise<void> }> {
    if (engine === "sqlite") {
      const path = join(folder, "seed.sqlite");
      await (await openDataSource({ type: "sqlite", path })).destroy();
      return {
        url: `sqlite:${path}`,
        async query(text) {
          const reader = await openDataSource({ type: "sqlite", path });
          try {
            return await reader.query(text);
          } finally {
            await reader.destroy();
          }
        },
        close: async () => undefined,
      };
    }
    db = await openTestDatabase("postgres");
    const schema = (db.dataSource.options as { schema?: string }).schema as string;
    const opened = db;
    return {
      url: `${process.env.TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      query: (text) => opened.dataSource.query(text),
      close: async () => undefined,
    };
  }

  async function seed(url: string, ...paths: string[]) {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runCli(paths, { stdout, stderr, isTTY: false, cwd: folder, env: { DATABASE_URL: url } });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it("creates, then updates and leaves unchanged, with the dump's report; a dump beside them still imports", async () => {
    const target = await database();
    const exports = join(folder, "exports");
    mkdirSync(exports);
    const many = Array.from({ length: 150 }, (_, i) => ({
      ...article(1),
      url: `https://news.example.com/bulk-${i}`,
      externalId: `bulk-${i}`,
      title: `Bulk ${i}`,
    }));
    writeFileSync(join(exports, "bulk.ndjson"), many.map((item) => JSON.stringify(item)).join("\n") + "\n");
    writeFileSync(join(exports, "one.json"), JSON.stringify(article(2)));
    const dump = uniqueArticle({ comments: [{ author: "Ann", hasAvatar: true, body: "Imported comment." }] });
    writeFileSync(join(exports, "story.txt"), renderDump(dump));

    const first = await seed(target.url, "exports");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("3 files, 152 articles: 152 imported, 0 updated, 0 unchanged, 0 rejected");

    // A second export: one article changed, one the same, and the dump's article given its url by title and time.
    many[0] = { ...many[0], title: "Bulk 0, retitled" };
    writeFileSync(
      join(exports, "bulk.ndjson"),
      many
        .slice(0, 2)
        .map((item) => JSON.stringify(item))
        .join("\n"),
    );
    writeFileSync(
      join(exports, "one.json"),
      JSON.stringify([{ url: "https://news.example.com/dump-story", title: dump.title, publishedAt: dump.publishedAt.toISOString() }]),
    );
    const second = await seed(target.url, "exports/bulk.ndjson", "exports/one.json", "exports/story.txt");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("3 files, 4 articles: 0 imported, 2 updated, 2 unchanged, 0 rejected");

    const rows = await target.query(
      `SELECT "title", "url", "externalId", "commentCount" FROM "article" WHERE "url" IN ('https://news.example.com/bulk-0', 'https://news.example.com/dump-story') ORDER BY "title"`,
    );
    expect(rows.map((row) => [row.title, row.url, row.externalId, Number(row.commentCount)])).toEqual([
      ["Bulk 0, retitled", "https://news.example.com/bulk-0", "bulk-0", 0],
      [dump.title, "https://news.example.com/dump-story", null, 1],
    ]);
    const [{ n: articles }] = await target.query(`SELECT COUNT(*) AS n FROM "article"`);
    const [{ value: stored }] = await target.query(`SELECT "value" FROM "stored_count" WHERE "name" = 'articles'`);
    expect(Number(stored)).toBe(Number(articles));
    const [{ n: tagged }] = await target.query(`SELECT COUNT(*) AS n FROM "article_tag" x JOIN "tag" t ON t."id" = x."tagId" WHERE t."name" = 'Exports'`);
    const [{ articleCount }] = await target.query(`SELECT "articleCount" FROM "tag" WHERE "name" = 'Exports'`);
    expect([Number(articleCount), Number(tagged)]).toEqual([151, 151]);
    const [{ n: indexed }] = await target.query(`SELECT COUNT(*) AS n FROM "search_article"`);
    expect(Number(indexed)).toBe(Number(articles));
  });

  it("counts progress in files: an export is through after its last article, and progress never goes back", async () => {
    db = await openTestDatabase(engine);
    writeFileSync(join(folder, "a.txt"), renderDump(uniqueArticle()));
    writeFileSync(
      join(folder, "b.ndjson"),
      Array.from({ length: 250 }, (_, i) => JSON.stringify(article(1, { url: `https://p.example/${i}`, externalId: null, title: `P ${i}` }))).join("\n"),
    );
    writeFileSync(join(folder, "c.json"), JSON.stringify(article(2)));
    const done: number[] = [];
    const totals = new Set<number>();
    const summary = await importFiles(db.dataSource, await collectDumpFiles([folder]), {
      onProgress: (filesDone, total) => {
        done.push(filesDone);
        totals.add(total);
      },
    });
    expect(summary.imported).toBe(252);
    expect([...totals]).toEqual([3]);
    expect(done).toHaveLength(252);
    expect(done.slice(0, 2)).toEqual([1, 1]);
    expect(done.slice(-2)).toEqual([2, 3]);
    expect(done.every((value, i) => i === 0 || value >= done[i - 1])).toBe(true);
  });

  it("reports an article the database holds otherwise (a url of another article) and writes the rest", async () => {
    const target = await database();
    writeFileSync(join(folder, "first.ndjson"), [JSON.stringify(article(1)), JSON.stringify(article(2))].join("\n"));
    expect((await seed(target.url, "first.ndjson")).code).toBe(0);
    writeFileSync(join(folder, "second.ndjson"), [JSON.stringify({ ...article(2), url: article(1).url }), JSON.stringify(article(3))].join("\n"));
    const { code, stdout } = await seed(target.url, "second.ndjson");
    expect(code).toBe(1);
    expect(stdout).toContain("1 file, 2 articles: 1 imported, 0 updated, 0 unchanged, 1 rejected");
    expect(stdout).toContain(`  second.ndjson:1: "url": ${article(1).url} is already the URL of another article`);
  });
});
