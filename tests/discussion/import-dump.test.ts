import { readFileSync } from "node:fs";
import { join } from "node:path";
import { run, sql } from "../../src/db/sql";
import { DumpError, parseDump } from "../../src/ingest/parse-dump";
import { renderDump } from "../../src/ingest/render-dump";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, rowId, tableSizes, uniqueArticle } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const BAD_DUMPS = join(__dirname, "..", "fixtures", "dumps");

describe.each(engines)("importDump on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  it("imports a good dump, returns the article and the warnings, and leaves an unchanged re-import alone", async () => {
    const article = uniqueArticle({
      section: null, // the parser warns about a missing section
      comments: [
        { author: "Ann", hasAvatar: true, body: "Hello." },
        { author: null, hasAvatar: false, body: "Plain." },
      ],
    });
    const text = renderDump(article);
    const first = (await t.data(IMPORT_DUMP, { text, fileName: "story.txt" }, { token: TEST_TOKEN })).importDump;
    expect(first.status).toBe("IMPORTED");
    expect(first.article).toMatchObject({ title: article.title, commentCount: 2 });
    expect(first.warnings).toEqual([expect.stringContaining("no section line")]);

    const rows = await run<{ title: string }>(t.db.dataSource, sql`SELECT "title" FROM article WHERE "id" = ${rowId(first.article.id)}`);
    expect(rows).toEqual([{ title: article.title }]);
    const comments = await run<{ body: string }>(
      t.db.dataSource,
      sql`SELECT "body" FROM comment WHERE "articleId" = ${rowId(first.article.id)} ORDER BY "position"`,
    );
    expect(comments.map((c) => c.body)).toEqual(["Hello.", "Plain."]);
    const served = await t.data(`query($id: ID!) { article(id: $id) { comments { nodes { body author { name } hasAvatar } } } }`, {
      id: first.article.id,
    });
    expect(served.article.comments.nodes).toEqual([
      { body: "Hello.", author: { name: "Ann" }, hasAvatar: true },
      { body: "Plain.", author: null, hasAvatar: false },
    ]);

    const sizes = await tableSizes(t.db.dataSource);
    const again = (await t.data(IMPORT_DUMP, { text }, { token: TEST_TOKEN })).importDump;
    expect(again).toEqual({ ...first, status: "UNCHANGED" });
    expect(await tableSizes(t.db.dataSource)).toEqual(sizes);

    const changed = renderDump({ ...article, comments: [...article.comments, { author: "Bo", hasAvatar: true, body: "Late." }] });
    const updated = (await t.data(IMPORT_DUMP, { text: changed }, { token: TEST_TOKEN })).importDump;
    expect(updated.status).toBe("UPDATED");
    expect(updated.article).toEqual({ ...first.article, commentCount: 3 });
  });

  it("refuses a dump the parser rejects with BAD_USER_INPUT and the parser's reason, and writes nothing", async () => {
    const before = await tableSizes(t.db.dataSource);
    for (const file of ["broken-time-line.txt", "empty.txt", "stray-note.txt", "binary-junk.txt"]) {
      const text = readFileSync(join(BAD_DUMPS, file), "latin1");
      const parsed = parseDump(text, file);
      expect(parsed).toBeInstanceOf(DumpError);
      const result = await t.gql(IMPORT_DUMP, { text, fileName: file }, { token: TEST_TOKEN });
      expect({ file, code: result.errors?.[0].extensions?.code }).toEqual({ file, code: "BAD_USER_INPUT" });
      expect(result.errors?.[0].message).toContain((parsed as DumpError).message);
      expect(result.data).toBeNull();
    }
    // Parsed fine, but too long for its column: refused alike on both engines.
    const tooLong = renderDump(uniqueArticle({ tags: ["t".repeat(201)] }));
    const refused = await t.gql(IMPORT_DUMP, { text: tooLong }, { token: TEST_TOKEN });
    expect(refused.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(refused.errors?.[0].message).toMatch(/tag is longer than 200 characters/);
    expect(await tableSizes(t.db.dataSource)).toEqual(before);
  });
});
