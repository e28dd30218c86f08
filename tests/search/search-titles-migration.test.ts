/**
 * PostgreSQL keeps an article's title words in a tsvector of their own (migration SearchTitles),
 * where Query.search looks title matches up. The migration fills it for articles indexed before it,
 * the importer writes it for new ones, and either way it holds exactly the document's title entries,
 * so a title match found there is one the document would give (`'word':A`).
 */
import { randomBytes } from "node:crypto";
import { migrations } from "../../src/db/data-source";
import { SearchTitles1765300000000 } from "../../src/db/migrations/1765300000000-search-titles";
import { renderDump } from "../../src/ingest/render-dump";
import { rebuildSearchIndex } from "../../src/search/rebuild-index";
import { reindexArticles } from "../../src/search/search-index";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, rowId, uniqueArticle } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const RANKED = `query($q: String!) { search(query: $q, scope: [ARTICLES], first: 10) { totalCount edges { score node { ... on Article { title } } } } }`;

const onPostgres = engines.includes("postgres") ? describe : describe.skip;

onPostgres("search titles on postgres", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("postgres", { seed: false });
  });
  afterAll(() => t.close());

  const importArticle = (title: string, paragraphs: string[]) =>
    t.data(IMPORT_DUMP, { text: renderDump(uniqueArticle({ title, paragraphs, comments: [] })) }, { token: TEST_TOKEN });

  /** Articles whose entry in search_title is missing, extra, or not search_article's title column. */
  const apart = async () =>
    Number(
      (
        await t.db.dataSource.query(
          `SELECT COUNT(*) AS n FROM search_article s FULL JOIN search_title n ON n."articleId" = s."articleId" WHERE s.title IS DISTINCT FROM n.title`,
        )
      )[0].n,
    );

  /** Rows whose title column is not the document's weight-A entries. */
  const mismatched = async () =>
    Number((await t.db.dataSource.query(`SELECT COUNT(*) AS n FROM search_article WHERE title IS DISTINCT FROM ts_filter(document, '{a}')`))[0].n);

  it("fills the title words of articles indexed before it, and ranks title matches first as before", async () => {
    await importArticle("Glacier retreats in the Alps", ["Scientists measured the glacier.", "Prime minister visits."]);
    await importArticle("Prime Minister opens a bridge", ["The bridge spans the glacier valley."]);
    await importArticle("Harvest news", ["Farmers say the glacier feeds the river; the prime minister agrees."]);
    // A document of several kilobytes (words that do not repeat hardly compress), whose row is
    // rewritten by the migration with its title words beside it.
    const distinct = Array.from({ length: 350 }, () => randomBytes(4).toString("hex"));
    await importArticle("Glacier archive", [distinct.slice(0, 175).join(" "), distinct.slice(175).join(" ")]);
    const queries = ["glacier", "prime minister", '"prime minister"', "glac*", "bridge -harvest", "river"];
    const before = await Promise.all(queries.map((q) => t.data(RANKED, { q })));

    const ds = t.db.dataSource;
    for (let i = migrations.indexOf(SearchTitles1765300000000); i < migrations.length; i++) await ds.undoLastMigration();
    const [column] = await ds.query(
      `SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'search_article' AND column_name = 'title'`,
    );
    expect(Number(column.n)).toBe(0);
    await ds.runMigrations();

    expect(await mismatched()).toBe(0);
    // The narrow copy (SearchTitleList) holds the same titles.
    expect(await apart()).toBe(0);
    expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM search_title`))[0].n)).toBe(4);
    // Nothing went out of line: the documents and their titles stay in the table's own pages.
    const [toast] = await ds.query(`SELECT pg_relation_size(reltoastrelid) AS n FROM pg_class WHERE oid = CAST('search_article' AS regclass)`);
    expect(Number(toast.n)).toBe(0);
    expect(await Promise.all(queries.map((q) => t.data(RANKED, { q })))).toEqual(before);
    // What the title column finds is what the document's weight-A entries give.
    for (const [plain, weighted] of [
      ["'glacier'", "'glacier':A"],
      ["'prime' <-> 'minist'", "'prime':A <-> 'minist':A"],
      ["'glac':*", "'glac':*A"],
      ["'river'", "'river':A"],
    ]) {
      const ids = async (where: string, q: string) =>
        (await ds.query(`SELECT "articleId" AS id FROM search_article WHERE ${where} @@ CAST($1 AS tsquery) ORDER BY 1`, [q])).map(
          (row: { id: number }) => row.id,
        );
      expect(await ids("title", plain)).toEqual(await ids("document", weighted));
    }
    // Title matches score above 1, the rest below: "glacier" is in two titles and two other bodies.
    const glacier = before[0].search.edges.map((edge: { score: number; node: { title: string } }) => [edge.node.title, edge.score > 1]);
    expect(glacier).toEqual([
      ["Glacier retreats in the Alps", true],
      ["Glacier archive", true],
      ["Harvest news", false],
      ["Prime Minister opens a bridge", false],
    ]);
  });

  it("writes the title words of every article it indexes", async () => {
    await importArticle("Volcano erupts near the capital", ["Ash fell on the capital."]);
    expect(await mismatched()).toBe(0);
    const [row] = await t.db.dataSource.query(`SELECT title::text AS title FROM search_article ORDER BY "articleId" DESC LIMIT 1`);
    expect(row.title).toContain("'volcano'");
    expect(row.title).not.toContain("'ash'");
    expect(await apart()).toBe(0);
  });

  it("keeps search_title in step with search_article through re-indexing, a rebuild and a deleted article", async () => {
    const ds = t.db.dataSource;
    const imported = await importArticle("Storm closes the port", ["Ships waited outside."]);
    const id = rowId(imported.importDump.article.id);
    await ds.query(`UPDATE article SET title = 'Calm returns to the port' WHERE "id" = $1`, [id]);
    await ds.transaction((manager) => reindexArticles(manager, [id]));
    expect(await apart()).toBe(0);
    const [entry] = await ds.query(`SELECT title::text AS title FROM search_title WHERE "articleId" = $1`, [id]);
    expect(entry.title).toContain("'calm'");
    expect(entry.title).not.toContain("'storm'");

    // Whatever writes search_article: here the statement the version before this one indexed with, during a rolling upgrade.
    await ds.query(`DELETE FROM search_article WHERE "articleId" = $1`, [id]);
    expect(await apart()).toBe(0);
    await ds.query(
      `INSERT INTO search_article ("articleId", document, title) SELECT v.id, v.document, ts_filter(v.document, '{a}') FROM (VALUES ($1::integer, 'harbour:1A storm:2A'::tsvector)) AS v (id, document)`,
      [id],
    );
    expect(await apart()).toBe(0);
    await ds.query(`UPDATE search_article SET title = 'gale:1A'::tsvector WHERE "articleId" = $1`, [id]);
    expect(await apart()).toBe(0);

    const summary = await rebuildSearchIndex(ds);
    expect(await apart()).toBe(0);
    expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM search_title`))[0].n)).toBe(summary.indexedArticles);

    await ds.query(`DELETE FROM article WHERE "id" = $1`, [id]);
    expect(await apart()).toBe(0);
    expect(await ds.query(`SELECT 1 FROM search_title WHERE "articleId" = $1`, [id])).toEqual([]);
  });
});
