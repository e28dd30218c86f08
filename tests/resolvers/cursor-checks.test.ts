/**
 * A cursor names the list and the order that gave it, and is taken only by that list in that order.
 * Each case below reached SQL before: as NaN (INTERNAL_SERVER_ERROR on PostgreSQL), as a silent
 * empty page, or as a page of another list.
 */
import { Comment } from "../../src/entities";
import { toGlobalId } from "../../src/schema/global-id";
import { engines } from "../helpers/databases";
import { recountAfterDirectWrites, seedGenerated } from "../helpers/fixtures";
import { GqlResult, startTestServer, TestServer } from "../helpers/test-server";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

/** The error a refused cursor must give: BAD_USER_INPUT naming the argument, and no data. */
function expectCursorRefused(result: GqlResult, argument: "after" | "before", message?: RegExp) {
  expect(result.errors).toHaveLength(1);
  const [error] = result.errors!;
  expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: argument });
  expect(error.message).toContain(`"${argument}"`);
  if (message) expect(error.message).toMatch(message);
}

describe.each(engines)("cursor checks on %s", (engine) => {
  let t: TestServer;
  let articleIds: string[];
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    // Articles whose comment counts differ, so COMMENT_COUNT_DESC and PUBLISHED_AT_DESC disagree.
    articleIds = (await seedGenerated(t.db.dataSource, 5, 2)).map((id) => toGlobalId("Article", id));
    const repo = t.db.dataSource.getRepository(Comment);
    const first = await repo.findOneByOrFail({ articleId: 1, depth: 0, position: 1 });
    await repo.save(repo.create({ articleId: 1, parentId: first.id, body: "extra", depth: 1, position: 3, createdAt: new Date() }));
    await recountAfterDirectWrites(t.db.dataSource);
  });
  afterAll(() => t.close());

  async function endCursor(query: string, variables: Record<string, unknown> = {}): Promise<string> {
    const data = await t.data(query, variables);
    // The one connection in the answer, however deep.
    let connection = Object.values(data)[0] as any;
    while (!connection.pageInfo) connection = Object.values(connection)[0];
    const cursor = connection.pageInfo.endCursor;
    expect(typeof cursor).toBe("string");
    return cursor;
  }

  it("refuses a PUBLISHED_AT_DESC cursor sent with orderBy: COMMENT_COUNT_DESC, after and before", async () => {
    const cursor = await endCursor(`{ articles(first: 2) { pageInfo { endCursor } } }`);
    for (const argument of ["after", "before"] as const) {
      const result = await t.gql(`query($c: String) { articles(${argument}: $c, orderBy: COMMENT_COUNT_DESC) { nodes { id } } }`, { c: cursor });
      expectCursorRefused(result, argument, /PUBLISHED_AT_DESC/);
      expect(result.data).toBeNull();
    }
    // The same cursor still works with the order that gave it.
    const page = await t.data(`query($c: String) { articles(after: $c) { nodes { id } } }`, { c: cursor });
    expect(page.articles.nodes).toHaveLength(3);
  });

  it("refuses a cursor of every other order and list, on every connection", async () => {
    const sources: Record<string, string> = {
      "articles PUBLISHED_AT_DESC": await endCursor(`{ articles(first: 1) { pageInfo { endCursor } } }`),
      "articles PUBLISHED_AT_ASC": await endCursor(`{ articles(first: 1, orderBy: PUBLISHED_AT_ASC) { pageInfo { endCursor } } }`),
      "articles COMMENT_COUNT_DESC": await endCursor(`{ articles(first: 1, orderBy: COMMENT_COUNT_DESC) { pageInfo { endCursor } } }`),
      tags: await endCursor(`{ tags(first: 1) { pageInfo { endCursor } } }`),
      authors: await endCursor(`{ authors(first: 1) { pageInfo { endCursor } } }`),
      "Article.comments OLDEST": await endCursor(`query($id: ID!) { article(id: $id) { comments(first: 1) { pageInfo { endCursor } } } }`, {
        id: articleIds[0],
      }),
      "Article.comments NEWEST": await endCursor(`query($id: ID!) { article(id: $id) { comments(first: 1, orderBy: NEWEST) { pageInfo { endCursor } } } }`, {
        id: articleIds[0],
      }),
      "Article.comments MOST_REPLIES": await endCursor(
        `query($id: ID!) { article(id: $id) { comments(first: 1, orderBy: MOST_REPLIES) { pageInfo { endCursor } } } }`,
        { id: articleIds[0] },
      ),
      "other Article.comments OLDEST": await endCursor(`query($id: ID!) { article(id: $id) { comments(first: 1) { pageInfo { endCursor } } } }`, {
        id: articleIds[1],
      }),
      "Comment.replies OLDEST": await endCursor(`{ comment(id: "${toGlobalId("Comment", 1)}") { replies(first: 1) { pageInfo { endCursor } } } }`),
      "Tag.articles": await endCursor(`{ tag(slug: "generated") { articles(first: 1) { pageInfo { endCursor } } } }`),
      "Author.comments": await endCursor(`{ author(name: "Reader 1") { comments(first: 1) { pageInfo { endCursor } } } }`),
    };
    const targets: Record<string, (argument: string) => string> = {
      "articles PUBLISHED_AT_DESC": (a) => `query($c: String) { articles(${a}: $c) { nodes { id } } }`,
      "articles PUBLISHED_AT_ASC": (a) => `query($c: String) { articles(${a}: $c, orderBy: PUBLISHED_AT_ASC) { nodes { id } } }`,
      "articles COMMENT_COUNT_DESC": (a) => `query($c: String) { articles(${a}: $c, orderBy: COMMENT_COUNT_DESC) { nodes { id } } }`,
      tags: (a) => `query($c: String) { tags(${a}: $c) { nodes { id } } }`,
      authors: (a) => `query($c: String) { authors(${a}: $c) { nodes { id } } }`,
      "Article.comments OLDEST": (a) => `query($c: String) { article(id: "${articleIds[0]}") { comments(${a}: $c) { nodes { id } } } }`,
      "Article.comments NEWEST": (a) => `query($c: String) { article(id: "${articleIds[0]}") { comments(${a}: $c, orderBy: NEWEST) { nodes { id } } } }`,
      "Article.comments MOST_REPLIES": (a) =>
        `query($c: String) { article(id: "${articleIds[0]}") { comments(${a}: $c, orderBy: MOST_REPLIES) { nodes { id } } } }`,
      "other Article.comments OLDEST": (a) => `query($c: String) { article(id: "${articleIds[1]}") { comments(${a}: $c) { nodes { id } } } }`,
      "Comment.replies OLDEST": (a) => `query($c: String) { comment(id: "${toGlobalId("Comment", 1)}") { replies(${a}: $c) { nodes { id } } } }`,
      "Tag.articles": (a) => `query($c: String) { tag(slug: "generated") { articles(${a}: $c) { nodes { id } } } }`,
      "Author.comments": (a) => `query($c: String) { author(name: "Reader 1") { comments(${a}: $c) { nodes { id } } } }`,
    };
    for (const [source, cursor] of Object.entries(sources)) {
      for (const [target, query] of Object.entries(targets)) {
        for (const argument of ["after", "before"] as const) {
          const result = await t.gql(query(argument), { c: cursor });
          if (source === target) {
            expect({ source, target, argument, errors: result.errors }).toEqual({ source, target, argument, errors: undefined });
          } else {
            const codes = (result.errors ?? []).map((error) => [error.extensions?.code, error.extensions?.argumentName]);
            expect({ source, target, argument, codes }).toEqual({ source, target, argument, codes: [["BAD_USER_INPUT", argument]] });
          }
        }
      }
    }
  });

  it("refuses a comments cursor sent to articles, and a tag cursor sent to authors", async () => {
    const comments = await endCursor(`query($id: ID!) { article(id: $id) { comments(first: 1) { pageInfo { endCursor } } } }`, { id: articleIds[0] });
    expectCursorRefused(await t.gql(`query($c: String) { articles(after: $c) { nodes { id } } }`, { c: comments }), "after", /another list/);
    const tag = await endCursor(`{ tags(first: 1) { pageInfo { endCursor } } }`);
    expectCursorRefused(await t.gql(`query($c: String) { authors(after: $c) { nodes { id } } }`, { c: tag }), "after", /another list/);
    expectCursorRefused(await t.gql(`query($c: String) { authors(last: 1, before: $c) { nodes { id } } }`, { c: tag }), "before", /another list/);
  });

  it("refuses forged cursors of the right list and order whose values have the wrong type, or none at all", async () => {
    const good = await endCursor(`{ articles(first: 1) { pageInfo { endCursor } } }`);
    const [list, parent, order, values] = JSON.parse(Buffer.from(good, "base64url").toString("utf8"));
    expect([list, order, values.length]).toEqual([expect.any(String), "PUBLISHED_AT_DESC", 2]);
    const forged = [
      b64([list, parent, order, ["not a date", 1]]),
      b64([list, parent, order, ["2017-02-30T00:00:00.000Z", 1]]),
      b64([list, parent, order, ["+275760-09-13T00:00:00.000Z", 1]]),
      b64([list, parent, order, [values[0], "1"]]),
      b64([list, parent, order, [values[0], 1.5]]),
      b64([list, parent, order, [values[0], 2 ** 31]]),
      b64([list, parent, order, [values[0], 1e308]]),
      b64([list, parent, order, [values[0], null]]),
      b64([list, parent, order, [values[0]]]),
      b64([list, parent, order, [values[0], 1, 1]]),
      b64([list, parent, order, values[0]]),
      b64([list, 1, order, values]),
      b64([list, parent, "COMMENT_COUNT_DESC", values]),
      b64(["c1", "NaN", 1]),
      b64(["c1", 5, 1]),
      b64({ list, order, values }),
      `${good}x`,
      good.slice(0, -2),
      "",
    ];
    for (const cursor of forged) {
      const result = await t.gql(`query($c: String) { articles(after: $c) { nodes { id } } }`, { c: cursor });
      expect({ cursor, codes: (result.errors ?? []).map((e) => e.extensions?.code) }).toEqual({ cursor, codes: ["BAD_USER_INPUT"] });
      expect(result.errors![0].extensions?.argumentName).toBe("after");
    }
    // A comment-count cursor's count must be a whole, non-negative number.
    const byCount = await endCursor(`{ articles(first: 1, orderBy: COMMENT_COUNT_DESC) { pageInfo { endCursor } } }`);
    const decoded = JSON.parse(Buffer.from(byCount, "base64url").toString("utf8"));
    for (const count of ["NaN", -1, 0.5, 2 ** 53, "7"]) {
      const cursor = b64([decoded[0], decoded[1], decoded[2], [count, decoded[3][1]]]);
      const result = await t.gql(`query($c: String) { articles(before: $c, orderBy: COMMENT_COUNT_DESC) { nodes { id } } }`, { c: cursor });
      expectCursorRefused(result, "before");
    }
  });

  it("pages every list to the end and back with its own cursors", async () => {
    const lists: [string, string, (d: any) => any][] = [
      ["articles", `articles(ARGS) { PAGE }`, (d) => d.articles],
      ["articles ASC", `articles(ARGS, orderBy: PUBLISHED_AT_ASC) { PAGE }`, (d) => d.articles],
      ["articles by count", `articles(ARGS, orderBy: COMMENT_COUNT_DESC) { PAGE }`, (d) => d.articles],
      ["tags", `tags(ARGS) { PAGE }`, (d) => d.tags],
      ["authors", `authors(ARGS) { PAGE }`, (d) => d.authors],
      ["comments", `article(id: "${articleIds[0]}") { comments(ARGS) { PAGE } }`, (d) => d.article.comments],
      ["comments newest", `article(id: "${articleIds[0]}") { comments(ARGS, orderBy: NEWEST) { PAGE } }`, (d) => d.article.comments],
      ["comments by replies", `article(id: "${articleIds[0]}") { comments(ARGS, orderBy: MOST_REPLIES) { PAGE } }`, (d) => d.article.comments],
      ["replies", `comment(id: "${toGlobalId("Comment", 1)}") { replies(ARGS) { PAGE } }`, (d) => d.comment.replies],
      ["tag articles", `tag(slug: "generated") { articles(ARGS) { PAGE } }`, (d) => d.tag.articles],
      ["author comments", `author(name: "Reader 1") { comments(ARGS) { PAGE } }`, (d) => d.author.comments],
    ];
    const PAGE = `totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
    for (const [name, shape, pick] of lists) {
      const all = pick(await t.data(`{ ${shape.replace("ARGS", "first: 100").replace("PAGE", PAGE)} }`));
      expect(all.nodes.length).toBe(all.totalCount);
      expect(all.totalCount).toBeGreaterThan(1);
      const forwards: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = pick(await t.data(`query($c: String) { ${shape.replace("ARGS", "first: 1, after: $c").replace("PAGE", PAGE)} }`, { c: after }));
        expect({ name, hasPreviousPage: page.pageInfo.hasPreviousPage }).toEqual({ name, hasPreviousPage: after !== null });
        forwards.push(...page.nodes.map((n: { id: string }) => n.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect({ name, ids: forwards }).toEqual({ name, ids: all.nodes.map((n: { id: string }) => n.id) });
      const backwards: string[] = [];
      let before: string | null = null;
      for (;;) {
        const page: any = pick(await t.data(`query($c: String) { ${shape.replace("ARGS", "last: 1, before: $c").replace("PAGE", PAGE)} }`, { c: before }));
        backwards.unshift(...page.nodes.map((n: { id: string }) => n.id));
        if (!page.pageInfo.hasPreviousPage) break;
        before = page.pageInfo.startCursor;
      }
      expect({ name, ids: backwards }).toEqual({ name, ids: forwards });
    }
  });
});
