/**
 * A folder import indexes each dump from the dump as parsed (several at a time), not from the rows
 * it stored. What it indexes must be what those rows say: the same entries that `npm run reindex`
 * (rebuildSearchIndex) makes from them afterwards, term for term and position for position, on
 * both engines.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "../../src/db/data-source";
import { collectDumpFiles, importFiles } from "../../src/ingest/import-files";
import { renderDump } from "../../src/ingest/render-dump";
import { rebuildSearchIndex } from "../../src/search/rebuild-index";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { uniqueArticle } from "../helpers/discussion";

/** Every entry of both search tables, in a fixed order: terms with their places on SQLite, documents on PostgreSQL. */
async function indexContents(db: Database): Promise<{ t: string; id: number }[]> {
  if (db.options.type === "postgres") {
    return [
      ...(await db.query(`SELECT 'article' AS t, "articleId" AS id, document::text AS d FROM search_article ORDER BY 2`)),
      ...(await db.query(`SELECT 'comment' AS t, "commentId" AS id, document::text AS d FROM search_comment ORDER BY 2`)),
    ];
  }
  const rows: { t: string; id: number }[] = [];
  for (const table of ["article", "comment"]) {
    await db.query(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.${table}_terms USING fts5vocab(main, search_${table}, instance)`);
    rows.push(...(await db.query(`SELECT '${table}' AS t, doc AS id, col, "offset", term FROM temp.${table}_terms ORDER BY doc, col, "offset", term`)));
  }
  return rows;
}

describe.each(engines)("the search entries of an import, on %s", (engine) => {
  let db: TestDatabase;
  let folder: string;
  beforeEach(async () => {
    db = await openTestDatabase(engine);
    folder = mkdtempSync(join(tmpdir(), "threadline-import-index-"));
  });
  afterEach(async () => {
    await db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("index each article and comment as the stored rows do", async () => {
    const articles = [
      uniqueArticle({
        title: "Elections in São Paulo: Łódź and Москва's voters",
        section: "World",
        tags: ["Elections", "Brazil", "elections", "Россия"],
        paragraphs: ["Voters voted; the voting ran late.", "Prime minister's office said ½ of them stayed, 東京 too."],
        comments: [
          { author: "Ann", hasAvatar: true, body: "Running, runs and ran: the runner's view." },
          { author: null, hasAvatar: false, body: "Ça va? Zürich‘s Škoda — 123 km/h!" },
        ],
      }),
      uniqueArticle({ section: null, tags: [], paragraphs: ["Short."], comments: [] }),
      uniqueArticle({ comments: [{ author: "Bob", hasAvatar: true, body: "Oil prices rose again" }] }),
    ];
    articles.forEach((article, i) => writeFileSync(join(folder, `${i + 1}.txt`), renderDump(article)));

    const summary = await importFiles(db.dataSource, await collectDumpFiles([folder]));
    expect(summary.imported).toBe(3);
    const imported = await indexContents(db.dataSource);
    // Every article and comment has an entry.
    expect(new Set(imported.map(({ t, id }) => `${t} ${id}`)).size).toBe(6);

    await rebuildSearchIndex(db.dataSource);
    expect(await indexContents(db.dataSource)).toEqual(imported);
  });
});
