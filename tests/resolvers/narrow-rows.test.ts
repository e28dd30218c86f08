/**
 * A list whose nodes show plain fields alone (a list of titles) reads only those columns
 * (src/read/rows.ts `narrowed`, src/schema/selection.ts `plainNodeProperties`). It must answer
 * exactly what whole rows answer, for every plain field of Article, and a cached answer built from
 * such rows must still be dropped when one of its rows changes.
 */
import { GraphQLObjectType } from "graphql";
import type { Config } from "../../src/config";
import { CountingLogger } from "../../src/db/query-counter";
import { resolvers } from "../../src/resolvers";
import { buildThreadlineSchema } from "../../src/schema/build-schema";
import { engines } from "../helpers/databases";
import { ADD_COMMENT } from "../helpers/discussion";
import { seedGenerated } from "../helpers/fixtures";
import { graphqlUrl, startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const CACHE_ON: Partial<Config> = { responseCache: { megabytes: 64, purgeUrl: null } };

describe.each(engines)("narrow rows on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, config: CACHE_ON });
    await seedGenerated(t.db.dataSource, 8, 1);
  });
  afterAll(() => t.close());

  /** Article's fields without a resolver: read off the row by their name. */
  function plainFields(): string[] {
    const article = buildThreadlineSchema(resolvers).getType("Article") as GraphQLObjectType;
    return Object.values(article.getFields())
      .filter((field) => field.resolve === undefined)
      .map((field) => field.name);
  }

  it("answers every plain field, alone and together, as whole rows do, in every order", async () => {
    const fields = plainFields();
    expect(fields).toEqual(expect.arrayContaining(["title", "slug", "publishedAt", "section"]));
    for (const order of ["PUBLISHED_AT_DESC", "PUBLISHED_AT_ASC", "COMMENT_COUNT_DESC"]) {
      for (const selection of [...fields.map((field) => [field]), fields]) {
        const narrow = await t.data(`{ articles(first: 5, orderBy: ${order}) { nodes { id ${selection.join(" ")} } } }`);
        // tags has a resolver, so these nodes are read whole.
        const whole = await t.data(`{ articles(first: 5, orderBy: ${order}) { nodes { id ${selection.join(" ")} tags { slug } } } }`);
        expect({ order, selection, nodes: narrow.articles.nodes }).toEqual({
          order,
          selection,
          nodes: whole.articles.nodes.map(({ tags: _tags, ...rest }: Record<string, unknown>) => rest),
        });
      }
    }
  });

  it("reads only the columns a list of titles shows, through edges and fragments too", async () => {
    const logged = jest.spyOn(CountingLogger.prototype, "logQuery");
    try {
      for (const query of [
        `{ articles(first: 3) { nodes { id title } } }`,
        `{ articles(first: 3) { edges { cursor node { ...T } } } } fragment T on Article { title }`,
        `{ articles(first: 3) { nodes { ... on Article { title } } } }`,
      ]) {
        logged.mockClear();
        const data = await t.data(query);
        expect(JSON.stringify(data)).toContain("Generated Story");
        const [statement] = logged.mock.calls.map(([text]) => text).filter((text) => /FROM article a/.test(text));
        expect({ query, statement }).toEqual({ query, statement: expect.stringMatching(/^SELECT a\."id", a\."title"(, a\."publishedAt" AS k0)? FROM/) });
      }
      logged.mockClear();
      await t.data(`{ articles(first: 3) { nodes { title commentCount tags { slug } } } }`);
      expect(logged.mock.calls.map(([text]) => text).find((text) => /FROM article a/.test(text))).toContain(`a."imageCaption"`);
    } finally {
      logged.mockRestore();
    }
  });

  it("records the rows of a list of titles as read, so a cached answer names them and is dropped by an article write", async () => {
    const url = await graphqlUrl(t);
    const read = async () => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ articles(first: 3, orderBy: PUBLISHED_AT_ASC) { nodes { id title slug } } }` }),
      });
      const body = (await response.json()) as { data: { articles: { nodes: { id: string; title: string }[] } } };
      return { cache: response.headers.get("x-cache"), nodes: body.data.articles.nodes, keys: (response.headers.get("surrogate-key") ?? "").split(" ") };
    };
    const before = await read();
    const ids = await t.data(`{ articles(first: 3, orderBy: PUBLISHED_AT_ASC) { nodes { id title tags { slug } } } }`);
    expect(before.nodes.map((node) => node.title)).toEqual(ids.articles.nodes.map((node: { title: string }) => node.title));
    // Each article read is named by its row id, as whole rows are.
    const rowIds = await t.db.dataSource.query(`SELECT "id" FROM article ORDER BY "publishedAt" ASC, "id" ASC LIMIT 3`);
    for (const { id } of rowIds as { id: number }[]) expect(before.keys).toContain(`article:${id}`);
    expect(await read()).toMatchObject({ cache: "HIT", nodes: before.nodes });
    await t.data(ADD_COMMENT, { articleId: before.nodes[0].id, body: "One more", authorName: "Narrow Reader" }, { token: TEST_TOKEN });
    expect((await read()).cache).toBe("MISS");
  });
});
