import { run, sql } from "../../src/db/sql";
import { engines } from "../helpers/databases";
import { ADD_COMMENT, importUniqueArticle, postComment, rowId } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

/**
 * SQLite shares one connection between every request, so writes queue in inTransaction; these
 * requests all arrive at once. PostgreSQL runs it too: there the article row lock keeps positions
 * distinct.
 */
describe.each(engines)("concurrent comments on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  it("stores 50 simultaneous comments on one article, with positions 1..50", async () => {
    const story = await importUniqueArticle(t);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.gql(ADD_COMMENT, { articleId: story, body: `Comment ${i}`, authorName: `Reader ${i % 7}` }, { token: TEST_TOKEN }),
      ),
    );
    expect(results.filter((result) => result.errors)).toEqual([]);

    const rows = await run<{ position: number; body: string }>(
      t.db.dataSource,
      sql`SELECT "position", "body" FROM comment WHERE "articleId" = ${rowId(story)} ORDER BY "position"`,
    );
    expect(rows).toHaveLength(50);
    expect(rows.map((row) => Number(row.position))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(rows.map((row) => row.body)).size).toBe(50);
    const served = await t.data(`query($id: ID!) { article(id: $id) { commentCount comments(first: 100) { totalCount } } }`, { id: story });
    expect(served.article).toEqual({ commentCount: 50, comments: { totalCount: 50 } });
    const authors = await run(t.db.dataSource, sql`SELECT "id" FROM author WHERE "name" LIKE ${"Reader %"}`);
    expect(authors).toHaveLength(7);
  });

  it("a write that fails mid-transaction rolls back only itself", async () => {
    const story = await importUniqueArticle(t);
    const doomed = await postComment(t, story, "Soon deleted");
    await t.data(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: doomed.id }, { token: TEST_TOKEN });
    // Replies to a deleted comment fail inside the transaction, after it has begun; they are
    // interleaved with good writes that must all survive.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.gql(ADD_COMMENT, { articleId: story, body: `Try ${i}`, parentId: i % 2 ? doomed.id : null }, { token: TEST_TOKEN }),
      ),
    );
    const refused = results.filter((result) => result.errors);
    expect(refused).toHaveLength(20);
    for (const result of refused) expect(result.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const rows = await run<{ position: number }>(
      t.db.dataSource,
      sql`SELECT "position" FROM comment WHERE "articleId" = ${rowId(story)} AND "parentId" IS NULL ORDER BY "position"`,
    );
    expect(rows.map((row) => Number(row.position))).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });
});
