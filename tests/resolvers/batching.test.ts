import { CountingLogger } from "../../src/db/query-counter";
import { run, sql } from "../../src/db/sql";
import { engines } from "../helpers/databases";
import { seedGenerated } from "../helpers/fixtures";
import { DEEP_QUERY } from "../../scripts/deep-query";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";
import { readerToken } from "../helpers/readers";

/** The deep query with every field readers and moderators brought, each of which must be batched. */
const COMMUNITY_DEEP_QUERY = `query CommunityDeep($first: Int!) {
  viewer { role author { name } }
  articles(first: $first, orderBy: PUBLISHED_AT_ASC) {
    nodes {
      id commentCount moderation featuredComments { id body }
      comments(first: 10) {
        totalCount
        nodes {
          id body status editableUntil viewerCanEdit viewerCanDelete flagCount isFeatured moderationHistory { action } reactionCount viewerHasReacted
          author { name commentCount }
          replies(first: 5) { totalCount nodes { id body status viewerCanEdit flagCount author { name } reactionCount viewerHasReacted } }
        }
      }
    }
  }
}`;

describe.each(engines)("batching on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    await seedGenerated(t.db.dataSource, 50, 2);
  });
  afterAll(() => t.close());

  // One article's lists are each one statement that reads its rows (read/connection.ts); from two
  // articles on, each list is numbered per article and its rows read by id, whatever the number.
  it("runs the same number of SQL statements for 2 articles as for 50, and no more for 1", async () => {
    const one = await t.gql(DEEP_QUERY, { first: 1 });
    const two = await t.gql(DEEP_QUERY, { first: 2 });
    const fifty = await t.gql(DEEP_QUERY, { first: 50 });
    expect(one.errors).toBeUndefined();
    expect(fifty.errors).toBeUndefined();
    expect(one.data!.articles.nodes).toHaveLength(1);
    expect(fifty.data!.articles.nodes).toHaveLength(50);

    const article = fifty.data!.articles.nodes[10];
    expect(article.commentCount).toBe(6 + 6 * 2);
    expect(article.comments.totalCount).toBe(6);
    expect(article.comments.nodes[1].replies.totalCount).toBe(2);
    expect(article.comments.nodes[1].replies.nodes[0]).toMatchObject({ depth: 1, parent: { id: article.comments.nodes[1].id } });
    expect(article.relatedLinks[0].article.title).toBe("Generated Story Number 11");
    expect(article.relatedLinks[1].article).toBeNull();

    const statements1 = one.extensions?.sqlQueries as number;
    const statements2 = two.extensions?.sqlQueries as number;
    const statements50 = fifty.extensions?.sqlQueries as number;
    expect(statements1).toBeGreaterThan(5);
    expect(statements1).toBeLessThan(statements2);
    expect(statements50).toBe(statements2);
  });

  it("keeps the count flat with reactionCount and viewerHasReacted selected, for a signed-in reader", async () => {
    const reader = await readerToken({ sub: "batching-reader", name: "Batcher" });
    // The deep query costs 44,401 of the 50,000 budget at first: 50; two fields more on every reply
    // (2,500 replies) and two on every comment would pass it, so the replies' depth makes room.
    const query = DEEP_QUERY.replace("id body hasAvatar replyCount", "id body hasAvatar replyCount reactionCount viewerHasReacted").replace(
      "id body depth author { name } parent { id }",
      "id body author { name } parent { id } reactionCount viewerHasReacted",
    );
    expect(query).toContain("replyCount reactionCount viewerHasReacted");
    expect(query).toContain("parent { id } reactionCount viewerHasReacted");
    // Some reactions by this reader, so the look-ups find rows.
    const page = await t.data(`{ articles(first: 3, orderBy: PUBLISHED_AT_ASC) { nodes { comments(first: 2) { nodes { id } } } } }`);
    const reacted: string[] = page.articles.nodes.flatMap((article: { comments: { nodes: { id: string }[] } }) =>
      article.comments.nodes.map((comment) => comment.id),
    );
    for (const id of reacted) await t.data(`mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }`, { id }, { token: reader });

    const one = await t.gql(query, { first: 1 }, { token: reader });
    const two = await t.gql(query, { first: 2 }, { token: reader });
    const fifty = await t.gql(query, { first: 50 }, { token: reader });
    expect(one.errors).toBeUndefined();
    expect(fifty.errors).toBeUndefined();
    const first = fifty.data!.articles.nodes[0].comments.nodes[0];
    expect(first).toMatchObject({ id: reacted[0], reactionCount: 1, viewerHasReacted: true });
    expect(fifty.data!.articles.nodes[10].comments.nodes[0]).toMatchObject({ reactionCount: 0, viewerHasReacted: false });
    expect(first.replies.nodes[0]).toMatchObject({ reactionCount: 0, viewerHasReacted: false, parent: { id: first.id } });
    expect(fifty.extensions?.sqlQueries).toBe(two.extensions?.sqlQueries);
    expect(one.extensions?.sqlQueries as number).toBeLessThan(two.extensions?.sqlQueries as number);
  });

  it("reads one article's comment page with its rows in one statement, in every order, and pages on from its cursors", async () => {
    const logged = jest.spyOn(CountingLogger.prototype, "logQuery");
    try {
      const { articles } = await t.data(`{ articles(first: 1, orderBy: PUBLISHED_AT_ASC) { nodes { id } } }`);
      const id = articles.nodes[0].id;
      const page = `query($id: ID!, $order: CommentOrder, $after: String) {
        article(id: $id) { comments(first: 4, orderBy: $order, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id body replyCount } } }
      }`;
      for (const order of ["OLDEST", "NEWEST", "MOST_REPLIES", "MOST_REACTIONS"]) {
        logged.mockClear();
        const answer = await t.gql(page, { id, order });
        const first = answer.data!.article.comments;
        // The article, then the page with its rows and its count: not the rows by id after the
        // page, nor the count in a statement of its own.
        expect({ order, byId: logged.mock.calls.filter(([text]) => /c\."id" IN/.test(text)).length }).toEqual({ order, byId: 0 });
        expect({ order, statements: answer.extensions?.sqlQueries }).toEqual({ order, statements: 2 });
        const second = (await t.data(page, { id, order, after: first.pageInfo.endCursor })).article.comments;
        expect({ order, totalCount: second.totalCount }).toEqual({ order, totalCount: first.totalCount });
        const all = (await t.data(page.replace("first: 4", "first: 20"), { id, order })).article.comments;
        expect({ order, ids: [...first.nodes, ...second.nodes].map((node: { id: string }) => node.id) }).toEqual({
          order,
          ids: all.nodes.map((node: { id: string }) => node.id),
        });
        expect(all.nodes).toHaveLength(all.totalCount);
        expect(first.pageInfo.hasNextPage).toBe(true);
        expect(second.pageInfo.hasNextPage).toBe(false);
      }
    } finally {
      logged.mockRestore();
    }
  });

  it("reads no article body for title lists and related headlines, and the body in one statement when asked", async () => {
    // Every statement any connection runs passes through the TypeORM logger.
    const logged = jest.spyOn(CountingLogger.prototype, "logQuery");
    const statements = () => logged.mock.calls.map(([text]) => text);
    try {
      const titles = await t.data(
        `{ articles(first: 20, orderBy: PUBLISHED_AT_ASC) { nodes { title relatedLinks { article { title } } comments(first: 2) { nodes { article { title } } } } } }`,
      );
      expect(titles.articles.nodes[10].relatedLinks[0].article.title).toBe("Generated Story Number 11");
      expect(statements().length).toBeGreaterThan(3);
      expect(statements().filter((text) => /paragraphs|searchText/.test(text))).toEqual([]);

      const bodies = async (first: number) => {
        logged.mockClear();
        const page = await t.gql(`query($first: Int!) { articles(first: $first) { nodes { title paragraphs } } }`, { first });
        expect(page.data!.articles.nodes[0].paragraphs).toHaveLength(2);
        return { count: page.extensions?.sqlQueries, reads: statements().filter((text) => /paragraphs/.test(text)).length };
      };
      const one = await bodies(1);
      expect(one.reads).toBe(1);
      expect(await bodies(50)).toEqual(one);
    } finally {
      logged.mockRestore();
    }
  });

  it("reads an article page's body with its row, by slug, url and externalId, and no body when the page shows none", async () => {
    const logged = jest.spyOn(CountingLogger.prototype, "logQuery");
    try {
      const { articles } = await t.data(`{ articles(first: 1, orderBy: PUBLISHED_AT_ASC) { nodes { slug paragraphs } } }`);
      const { slug, paragraphs } = articles.nodes[0];
      // Generated articles have neither; the publisher's url and id are given to this one.
      const url = "https://news.example/batching-body";
      const externalId = "batching-body-1";
      await run(t.db.dataSource, sql`UPDATE article SET "url" = ${url}, "externalId" = ${externalId} WHERE "slug" = ${slug}`);
      const lookups: [string, string, string][] = [
        ["slug", "String", slug],
        ["url", "String", url],
        ["externalId", "String", externalId],
      ];
      for (const [argument, type, value] of lookups) {
        logged.mockClear();
        const page = await t.gql(`query($v: ${type}!) { article(${argument}: $v) { title paragraphs } }`, { v: value });
        expect({ argument, paragraphs: page.data!.article.paragraphs, statements: page.extensions?.sqlQueries }).toEqual({
          argument,
          paragraphs,
          statements: 1,
        });
        logged.mockClear();
        const titleOnly = await t.gql(`query($v: ${type}!) { article(${argument}: $v) { ...T } } fragment T on Article { title }`, { v: value });
        expect(titleOnly.data!.article.title).toBeTruthy();
        expect({ argument, bodies: logged.mock.calls.filter(([text]) => /paragraphs/.test(text)).length }).toEqual({ argument, bodies: 0 });
      }
      // Through a fragment, and twice under two aliases, one of which shows no body.
      const twice = await t.gql(
        `query($s: String!) { a: article(slug: $s) { title } b: article(slug: $s) { ...Body } } fragment Body on Article { paragraphs }`,
        {
          s: slug,
        },
      );
      expect(twice.data!.b.paragraphs).toEqual(paragraphs);
      expect(twice.extensions?.sqlQueries).toBe(1);
    } finally {
      logged.mockRestore();
    }
  });

  it("keeps the count flat for tags and authors with their nested lists", async () => {
    const query = `query($first: Int!) {
      tags(first: $first) { nodes { name articleCount articles(first: 3) { totalCount nodes { title } } } }
      authors(first: $first) { nodes { name commentCount comments(first: 3) { nodes { body } } } }
    }`;
    const small = await t.gql(query, { first: 1 });
    const large = await t.gql(query, { first: 50 });
    expect(large.errors).toBeUndefined();
    expect(large.data!.tags.nodes.length).toBeGreaterThan(1);
    expect(large.extensions?.sqlQueries).toBe(small.extensions?.sqlQueries);
  });

  it("keeps the count flat with the community fields selected, for the public, a reader and a moderator", async () => {
    const reader = await readerToken({ sub: "batching-reader", name: "Bea" });
    const moderator = await readerToken({ sub: "batching-moderator", role: "moderator" });
    const counts: Record<string, number[]> = {};
    for (const [who, token] of [
      ["public", null],
      ["reader", reader],
      ["moderator", moderator],
      ["service", TEST_TOKEN],
    ] as const) {
      const one = await t.gql(COMMUNITY_DEEP_QUERY, { first: 1 }, { token });
      const two = await t.gql(COMMUNITY_DEEP_QUERY, { first: 2 }, { token });
      const fifty = await t.gql(COMMUNITY_DEEP_QUERY, { first: 50 }, { token });
      expect({ who, errors: fifty.errors }).toEqual({ who, errors: undefined });
      expect(fifty.data!.articles.nodes).toHaveLength(50);
      counts[who] = [one.extensions?.sqlQueries as number, two.extensions?.sqlQueries as number, fifty.extensions?.sqlQueries as number];
    }
    for (const [who, [one, two, fifty]] of Object.entries(counts)) {
      expect({ who, fifty }).toEqual({ who, fifty: two });
      expect({ who, fewerForOne: one < two }).toEqual({ who, fewerForOne: true });
    }
  });
});
