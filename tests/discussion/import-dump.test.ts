import { readFileSync } from "node:fs";
import { join } from "node:path";
import { run, sql } from "../../src/db/sql";
import type { ParsedArticle } from "../../src/ingest/dump.types";
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
      expect(result.data).toEqual({ importDump: null });
    }
    // Parsed fine, but too long for its column: refused alike on both engines.
    const tooLong = renderDump(uniqueArticle({ tags: ["t".repeat(201)] }));
    const refused = await t.gql(IMPORT_DUMP, { text: tooLong }, { token: TEST_TOKEN });
    expect(refused.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(refused.errors?.[0].message).toMatch(/tag is 201 characters long; the limit is 200/);
    expect(await tableSizes(t.db.dataSource)).toEqual(before);
  });

  it.each<[string, Partial<ParsedArticle>, number, string]>([
    ["in the title only", { title: `Lone \uD800 surrogate ${Date.now()}` }, 1, "Plain body"],
    [
      "in the title, a tag, a name and a comment",
      {
        title: `Lone \uD800 surrogates ${Date.now()}`,
        tags: ["Tag \uDC00"],
        comments: [{ author: "Ann\uDBFF", hasAvatar: true, body: "Body \uDFFF here" }],
      },
      4,
      "Body \uFFFD here",
    ],
  ])("stores a lone surrogate %s as U+FFFD, so the same dump re-imports as UNCHANGED", async (_, overrides, warnings, storedBody) => {
    // A client's JSON may carry "\ud800" alone. Both drivers write U+FFFD in its place, and the
    // importer used to look the article up by the title it had not stored: a UNIQUE violation.
    const article = uniqueArticle({ comments: [{ author: null, hasAvatar: false, body: "Plain body" }], ...overrides });
    const text = renderDump(article);
    const first = (await t.data(IMPORT_DUMP, { text }, { token: TEST_TOKEN })).importDump;
    expect(first.status).toBe("IMPORTED");
    const again = await t.gql(IMPORT_DUMP, { text }, { token: TEST_TOKEN });
    expect(again.errors).toBeUndefined();
    expect(again.data?.importDump).toEqual({ ...first, status: "UNCHANGED" });

    expect(first.article.title).toBe(article.title.replace("\uD800", "\uFFFD"));
    expect(first.warnings).toHaveLength(warnings);
    for (const warning of first.warnings) expect(warning).toMatch(/^line \d+: unpaired UTF-16 surrogate replaced with U\+FFFD$/);
    const [row] = await run<{ title: string }>(t.db.dataSource, sql`SELECT "title" FROM article WHERE "id" = ${rowId(first.article.id)}`);
    expect(row.title).toBe(first.article.title);
    const [comment] = await run<{ body: string }>(t.db.dataSource, sql`SELECT "body" FROM comment WHERE "articleId" = ${rowId(first.article.id)}`);
    expect(comment.body).toBe(storedBody);
  });

  it("refuses a dump with a NUL character as BAD_USER_INPUT naming the line, on both engines alike", async () => {
    const before = await tableSizes(t.db.dataSource);
    const lines = renderDump(uniqueArticle({ comments: [{ author: null, hasAvatar: false, body: "Nul \u0000 inside" }] })).split("\n");
    const at = lines.findIndex((line) => line.includes("Nul")) + 1;
    const result = await t.gql(IMPORT_DUMP, { text: lines.join("\n") }, { token: TEST_TOKEN });
    expect(result.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].message).toContain(`line ${at}: binary data (NUL bytes)`);
    expect(await tableSizes(t.db.dataSource)).toEqual(before);
  });
});
