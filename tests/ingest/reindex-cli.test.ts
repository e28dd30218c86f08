import { Writable } from "node:stream";
import { inTransaction } from "../../src/db/transaction";
import { indexArticles, indexComments, unindexComments } from "../../src/search/search-index";
import { runReindexCli } from "../../src/ingest/reindex-cli";
import { engines } from "../helpers/databases";
import { postComment } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

class Capture extends Writable {
  text = "";
  _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function reindex(env: Record<string, string | undefined>, isTTY = false) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runReindexCli([], { stdout, stderr, isTTY, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const FIND = `query($q: String!) { search(query: $q, first: 50) { edges { node { __typename ... on Article { id title } ... on Comment { id body } } } } }`;
const QUERIES = ["syria", "moscow", "russia*", "station", '"northern sea route"', "putin", "the", "spacewalk", "phantom", "vanishing", "snowfield"];

describe.each(engines)("npm run reindex on %s", (engine) => {
  let t: TestServer;
  let databaseUrl: string;
  /** What search answers on the freshly imported seeds, query by query. */
  let fresh: unknown[];
  const answers = () => Promise.all(QUERIES.map(async (q) => (await t.data(FIND, { q })).search.edges));

  beforeAll(async () => {
    t = await startTestServer(engine);
    const options = t.db.dataSource.options;
    databaseUrl =
      options.type === "postgres"
        ? `${process.env.TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${options.schema}`)}`
        : `sqlite:${options.database as string}`;
    fresh = await answers();
  });
  afterAll(() => t.close());

  it("rebuilds an index that drifted from the rows, so search answers as after a fresh import", async () => {
    const ds = t.db.dataSource;
    const [article] = (await ds.query(`SELECT "id" FROM "article" ORDER BY "id" LIMIT 1`)) as { id: number }[];
    const [first, second] = (await ds.query(`SELECT "id" FROM "comment" ORDER BY "id" LIMIT 2`)) as { id: number }[];
    await inTransaction(ds, async (manager) => {
      // An article and a comment indexed with text they do not have, and a comment out of the index.
      await indexArticles(manager, [{ id: Number(article.id), title: "Phantom", section: null, tags: [], paragraphs: ["phantom words"] }]);
      await indexComments(manager, [{ id: Number(first.id), body: "phantom vanishing" }]);
      await unindexComments(manager, [Number(second.id)]);
    });
    expect(await answers()).not.toEqual(fresh);

    const result = await reindex({ DATABASE_URL: databaseUrl });
    expect(result).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^search index rebuilt: 8 articles and \d+ comments read, 8 articles and \d+ visible comments indexed\n$/),
      stderr: "",
    });
    expect(await answers()).toEqual(fresh);
  });

  it("fills an emptied index, and draws a progress bar on a terminal", async () => {
    await inTransaction(t.db.dataSource, async (manager) => {
      await manager.query(`DELETE FROM search_article`);
      await manager.query(`DELETE FROM search_comment`);
    });
    expect((await answers()).every((edges) => edges.length === 0)).toBe(true);

    const result = await reindex({ DATABASE_URL: databaseUrl }, true);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("reindexing [");
    expect(await answers()).toEqual(fresh);
  });

  it("leaves out comments the public does not see", async () => {
    const [{ id: articleId }] = (await t.data(`{ articles(first: 1) { edges { node { id } } } }`)).articles.edges.map((e: { node: { id: string } }) => e.node);
    const gone = await postComment(t, articleId, "Vanishing snowfield");
    await t.data(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: gone.id }, { token: TEST_TOKEN });

    const result = await reindex({ DATABASE_URL: databaseUrl });
    const [, read, indexed] = /(\d+) comments read, 8 articles and (\d+) visible comments indexed/.exec(result.stdout) ?? [];
    expect(Number(indexed)).toBe(Number(read) - 1);
    expect((await t.data(FIND, { q: "snowfield" })).search.edges).toEqual([]);
  });

  it("answers 2 with one line on a bad setting", async () => {
    expect(await reindex({ DATABASE_URL: "mysql://localhost/threadline" })).toEqual({
      code: 2,
      stdout: "",
      stderr: expect.stringMatching(/^reindex: DATABASE_URL.*\n$/),
    });
  });
});
