/**
 * One rule for counts: every count a client sees is the size of a list it can walk.
 * replyCount = replies.totalCount, Article.commentCount = the visible comments reachable from
 * article.comments at any depth, Author.commentCount = what Author.comments lists.
 */
import { run, sql } from "../../src/db/sql";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const DELETE = `mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`;

interface Listed {
  id: string;
  isDeleted: boolean;
  replyCount: number;
  author: { id: string } | null;
}

const LISTED = `totalCount pageInfo { hasNextPage } nodes { id isDeleted replyCount author { id } }`;

describe.each(engines)("counts on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  const remove = (id: string) => t.data(DELETE, { id }, { token: TEST_TOKEN });

  /** Walks the whole thread through GraphQL, one level per request, and checks every count against what was walked. */
  async function expectCountsAgreeWithLists(articleId: string) {
    const { article } = await t.data(`query($id: ID!) { article(id: $id) { commentCount comments(first: 100) { ${LISTED} } } }`, { id: articleId });
    let visible = 0;
    const byAuthor = new Map<string, number>();
    const walk = async (list: { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: Listed[] }) => {
      expect(list.pageInfo.hasNextPage).toBe(false);
      expect(list.nodes).toHaveLength(list.totalCount);
      for (const comment of list.nodes) {
        if (!comment.isDeleted) visible += 1;
        if (comment.author) byAuthor.set(comment.author.id, (byAuthor.get(comment.author.id) ?? 0) + 1);
        const { node } = await t.data(`query($id: ID!) { node(id: $id) { ... on Comment { replies(first: 100) { ${LISTED} } } } }`, { id: comment.id });
        expect({ id: comment.id, replyCount: comment.replyCount }).toEqual({ id: comment.id, replyCount: node.replies.totalCount });
        await walk(node.replies);
      }
    };
    await walk(article.comments);
    expect(article.commentCount).toBe(visible);
    for (const [authorId, seen] of byAuthor) {
      const { node } = await t.data(
        `query($id: ID!) { node(id: $id) { ... on Author { commentCount comments(first: 100) { totalCount nodes { id isDeleted } } } } }`,
        { id: authorId },
      );
      expect(node.commentCount).toBe(node.comments.totalCount);
      expect(node.comments.nodes).toHaveLength(node.commentCount);
      expect(node.comments.nodes.every((c: { isDeleted: boolean }) => !c.isDeleted)).toBe(true);
      // This article's share of the author's comments is what the walk saw.
      const [{ n }] = await run<{ n: number | string }>(
        t.db.dataSource,
        sql`SELECT COUNT(*) AS n FROM comment WHERE "authorId" = ${rowId(authorId)} AND "articleId" = ${rowId(articleId)} AND "isDeleted" = ${false}`,
      );
      expect(Number(n)).toBe(seen);
    }
    return article;
  }

  it("counts a deleted reply kept as a tombstone above a visible reply in its parent's replyCount", async () => {
    const story = await importUniqueArticle(t);
    const top = await postComment(t, story, "Top", { authorName: "Counter A" });
    const middle = await postComment(t, story, "Middle", { parentId: top.id, authorName: "Counter B" });
    await postComment(t, story, "Bottom", { parentId: middle.id, authorName: "Counter A" });
    await remove(middle.id);

    const { comment } = await t.data(`query($id: ID!) { comment(id: $id) { replyCount replies { totalCount nodes { id isDeleted } } } }`, { id: top.id });
    expect(comment).toEqual({ replyCount: 1, replies: { totalCount: 1, nodes: [{ id: middle.id, isDeleted: true }] } });
    const article = await expectCountsAgreeWithLists(story);
    expect(article.commentCount).toBe(2);
  });

  it("keeps every count equal to its list through a mix of replies and deletions at every depth", async () => {
    const story = await importUniqueArticle(t);
    const names = ["Counter C", "Counter D", null];
    const posted: { id: string; depth: number }[] = [];
    // Five top-level comments, then replies three levels down, spread over the authors.
    for (let i = 0; i < 5; i++) posted.push({ id: (await postComment(t, story, `top ${i}`, { authorName: names[i % 3] })).id, depth: 0 });
    for (let i = 0; i < 12; i++) {
      const parent = posted[(i * 7) % posted.length];
      if (parent.depth >= 3) continue;
      posted.push({ id: (await postComment(t, story, `reply ${i}`, { parentId: parent.id, authorName: names[i % 3] })).id, depth: parent.depth + 1 });
    }
    await expectCountsAgreeWithLists(story);
    // Delete in an order that leaves tombstones, drops some, and empties whole branches.
    for (const index of [0, 5, 1, 9, 6, 12, 2, 3, 4, 7, 8, 10, 11, 13, 14, 15, 16]) {
      if (index >= posted.length) continue;
      await remove(posted[index].id);
      await expectCountsAgreeWithLists(story);
    }
    const article = await expectCountsAgreeWithLists(story);
    expect(article).toMatchObject({ commentCount: 0, comments: { totalCount: 0 } });
  });

  it("orders MOST_REPLIES by replyCount, tombstones included", async () => {
    const story = await importUniqueArticle(t);
    const a = await postComment(t, story, "A");
    const b = await postComment(t, story, "B");
    await postComment(t, story, "B reply", { parentId: b.id });
    const a1 = await postComment(t, story, "A reply 1", { parentId: a.id });
    await postComment(t, story, "A reply 1 reply", { parentId: a1.id });
    const a2 = await postComment(t, story, "A reply 2", { parentId: a.id });
    await remove(a1.id);
    await remove(a2.id);
    // A lists one reply (a tombstone with something below it), B one visible reply: thread order breaks the tie.
    const { article } = await t.data(`query($id: ID!) { article(id: $id) { comments(orderBy: MOST_REPLIES) { nodes { id replyCount } } } }`, { id: story });
    expect(article.comments.nodes).toEqual([
      { id: a.id, replyCount: 1 },
      { id: b.id, replyCount: 1 },
    ]);
  });
});
