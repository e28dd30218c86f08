/**
 * What the comment mutations answer: payloads a client cache can use as they are. A posted
 * comment's edge must page on from the list the comment joined exactly as a cursor the list served
 * would, which is what Relay's @appendEdge (and Apollo's cache.modify) rely on.
 */
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const ADD = `mutation($articleId: ID!, $body: String!, $parentId: ID, $order: CommentOrder) {
  addComment(articleId: $articleId, body: $body, parentId: $parentId) {
    comment { id body }
    commentEdge(orderBy: $order) { cursor node { id body depth } }
    article { id commentCount }
  }
}`;

const TOP_LEVEL = `query($id: ID!, $after: String, $before: String, $order: CommentOrder, $first: Int, $last: Int) {
  article(id: $id) {
    comments(first: $first, last: $last, after: $after, before: $before, orderBy: $order) {
      edges { cursor node { id body } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}`;

const REPLIES = `query($id: ID!, $after: String) {
  comment(id: $id) { replies(first: 10, after: $after) { edges { cursor node { id body } } pageInfo { hasNextPage endCursor } } }
}`;

describe.each(engines)("comment mutation payloads on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  const add = async (articleId: string, body: string, extra: { parentId?: string; order?: string } = {}) =>
    (await t.data(ADD, { articleId, body, ...extra }, { token: TEST_TOKEN })).addComment;
  const bodies = (connection: { edges: { node: { body: string } }[] }) => connection.edges.map((edge) => edge.node.body);

  it("answers a new top-level comment with an edge that pages on like the list's own cursors (Relay append)", async () => {
    const story = await importUniqueArticle(t);
    await postComment(t, story, "first");
    await postComment(t, story, "second");
    const loaded = (await t.data(TOP_LEVEL, { id: story, first: 10 })).article.comments;
    expect(bodies(loaded)).toEqual(["first", "second"]);
    expect(loaded.pageInfo.hasNextPage).toBe(false);

    const payload = await add(story, "  mine  ");
    expect(payload.comment.body).toBe("mine");
    expect(payload.commentEdge.node).toEqual({ id: payload.comment.id, body: "mine", depth: 0 });
    expect(payload.article.commentCount).toBe(3);

    // The client appends the edge: its connection's endCursor is now the edge's cursor.
    await postComment(t, story, "someone else's, later");
    const next = (await t.data(TOP_LEVEL, { id: story, first: 10, after: payload.commentEdge.cursor })).article.comments;
    expect(bodies(next)).toEqual(["someone else's, later"]);
    expect(next.pageInfo.hasPreviousPage).toBe(true);

    // The same cursor the list now serves for that comment, so both page alike.
    const whole = (await t.data(TOP_LEVEL, { id: story, first: 10 })).article.comments;
    expect(whole.edges[2]).toEqual({ cursor: payload.commentEdge.cursor, node: { id: payload.comment.id, body: "mine" } });
    const fromOldEnd = (await t.data(TOP_LEVEL, { id: story, first: 10, after: loaded.pageInfo.endCursor })).article.comments;
    expect(bodies(fromOldEnd)).toEqual(["mine", "someone else's, later"]);
    const before = (await t.data(TOP_LEVEL, { id: story, last: 10, before: payload.commentEdge.cursor })).article.comments;
    expect(bodies(before)).toEqual(["first", "second"]);
  });

  it("gives a reply an edge of its parent's replies, refused by the article's list", async () => {
    const story = await importUniqueArticle(t);
    const parent = await postComment(t, story, "parent");
    await postComment(t, story, "older reply", { parentId: parent.id });
    const payload = await add(story, "my reply", { parentId: parent.id });
    expect(payload.commentEdge.node.depth).toBe(1);
    expect(payload.article.commentCount).toBe(3);
    await postComment(t, story, "newer reply", { parentId: parent.id });

    const next = (await t.data(REPLIES, { id: parent.id, after: payload.commentEdge.cursor })).comment.replies;
    expect(bodies(next)).toEqual(["newer reply"]);
    const wrongList = await t.gql(TOP_LEVEL, { id: story, first: 10, after: payload.commentEdge.cursor });
    expect(wrongList.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", argumentName: "after" } });
    expect(wrongList.errors?.[0].message).toMatch(/another list/);
  });

  it("makes the edge for the order the client's list is read in", async () => {
    const story = await importUniqueArticle(t);
    await postComment(t, story, "old");
    const payload = await add(story, "new", { order: "NEWEST" });
    await postComment(t, story, "newest");
    // In NEWEST order the new comment comes first (prepend): after it are the older ones, before it the newer.
    const older = (await t.data(TOP_LEVEL, { id: story, first: 10, order: "NEWEST", after: payload.commentEdge.cursor })).article.comments;
    expect(bodies(older)).toEqual(["old"]);
    const newer = (await t.data(TOP_LEVEL, { id: story, last: 10, order: "NEWEST", before: payload.commentEdge.cursor })).article.comments;
    expect(bodies(newer)).toEqual(["newest"]);
    const otherOrder = await t.gql(TOP_LEVEL, { id: story, first: 10, after: payload.commentEdge.cursor });
    expect(otherOrder.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", argumentName: "after" } });
  });

  it("answers editComment with the comment and deleteComment with the comment and the article's new counts", async () => {
    const story = await importUniqueArticle(t);
    const kept = await postComment(t, story, "kept");
    const doomed = await postComment(t, story, "doomed");
    const edited = await t.data(
      `mutation($id: ID!) { editComment(id: $id, body: "changed") { comment { id body editedAt } } }`,
      { id: kept.id },
      { token: TEST_TOKEN },
    );
    expect(edited.editComment.comment).toMatchObject({ id: kept.id, body: "changed" });
    expect(edited.editComment.comment.editedAt).toEqual(expect.any(String));

    const deleted = await t.data(
      `mutation($id: ID!) { deleteComment(id: $id) { comment { id isDeleted body author { name } } article { id commentCount comments { totalCount } } } }`,
      { id: doomed.id },
      { token: TEST_TOKEN },
    );
    expect(deleted.deleteComment).toEqual({
      comment: { id: doomed.id, isDeleted: true, body: "", author: null },
      article: { id: story, commentCount: 1, comments: { totalCount: 1 } },
    });
  });
});

describe.each(engines)("permalinks: Comment.ancestors and Comment.thread on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  const CONTEXT = `query($id: ID!) { comment(id: $id) { body depth ancestors { id body depth isDeleted } thread { id body } } }`;

  it("lists the comments above a reply root first, tombstones included, and names its thread", async () => {
    const story = await importUniqueArticle(t);
    const root = await postComment(t, story, "root");
    const middle = await postComment(t, story, "middle", { parentId: root.id });
    const lower = await postComment(t, story, "lower", { parentId: middle.id });
    const leaf = await postComment(t, story, "leaf", { parentId: lower.id });
    await postComment(t, story, "elsewhere");
    await t.data(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: middle.id }, { token: TEST_TOKEN });

    const served = (await t.data(CONTEXT, { id: leaf.id })).comment;
    expect(served).toEqual({
      body: "leaf",
      depth: 3,
      ancestors: [
        { id: root.id, body: "root", depth: 0, isDeleted: false },
        { id: middle.id, body: "", depth: 1, isDeleted: true },
        { id: lower.id, body: "lower", depth: 2, isDeleted: false },
      ],
      thread: { id: root.id, body: "root" },
    });
    const top = (await t.data(CONTEXT, { id: root.id })).comment;
    expect(top).toEqual({ body: "root", depth: 0, ancestors: [], thread: { id: root.id, body: "root" } });
  });

  it("serves an ancestor the caller may not see as a tombstone", async () => {
    const story = await importUniqueArticle(t);
    const root = await postComment(t, story, "soon held", { authorName: "Hal" });
    const reply = await postComment(t, story, "still public", { parentId: root.id });
    await t.data(`mutation($id: ID!) { setCommentStatus(id: $id, status: PENDING) { comment { id } } }`, { id: root.id }, { token: TEST_TOKEN });
    const query = `query($id: ID!) { comment(id: $id) { ancestors { id body author { name } } thread { id body } } }`;
    expect((await t.data(query, { id: reply.id })).comment).toEqual({
      ancestors: [{ id: root.id, body: "", author: null }],
      thread: { id: root.id, body: "" },
    });
    expect((await t.data(query, { id: reply.id }, { token: TEST_TOKEN })).comment).toEqual({
      ancestors: [{ id: root.id, body: "soon held", author: { name: "Hal" } }],
      thread: { id: root.id, body: "soon held" },
    });
  });

  it("reads the ancestors of a whole page in one statement, whatever the page size and depth", async () => {
    const story = await importUniqueArticle(t);
    const roots = [];
    for (let i = 0; i < 6; i++) roots.push(await postComment(t, story, `root ${i}`));
    // Chains of different depths under each root: 2, 3, ... 7 replies deep.
    for (const [i, root] of roots.entries()) {
      let parent = root;
      for (let depth = 1; depth <= i + 2; depth++) parent = await postComment(t, story, `reply ${i}.${depth}`, { parentId: parent.id });
    }
    const query = `query($id: ID!, $first: Int!) {
      article(id: $id) { comments(first: $first) { nodes { thread { id } replies(first: 5) { nodes { ancestors { id body } thread { body }
        replies(first: 5) { nodes { ancestors { body } thread { body } } } } } } } }
    }`;
    // From two threads on, each level's replies are numbered per parent and read by id (one
    // statement more than one parent's page, which reads its rows itself): the count stays flat.
    const two = await t.gql(query, { id: story, first: 2 });
    const all = await t.gql(query, { id: story, first: 6 });
    expect(all.errors).toBeUndefined();
    const last = all.data!.article.comments.nodes[5];
    expect(last.replies.nodes[0].replies.nodes[0]).toEqual({ ancestors: [{ body: "root 5" }, { body: "reply 5.1" }], thread: { body: "root 5" } });
    expect(all.extensions?.sqlQueries).toBe(two.extensions?.sqlQueries);
  });

  it("answers the other comment mutations with CommentPayload, its article read after the write", async () => {
    const story = await importUniqueArticle(t);
    const kept = await postComment(t, story, "kept");
    const gone = await postComment(t, story, "gone");
    const selection = `{ __typename comment { id body status isFeatured } article { id commentCount featuredComments { id } } }`;
    const run = async (mutation: string, variables: Record<string, unknown>) => {
      const data = await t.data(`mutation($id: ID!) { result: ${mutation} ${selection} }`, variables, { token: TEST_TOKEN });
      expect(data.result.__typename).toBe("CommentPayload");
      expect(data.result.article.id).toBe(story);
      return data.result;
    };
    expect((await run(`editComment(id: $id, body: "kept, edited")`, { id: kept.id })).comment.body).toBe("kept, edited");
    const featured = await run(`featureComment(id: $id)`, { id: kept.id });
    expect(featured.article.featuredComments).toEqual([{ id: kept.id }]);
    expect((await run(`unfeatureComment(id: $id)`, { id: kept.id })).article.featuredComments).toEqual([]);
    const rejected = await run(`setCommentStatus(id: $id, status: REJECTED)`, { id: gone.id });
    expect(rejected.comment.status).toBe("REJECTED");
    expect(rejected.article.commentCount).toBe(1);
    await run(`setCommentStatus(id: $id, status: PUBLISHED)`, { id: gone.id });
    const deleted = await run(`deleteComment(id: $id)`, { id: gone.id });
    expect(deleted.comment.body).toBe("");
    expect(deleted.article.commentCount).toBe(1);
  });
});
