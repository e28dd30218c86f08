import { run, sql } from "../../src/db/sql";
import { toGlobalId } from "../../src/schema/global-id";
import { engines } from "../helpers/databases";
import { ADD_COMMENT, importUniqueArticle, postComment, rowId, tableSizes, visibleByAuthor, visibleCounts } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const EDIT = `mutation($id: ID!, $body: String!) { editComment(id: $id, body: $body) { comment { id body createdAt editedAt isDeleted } } }`;
const DELETE = `mutation($id: ID!) { deleteComment(id: $id) { comment { id body isDeleted author { name } replyCount } } }`;

/** Everything a reader sees of a thread, two levels down, with every count the API serves. */
const THREAD = `query($id: ID!, $order: CommentOrder) {
  article(id: $id) {
    commentCount
    comments(first: 20, orderBy: $order) {
      totalCount
      nodes {
        id body isDeleted depth position replyCount author { id name commentCount }
        replies(first: 10, orderBy: $order) {
          totalCount
          nodes { id body isDeleted depth position replyCount author { id name commentCount } parent { id } }
        }
      }
    }
  }
}`;

interface ThreadComment {
  id: string;
  body: string;
  isDeleted: boolean;
  depth: number;
  position: number;
  replyCount: number;
  author: { id: string; name: string; commentCount: number } | null;
  replies?: { totalCount: number; nodes: ThreadComment[] };
}

interface Thread {
  commentCount: number;
  comments: { totalCount: number; nodes: ThreadComment[] };
}

