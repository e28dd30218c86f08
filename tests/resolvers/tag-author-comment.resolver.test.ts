import { Comment } from "../../src/entities";
import { toGlobalId } from "../../src/schema/global-id";
import { engines } from "../helpers/databases";
import { recountAfterDirectWrites, seedGenerated } from "../helpers/fixtures";
import { startTestServer, TestServer } from "../helpers/test-server";

describe.each(engines)("tags, authors, comments and node on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    await seedGenerated(t.db.dataSource, 5, 3);
  });
  afterAll(() => t.close());

  it("serves a tag by slug with an exact articleCount and its articles newest first", async () => {
    const { tag } = await t.data(
      `{ tag(slug: "GENERATED") { id name slug articleCount articles(first: 2) { totalCount nodes { title } pageInfo { hasNextPage } } } }`,
    );
    expect(tag).toMatchObject({ name: "Generated", slug: "generated", articleCount: 5 });
    expect(tag.articles).toEqual({
      totalCount: 5,
      nodes: [{ title: "Generated Story Number 4" }, { title: "Generated Story Number 3" }],
      pageInfo: { hasNextPage: true },
    });
    const rows = await t.db.dataSource.query(`SELECT COUNT(*) AS n FROM article_tag at JOIN tag tg ON tg."id" = at."tagId" WHERE tg."slug" = 'generated'`);
    expect(Number(rows[0].n)).toBe(5);
    expect((await t.data(`{ tag(slug: "no-such-tag") { id } }`)).tag).toBeNull();
  });

  it("lists tags and authors as connections with totalCount", async () => {
    const data = await t.data(`{ tags(first: 10) { totalCount nodes { slug } } authors { totalCount nodes { name } } }`);
    expect(data.tags.totalCount).toBe(4);
    expect(data.tags.nodes.map((n: { slug: string }) => n.slug).sort()).toEqual(["batch-0", "batch-1", "batch-2", "generated"]);
    const [{ n }] = await t.db.dataSource.query(`SELECT COUNT(*) AS n FROM author`);
    expect(data.authors.totalCount).toBe(Number(n));
    expect(data.authors.nodes.map((a: { name: string }) => a.name)).toEqual(["Reader 1", "Reader 2", "Reader 4", "Reader 0"]);
  });

  it("serves an author by name and by id with exact comment counts", async () => {
    const byName = await t.data(`{ author(name: "Reader 1") { id name commentCount comments(first: 100) { totalCount nodes { body author { name } } } } }`);
    const [{ n }] = await t.db.dataSource.query(`SELECT COUNT(*) AS n FROM comment c JOIN author a ON a."id" = c."authorId" WHERE a."name" = 'Reader 1'`);
    expect(byName.author.commentCount).toBe(Number(n));
    expect(byName.author.comments.totalCount).toBe(Number(n));
    expect(byName.author.comments.nodes.every((c: { author: { name: string } }) => c.author.name === "Reader 1")).toBe(true);
    const byId = await t.data(`query($id: ID!) { author(id: $id) { name } }`, { id: byName.author.id });
    expect(byId.author.name).toBe("Reader 1");
    expect((await t.data(`{ author(name: "nobody") { id } }`)).author).toBeNull();
  });

  it("serves a comment with its article, parent, depth and replies, paged both ways", async () => {
    const parent = await t.db.dataSource.getRepository(Comment).findOneByOrFail({ depth: 0, position: 2, articleId: 1 });
    const id = toGlobalId("Comment", parent.id);
    const { comment } = await t.data(
      `query($id: ID!) { comment(id: $id) { id depth position parent { id } article { title } replyCount
         replies(first: 2) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { id depth position parent { id } } } } }`,
      { id },
    );
    expect(comment).toMatchObject({ id, depth: 0, position: 2, parent: null, article: { title: "Generated Story Number 0" }, replyCount: 3 });
    expect(comment.replies.totalCount).toBe(3);
    expect(comment.replies.nodes.map((r: { position: number }) => r.position)).toEqual([1, 2]);
    expect(comment.replies.nodes[0]).toMatchObject({ depth: 1, parent: { id } });
    expect(comment.replies.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

    const rest = await t.data(
      `query($id: ID!, $after: String) { comment(id: $id) { replies(first: 2, after: $after) { nodes { position } pageInfo { hasNextPage hasPreviousPage } } } }`,
      {
        id,
        after: comment.replies.pageInfo.endCursor,
      },
    );
    expect(rest.comment.replies).toEqual({ nodes: [{ position: 3 }], pageInfo: { hasNextPage: false, hasPreviousPage: true } });

    const newest = await t.data(
      `query($id: ID!) { comment(id: $id) { replies(last: 2, orderBy: NEWEST) { nodes { position } pageInfo { hasPreviousPage } } } }`,
      { id },
    );
    expect(newest.comment.replies).toEqual({ nodes: [{ position: 2 }, { position: 1 }], pageInfo: { hasPreviousPage: true } });
  });

  it("orders top-level comments by most replies", async () => {
    const repo = t.db.dataSource.getRepository(Comment);
    const third = await repo.findOneByOrFail({ articleId: 2, depth: 0, position: 3 });
    await repo.save(repo.create({ articleId: 2, parentId: third.id, body: "one more", depth: 1, position: 4, createdAt: new Date() }));
    await recountAfterDirectWrites(t.db.dataSource);
    const { article } = await t.data(`query($id: ID!) { article(id: $id) { comments(first: 3, orderBy: MOST_REPLIES) { nodes { position replyCount } } } }`, {
      id: toGlobalId("Article", 2),
    });
    expect(article.comments.nodes).toEqual([
      { position: 3, replyCount: 4 },
      { position: 1, replyCount: 3 },
      { position: 2, replyCount: 3 },
    ]);
  });

  it("resolves every node type by global id, and null for wrong types or malformed ids", async () => {
    const ids = {
      Article: toGlobalId("Article", 1),
      Tag: toGlobalId("Tag", 1),
      Author: toGlobalId("Author", 1),
      Comment: toGlobalId("Comment", 1),
      RelatedLink: toGlobalId("RelatedLink", 1),
    };
    for (const [type, id] of Object.entries(ids)) {
      const { node } = await t.data(`query($id: ID!) { node(id: $id) { __typename id } }`, { id });
      expect(node).toEqual({ __typename: type, id });
    }
    const link = await t.data(`query($id: ID!) { node(id: $id) { ... on RelatedLink { title position article { title } } } }`, { id: ids.RelatedLink });
    expect(link.node).toEqual({ title: "Generated Story Number 1", position: 1, article: { title: "Generated Story Number 1" } });
    const wrongType = await t.data(`query($id: ID!) { comment(id: $id) { id } }`, { id: ids.Article });
    expect(wrongType.comment).toBeNull();
    for (const bad of ["", "%%%", Buffer.from("Article:abc").toString("base64url"), Buffer.from("Nope:1").toString("base64url"), "A".repeat(500)]) {
      expect((await t.data(`query($id: ID!) { node(id: $id) { id } }`, { id: bad })).node).toBeNull();
    }
  });
});
