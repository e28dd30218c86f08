import { migrations } from "../../src/db/data-source";
import { SearchIndex1764400000000 } from "../../src/db/migrations/1764400000000-search-index";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, postComment, uniqueArticle } from "../helpers/discussion";
import { renderDump } from "../../src/ingest/render-dump";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const FIND = `query($q: String!) { search(query: $q) { edges { node { __typename ... on Article { title } ... on Comment { body } } } } }`;

describe.each(engines)("the search index migration on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  it("indexes the articles and visible comments stored before it, and no deleted comment", async () => {
    const text = renderDump(
      uniqueArticle({ title: "Glacier retreats", paragraphs: ["The glacier lost ice."], comments: [{ author: "Ed", hasAvatar: true, body: "Alarming melt" }] }),
    );
    const imported = await t.data(IMPORT_DUMP, { text }, { token: TEST_TOKEN });
    const gone = await postComment(t, imported.importDump.article.id, "Vanishing snowfield");
    await t.data(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: gone.id }, { token: TEST_TOKEN });

    const ds = t.db.dataSource;
    // Back to the schema before the index (undoing the migrations that came after it), and forward again.
    for (let i = migrations.indexOf(SearchIndex1764400000000); i < migrations.length; i++) await ds.undoLastMigration();
    const [last] = await ds.query(`SELECT "name" FROM "migrations" ORDER BY "id" DESC LIMIT 1`);
    expect(last.name).toBe("StoredCounts1764300000000");
    await ds.runMigrations();

    expect((await t.data(FIND, { q: "glacier" })).search.edges).toEqual([{ node: { __typename: "Article", title: "Glacier retreats" } }]);
    expect((await t.data(FIND, { q: "melting" })).search.edges).toEqual([{ node: { __typename: "Comment", body: "Alarming melt" } }]);
    expect((await t.data(FIND, { q: "snowfield" })).search.edges).toEqual([]);
    const [counted] = await ds.query(`SELECT (SELECT COUNT(*) FROM search_article) AS articles, (SELECT COUNT(*) FROM search_comment) AS comments`);
    expect([Number(counted.articles), Number(counted.comments)]).toEqual([1, 1]);
  });
});