describe.each(engines)("comment writes on %s", (engine) => {
  let t: TestServer;
  let articleId: string;
  let otherArticleId: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    articleId = await importUniqueArticle(t);
    otherArticleId = await importUniqueArticle(t);
  });
  afterAll(() => t.close());

  async function thread(id: string, order = "OLDEST"): Promise<Thread> {
    return (await t.data(THREAD, { id, order })).article;
  }

  /** Every count in the thread against the rows: commentCount, totalCount, replyCount, Author.commentCount. */
  async function expectCountsMatchRows(id: string): Promise<Thread> {
    const served = await thread(id);
    expect(served.commentCount).toBe((await visibleCounts(t.db.dataSource, id)).commentCount);
    // The tombstone rule, worked out from the rows in plain code: a top-level comment is listed
    // when it, or anything at any depth below it, is not deleted.
    const rows = await run<{ id: number; parentId: number | null; isDeleted: unknown }>(
      t.db.dataSource,
      sql`SELECT "id", "parentId", "isDeleted" FROM comment WHERE "articleId" = ${rowId(id)}`,
    );
    const children = new Map<number, number[]>();
    for (const row of rows) if (row.parentId !== null) children.set(Number(row.parentId), [...(children.get(Number(row.parentId)) ?? []), Number(row.id)]);
    const deleted = new Set(rows.filter((row) => Boolean(row.isDeleted)).map((row) => Number(row.id)));
    const listed = (commentId: number): boolean => !deleted.has(commentId) || (children.get(commentId) ?? []).some(listed);
    expect(served.comments.totalCount).toBe(rows.filter((row) => row.parentId === null && listed(Number(row.id))).length);
    for (const comment of served.comments.nodes.flatMap((c) => [c, ...(c.replies?.nodes ?? [])])) {
      // replyCount counts what replies lists: listed direct replies, tombstones included.
      expect(comment.replyCount).toBe((children.get(rowId(comment.id)) ?? []).filter(listed).length);
      if (comment.replies) expect(comment.replyCount).toBe(comment.replies.totalCount);
      if (comment.author) expect(comment.author.commentCount).toBe(await visibleByAuthor(t.db.dataSource, comment.author.id));
    }
    return served;
  }

  async function commentRow(id: string) {
    const [row] = await run<Record<string, unknown>>(t.db.dataSource, sql`SELECT * FROM comment WHERE "id" = ${rowId(id)}`);
    return row;
  }

  it("refuses every write without the right token, and writes nothing", async () => {
    const target = await postComment(t, articleId, "A comment nobody may touch");
    const before = await tableSizes(t.db.dataSource);
    const operations: [string, Record<string, unknown>][] = [
      [ADD_COMMENT, { articleId, body: "Sneaky", authorName: "Mallory" }],
      [EDIT, { id: target.id, body: "Defaced" }],
      [DELETE, { id: target.id }],
      [`mutation($text: String!) { importDump(text: $text) { status } }`, { text: "whatever" }],
    ];
    for (const token of [null, "wrong-token-0123456789", `${TEST_TOKEN}x`]) {
      for (const [query, variables] of operations) {
        const result = await t.gql(query, variables, { token });
        expect({ query, token, code: result.errors?.[0].extensions?.code }).toEqual({ query, token, code: "UNAUTHENTICATED" });
        // No token: the mutation runs and refuses (its field null). A wrong one: the request is refused
        // before any resolver runs, so there is no data at all.
        if (token === null) expect(Object.values(result.data ?? {})).toEqual([null]);
        else expect(result.data).toBeUndefined();
      }
    }
    expect(await tableSizes(t.db.dataSource)).toEqual(before);
    expect(await commentRow(target.id)).toMatchObject({ body: "A comment nobody may touch", editedAt: null });
    expect(Boolean((await commentRow(target.id)).isDeleted)).toBe(false);
  });

  it("refuses bad input with the right code, and writes nothing", async () => {
    const own = await postComment(t, articleId, "Parent on the first article");
    const foreign = await postComment(t, otherArticleId, "Parent on the other article");
    const before = await tableSizes(t.db.dataSource);
    const unknownArticle = toGlobalId("Article", 999_999);
    const unknownComment = toGlobalId("Comment", 999_999);
    const cases: [string, string, Record<string, unknown>, string][] = [
      ["blank body", ADD_COMMENT, { articleId, body: "  \n\t  " }, "BAD_USER_INPUT"],
      ["body of 10,001 characters", ADD_COMMENT, { articleId, body: "x".repeat(10_001) }, "BAD_USER_INPUT"],
      ["name of 81 characters", ADD_COMMENT, { articleId, body: "Fine", authorName: "n".repeat(81) }, "BAD_USER_INPUT"],
      ["name on two lines", ADD_COMMENT, { articleId, body: "Fine", authorName: "Two\nLines" }, "BAD_USER_INPUT"],
      ["NUL in the body", ADD_COMMENT, { articleId, body: "nul \u0000 here" }, "BAD_USER_INPUT"],
      ["unknown article", ADD_COMMENT, { articleId: unknownArticle, body: "Fine" }, "NOT_FOUND"],
      ["unknown parent", ADD_COMMENT, { articleId, body: "Fine", parentId: unknownComment }, "NOT_FOUND"],
      ["parent from another article", ADD_COMMENT, { articleId, body: "Fine", parentId: foreign.id }, "BAD_USER_INPUT"],
      ["malformed article id", ADD_COMMENT, { articleId: "junk!!", body: "Fine" }, "BAD_USER_INPUT"],
      ["article id of another type", ADD_COMMENT, { articleId: own.id, body: "Fine" }, "BAD_USER_INPUT"],
      ["malformed parent id", ADD_COMMENT, { articleId, body: "Fine", parentId: "bm9wZQ" }, "BAD_USER_INPUT"],
      ["edit: blank body", EDIT, { id: own.id, body: " " }, "BAD_USER_INPUT"],
      ["edit: body too long", EDIT, { id: own.id, body: "y".repeat(10_001) }, "BAD_USER_INPUT"],
      ["edit: unknown id", EDIT, { id: unknownComment, body: "Fine" }, "NOT_FOUND"],
      ["edit: malformed id", EDIT, { id: "%%%", body: "Fine" }, "BAD_USER_INPUT"],
      ["delete: unknown id", DELETE, { id: unknownComment }, "NOT_FOUND"],
      ["delete: malformed id", DELETE, { id: articleId }, "BAD_USER_INPUT"],
    ];
    for (const [name, query, variables, code] of cases) {
      const result = await t.gql(query, variables, { token: TEST_TOKEN });
      expect({ name, code: result.errors?.[0].extensions?.code }).toEqual({ name, code });
      // Refused before execution (NUL, checked at the edge) there is no data at all; in a resolver, its field is null.
      expect(Object.values(result.data ?? {}).filter((value) => value !== null)).toEqual([]);
    }
    expect(await tableSizes(t.db.dataSource)).toEqual(before);
    expect((await commentRow(own.id)).body).toBe("Parent on the first article");
  });

  it("accepts a body of exactly 10,000 characters and a name of exactly 80", async () => {
    const comment = await postComment(t, otherArticleId, ` ${"z".repeat(10_000)}\n`, { authorName: "m".repeat(80) });
    expect(comment.body).toHaveLength(10_000);
    expect(comment.author?.name).toBe("m".repeat(80));
  });

  it("posts comments and replies with depth, position, timestamps and shared commenters", async () => {
    const story = await importUniqueArticle(t);
    const startedAt = Date.now();
    const first = await postComment(t, story, "  First!  ", { authorName: "  Dana  " });
    expect(first).toMatchObject({ body: "First!", depth: 0, position: 1, editedAt: null, isDeleted: false, hasAvatar: false, parent: null });
    expect(first.author?.name).toBe("Dana");
    expect(new Date(first.createdAt!).getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
    await expectCountsMatchRows(story);

    const anonymous = await postComment(t, story, "No name given", { authorName: "   " });
    expect(anonymous).toMatchObject({ author: null, depth: 0, position: 2 });
    const reply = await postComment(t, story, "A reply", { parentId: first.id });
    expect(reply).toMatchObject({ depth: 1, position: 1, parent: { id: first.id } });
    const danaAgain = await postComment(t, story, "Dana replies to herself", { parentId: first.id, authorName: "Dana" });
    expect(danaAgain).toMatchObject({ depth: 1, position: 2 });
    expect(danaAgain.author?.id).toBe(first.author?.id);
    const deep = await postComment(t, story, "A reply to a reply", { parentId: reply.id });
    expect(deep).toMatchObject({ depth: 2, position: 1, parent: { id: reply.id } });

    const served = await expectCountsMatchRows(story);
    expect(served.commentCount).toBe(5);
    expect(served.comments.totalCount).toBe(2);
    expect(served.comments.nodes.map((c) => c.id)).toEqual([first.id, anonymous.id]);
    const [top] = served.comments.nodes;
    expect(top.replyCount).toBe(2);
    expect(top.author).toMatchObject({ name: "Dana", commentCount: 2 });
    expect(top.replies?.nodes.map((c) => [c.id, c.depth, c.replyCount])).toEqual([
      [reply.id, 1, 1],
      [danaAgain.id, 1, 0],
    ]);
    const deepReplies = await t.data(`query($id: ID!) { comment(id: $id) { replies { totalCount nodes { id depth } } } }`, { id: reply.id });
    expect(deepReplies.comment.replies).toEqual({ totalCount: 1, nodes: [{ id: deep.id, depth: 2 }] });

    const rows = await run<Record<string, unknown>>(t.db.dataSource, sql`SELECT * FROM comment WHERE "articleId" = ${rowId(story)} ORDER BY "id"`);
    expect(rows.map((row) => [Number(row.depth), Number(row.position), Boolean(row.imported), Boolean(row.hasAvatar)])).toEqual([
      [0, 1, false, false],
      [0, 2, false, false],
      [1, 1, false, false],
      [1, 2, false, false],
      [2, 1, false, false],
    ]);
    expect(rows[0].body).toBe("First!");
    const danas = await run(t.db.dataSource, sql`SELECT "id" FROM author WHERE "name" = ${"Dana"}`);
    expect(danas).toHaveLength(1);
  });

  it("orders comments and replies OLDEST, NEWEST and MOST_REPLIES", async () => {
    const story = await importUniqueArticle(t);
    const a = await postComment(t, story, "a");
    const b = await postComment(t, story, "b");
    const c = await postComment(t, story, "c");
    const b1 = await postComment(t, story, "b1", { parentId: b.id });
    const b2 = await postComment(t, story, "b2", { parentId: b.id });
    const b3 = await postComment(t, story, "b3", { parentId: b.id });
    await postComment(t, story, "c1", { parentId: c.id });
    await postComment(t, story, "b3 x", { parentId: b3.id });
    await postComment(t, story, "b3 y", { parentId: b3.id });
    await postComment(t, story, "b1 x", { parentId: b1.id });

    const ids = (served: Thread) => served.comments.nodes.map((n) => n.id);
    const replyIds = (served: Thread) => served.comments.nodes.find((n) => n.id === b.id)!.replies!.nodes.map((n) => n.id);
    const oldest = await thread(story, "OLDEST");
    expect(ids(oldest)).toEqual([a.id, b.id, c.id]);
    expect(replyIds(oldest)).toEqual([b1.id, b2.id, b3.id]);
    const newest = await thread(story, "NEWEST");
    expect(ids(newest)).toEqual([c.id, b.id, a.id]);
    expect(replyIds(newest)).toEqual([b3.id, b2.id, b1.id]);
    const busiest = await thread(story, "MOST_REPLIES");
    expect(ids(busiest)).toEqual([b.id, c.id, a.id]);
    expect(replyIds(busiest)).toEqual([b3.id, b1.id, b2.id]);
    await expectCountsMatchRows(story);
  });

  it("edits set the body and editedAt and keep createdAt", async () => {
    const story = await importUniqueArticle(t);
    const original = await postComment(t, story, "Original text", { authorName: "Editor" });
    const edited = (await t.data(EDIT, { id: original.id, body: "  Better text \n" }, { token: TEST_TOKEN })).editComment.comment;
    expect(edited).toMatchObject({ id: original.id, body: "Better text", createdAt: original.createdAt, isDeleted: false });
    expect(edited.editedAt).not.toBeNull();
    expect(new Date(edited.editedAt).getTime()).toBeGreaterThanOrEqual(new Date(original.createdAt!).getTime());
    const row = await commentRow(original.id);
    expect(row.body).toBe("Better text");
    expect(row.editedAt).not.toBeNull();
    const served = await expectCountsMatchRows(story);
    expect(served.comments.nodes[0]).toMatchObject({ body: "Better text", author: { name: "Editor", commentCount: 1 } });
    expect(served.commentCount).toBe(1);
  });

  it("deleting a comment with replies leaves a tombstone; its replies stay reachable and the counts drop by one", async () => {
    const story = await importUniqueArticle(t);
    const parent = await postComment(t, story, "I will be deleted", { authorName: "Erin" });
    const q = await postComment(t, story, "Reply q", { parentId: parent.id, authorName: "Frank" });
    const r = await postComment(t, story, "Reply r", { parentId: parent.id });
    const sibling = await postComment(t, story, "A sibling that stays");
    const before = await expectCountsMatchRows(story);
    expect(before.commentCount).toBe(4);
    expect(before.comments.totalCount).toBe(2);

    const deleted = (await t.data(DELETE, { id: parent.id }, { token: TEST_TOKEN })).deleteComment.comment;
    expect(deleted).toEqual({ id: parent.id, body: "", isDeleted: true, author: null, replyCount: 2 });

    const after = await expectCountsMatchRows(story);
    expect(after.commentCount).toBe(3);
    expect(after.comments.totalCount).toBe(2);
    const tombstone = after.comments.nodes[0];
    expect(tombstone).toMatchObject({ id: parent.id, isDeleted: true, body: "", author: null, replyCount: 2 });
    expect(tombstone.replies?.nodes.map((n) => n.id)).toEqual([q.id, r.id]);
    expect(after.comments.nodes[1].id).toBe(sibling.id);
    // With no published comment left, Erin is no longer found by name.
    const erin = await t.data(`{ author(name: "Erin") { commentCount comments { totalCount } } }`);
    expect(erin.author).toBeNull();
    const viaNode = await t.data(`query($id: ID!) { comment(id: $id) { isDeleted body replies { totalCount } } }`, { id: parent.id });
    expect(viaNode.comment).toEqual({ isDeleted: true, body: "", replies: { totalCount: 2 } });
    const reply = await t.data(`query($id: ID!) { comment(id: $id) { body parent { id isDeleted } } }`, { id: q.id });
    expect(reply.comment).toEqual({ body: "Reply q", parent: { id: parent.id, isDeleted: true } });

    // The text stays in the row, only unserved; no reply and no edit on a tombstone.
    const row = await commentRow(parent.id);
    expect(row.body).toBe("I will be deleted");
    expect(Boolean(row.isDeleted)).toBe(true);
    const sizes = await tableSizes(t.db.dataSource);
    const replyToDeleted = await t.gql(ADD_COMMENT, { articleId: story, body: "Too late", parentId: parent.id }, { token: TEST_TOKEN });
    expect(replyToDeleted.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(replyToDeleted.errors?.[0].message).toMatch(/deleted/);
    const editDeleted = await t.gql(EDIT, { id: parent.id, body: "Resurrected" }, { token: TEST_TOKEN });
    expect(editDeleted.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(await tableSizes(t.db.dataSource)).toEqual(sizes);
    expect((await commentRow(parent.id)).body).toBe("I will be deleted");

    // Deleting twice is a no-op that returns the tombstone again.
    const again = (await t.data(DELETE, { id: parent.id }, { token: TEST_TOKEN })).deleteComment.comment;
    expect(again).toEqual(deleted);
    expect((await expectCountsMatchRows(story)).commentCount).toBe(3);
  });

  it("deleting a leaf takes it out of every connection", async () => {
    const story = await importUniqueArticle(t);
    const parent = await postComment(t, story, "Parent");
    const keep = await postComment(t, story, "Reply that stays", { parentId: parent.id });
    const leafReply = await postComment(t, story, "Reply to delete", { parentId: parent.id, authorName: "Gone Soon" });
    const leafTop = await postComment(t, story, "Top-level comment to delete");
    expect((await expectCountsMatchRows(story)).commentCount).toBe(4);

    await t.data(DELETE, { id: leafReply.id }, { token: TEST_TOKEN });
    let served = await expectCountsMatchRows(story);
    expect(served.commentCount).toBe(3);
    expect(served.comments.nodes[0]).toMatchObject({ id: parent.id, replyCount: 1 });
    expect(served.comments.nodes[0].replies).toMatchObject({ totalCount: 1, nodes: [{ id: keep.id }] });
    // With no published comment left, the commenter is no longer found by name.
    const gone = await t.data(`{ author(name: "Gone Soon") { commentCount comments { totalCount } } }`);
    expect(gone.author).toBeNull();

    await t.data(DELETE, { id: leafTop.id }, { token: TEST_TOKEN });
    served = await expectCountsMatchRows(story);
    expect(served.commentCount).toBe(2);
    expect(served.comments.totalCount).toBe(1);
    expect(served.comments.nodes.map((n) => n.id)).toEqual([parent.id]);
  });

  it("drops a tombstone once nothing visible hangs below it, at any depth", async () => {
    const story = await importUniqueArticle(t);
    const top = await postComment(t, story, "Top");
    const middle = await postComment(t, story, "Middle", { parentId: top.id });
    const bottom = await postComment(t, story, "Bottom", { parentId: middle.id });

    await t.data(DELETE, { id: top.id }, { token: TEST_TOKEN });
    await t.data(DELETE, { id: middle.id }, { token: TEST_TOKEN });
    let served = await expectCountsMatchRows(story);
    // Two tombstones stay because "Bottom" is still visible two levels down.
    expect(served.commentCount).toBe(1);
    expect(served.comments.totalCount).toBe(1);
    expect(served.comments.nodes[0]).toMatchObject({ id: top.id, isDeleted: true, body: "" });
    expect(served.comments.nodes[0].replies?.nodes).toMatchObject([{ id: middle.id, isDeleted: true }]);

    await t.data(DELETE, { id: bottom.id }, { token: TEST_TOKEN });
    served = await expectCountsMatchRows(story);
    expect(served.commentCount).toBe(0);
    expect(served.comments.totalCount).toBe(0);
    expect(served.comments.nodes).toEqual([]);
  });

  it("answers later fields of one mutation request with what the earlier ones wrote", async () => {
    const story = await importUniqueArticle(t);
    const data = await t.data(
      `mutation($id: ID!) {
        a: addComment(articleId: $id, body: "one") { article { commentCount } }
        b: addComment(articleId: $id, body: "two") { comment { position } article { commentCount comments { totalCount } } }
      }`,
      { id: story },
      { token: TEST_TOKEN },
    );
    expect(data.a.article.commentCount).toBe(1);
    expect(data.b).toEqual({ comment: { position: 2 }, article: { commentCount: 2, comments: { totalCount: 2 } } });
  });
});
