/**
 * Text compared without case means the same on both engines (folded keys stored at write time),
 * and distinct tag names never share a slug.
 */
import { run, sql } from "../../src/db/sql";
import { renderDump } from "../../src/ingest/render-dump";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, rowId, uniqueArticle } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

describe.each(engines)("folded keys on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  const importDump = async (overrides: Parameters<typeof uniqueArticle>[0]) =>
    (await t.data(IMPORT_DUMP, { text: renderDump(uniqueArticle(overrides)) }, { token: TEST_TOKEN })).importDump;

  it("finds a section whatever the case of its Cyrillic letters", async () => {
    const society = await importDump({ section: "Общество" });
    await importDump({ section: "World" });
    const [row] = await run<{ section: string; sectionKey: string }>(
      t.db.dataSource,
      sql`SELECT "section", "sectionKey" FROM article WHERE "id" = ${rowId(society.article.id)}`,
    );
    expect(row).toEqual({ section: "Общество", sectionKey: "общество" });
    for (const section of ["общество", "ОБЩЕСТВО", "Общество", "  общество "]) {
      const { articles } = await t.data(`query($s: String) { articles(where: { section: $s }) { totalCount nodes { id section } } }`, { s: section });
      expect({ section, articles }).toEqual({ section, articles: { totalCount: 1, nodes: [{ id: society.article.id, section: "Общество" }] } });
    }
    const none = await t.data(`{ articles(where: { section: "обществ" }) { totalCount } }`);
    expect(none.articles.totalCount).toBe(0);
  });

  it("gives C++ and C# their own tags and slugs, and keeps the slugs across re-imports", async () => {
    const plusArticle = uniqueArticle({ tags: ["C++"] });
    const sharpArticle = uniqueArticle({ tags: ["C#"] });
    const plus = (await t.data(IMPORT_DUMP, { text: renderDump(plusArticle) }, { token: TEST_TOKEN })).importDump;
    const sharp = (await t.data(IMPORT_DUMP, { text: renderDump(sharpArticle) }, { token: TEST_TOKEN })).importDump;

    const check = async () => {
      const served = await t.data(`query($a: ID!, $b: ID!) { a: article(id: $a) { tags { name slug } } b: article(id: $b) { tags { name slug } } }`, {
        a: plus.article.id,
        b: sharp.article.id,
      });
      expect(served).toEqual({ a: { tags: [{ name: "C++", slug: "c-plus-plus" }] }, b: { tags: [{ name: "C#", slug: "c-sharp" }] } });
      for (const [slug, id] of [
        ["c-plus-plus", plus.article.id],
        ["c-sharp", sharp.article.id],
      ]) {
        const { tag } = await t.data(`query($s: String!) { tag(slug: $s) { slug articleCount articles { nodes { id } } } }`, { s: slug });
        expect(tag).toEqual({ slug, articleCount: 1, articles: { nodes: [{ id }] } });
        const { articles } = await t.data(`query($s: String!) { articles(where: { tagSlugIn: [$s] }) { nodes { id } } }`, { s: slug });
        expect(articles.nodes).toEqual([{ id }]);
      }
      const rows = await run<{ name: string; slug: string }>(
        t.db.dataSource,
        sql`SELECT "name", "slug" FROM tag WHERE "name" IN ('C++', 'C#') ORDER BY "slug"`,
      );
      expect(rows).toEqual([
        { name: "C++", slug: "c-plus-plus" },
        { name: "C#", slug: "c-sharp" },
      ]);
    };
    await check();

    // Re-imports, unchanged and changed, keep both tags and their slugs.
    expect((await t.data(IMPORT_DUMP, { text: renderDump(plusArticle) }, { token: TEST_TOKEN })).importDump.status).toBe("UNCHANGED");
    const changed = { ...sharpArticle, paragraphs: [...sharpArticle.paragraphs, "A new paragraph."] };
    expect((await t.data(IMPORT_DUMP, { text: renderDump(changed) }, { token: TEST_TOKEN })).importDump.status).toBe("UPDATED");
    await check();
  });
});
