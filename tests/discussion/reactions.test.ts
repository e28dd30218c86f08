/**
 * Reactions through GraphQL: one per reader and comment, idempotent both ways, counted exactly
 * (checked against the rows), refused for callers who are not readers, and the MOST_REACTIONS
 * order paged with keyset cursors both ways.
 */
import { run, sql } from "../../src/db/sql";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId } from "../helpers/discussion";
import { readerToken } from "../helpers/readers";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const REACT = `mutation($id: ID!) { reactToComment(id: $id) { comment { id reactionCount viewerHasReacted } } }`;
const UNREACT = `mutation($id: ID!) { unreactToComment(id: $id) { comment { id reactionCount viewerHasReacted } } }`;
const SEEN = `query($id: ID!) { comment(id: $id) { reactionCount viewerHasReacted } }`;
const ORDERED = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  article(id: $id) {
    comments(first: $first, after: $after, last: $last, before: $before, orderBy: MOST_REACTIONS) {
      edges { cursor node { body reactionCount } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

describe.each(engines)("reactions on %s", (engine) => {
  let t: TestServer;
  let ann: string;
  let bob: string;
  let moderator: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    [ann, bob, moderator] = await Promise.all([
      readerToken({ sub: "react-ann", name: "Ann" }),
      readerToken({ sub: "react-bob", name: "Bob" }),
      readerToken({ sub: "react-mod", name: "Mo", role: "moderator" }),
    ]);
  });
  afterAll(() => t.close());

  const rowsFor = async (commentId: string) =>
    Number((await run<{ n: unknown }>(t.db.dataSource, sql`SELECT COUNT(*) AS n FROM comment_reaction WHERE "commentId" = ${rowId(commentId)}`))[0].n);

  it("keeps one reaction per reader, counts them exactly, and answers each reader whether they reacted", async () => {
    const story = await importUniqueArticle(t);
    const target = await postComment(t, story, "react to me");

    expect((await t.data(REACT, { id: target.id }, { token: ann })).reactToComment.comment).toEqual({
      id: target.id,
      reactionCount: 1,
      viewerHasReacted: true,
    });
    // Again: nothing changes.
    expect((await t.data(REACT, { id: target.id }, { token: ann })).reactToComment.comment).toEqual({
      id: target.id,
      reactionCount: 1,
      viewerHasReacted: true,
    });
    expect(await rowsFor(target.id)).toBe(1);

    expect((await t.data(SEEN, { id: target.id }, { token: bob })).comment).toEqual({ reactionCount: 1, viewerHasReacted: false });
    expect((await t.data(SEEN, { id: target.id })).comment).toEqual({ reactionCount: 1, viewerHasReacted: false });
    expect((await t.data(SEEN, { id: target.id }, { token: TEST_TOKEN })).comment).toEqual({ reactionCount: 1, viewerHasReacted: false });

    await t.data(REACT, { id: target.id }, { token: bob });
    await t.data(REACT, { id: target.id }, { token: moderator });
    expect((await t.data(SEEN, { id: target.id }, { token: bob })).comment).toEqual({ reactionCount: 3, viewerHasReacted: true });
    expect(await rowsFor(target.id)).toBe(3);

    expect((await t.data(UNREACT, { id: target.id }, { token: ann })).unreactToComment.comment).toEqual({
      id: target.id,
      reactionCount: 2,
      viewerHasReacted: false,
    });
    expect((await t.data(UNREACT, { id: target.id }, { token: ann })).unreactToComment.comment).toEqual({
      id: target.id,
      reactionCount: 2,
      viewerHasReacted: false,
    });
    expect(await rowsFor(target.id)).toBe(2);
    expect((await t.data(SEEN, { id: target.id }, { token: bob })).comment).toEqual({ reactionCount: 2, viewerHasReacted: true });
  });

  it("answers two reactions in one request with the count after each", async () => {
    const story = await importUniqueArticle(t);
    const target = await postComment(t, story, "twice in one go");
    const data = await t.data(
      `mutation($id: ID!) { a: reactToComment(id: $id) { comment { reactionCount } } b: unreactToComment(id: $id) { comment { reactionCount viewerHasReacted } } }`,
      { id: target.id },
      { token: ann },
    );
    expect(data).toEqual({ a: { comment: { reactionCount: 1 } }, b: { comment: { reactionCount: 0, viewerHasReacted: false } } });
  });

  it("refuses callers who are not readers, unknown and deleted comments, and changes nothing", async () => {
    const story = await importUniqueArticle(t);
    const target = await postComment(t, story, "guarded");
    const anonymous = await t.gql(REACT, { id: target.id });
    expect(anonymous.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    const service = await t.gql(REACT, { id: target.id }, { token: TEST_TOKEN });
    expect(service.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const unknown = await t.gql(REACT, { id: "Q29tbWVudDo5OTk5OTk5" }, { token: ann });
    expect(unknown.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const malformed = await t.gql(REACT, { id: "nonsense" }, { token: ann });
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "id" });
    expect(await rowsFor(target.id)).toBe(0);

    await t.data(REACT, { id: target.id }, { token: ann });
    await t.data(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: target.id }, { token: TEST_TOKEN });
    const onDeleted = await t.gql(REACT, { id: target.id }, { token: bob });
    expect(onDeleted.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "id" });
    // A reaction to a comment since deleted may still be withdrawn.
    expect((await t.data(UNREACT, { id: target.id }, { token: ann })).unreactToComment.comment.reactionCount).toBe(0);
    expect(await rowsFor(target.id)).toBe(0);
  });

  it("lets only those who see a held comment react to it: its author and moderators", async () => {
    const story = await importUniqueArticle(t);
    const held = (await t.data(`mutation($a: ID!) { addComment(articleId: $a, body: "held back") { comment { id } } }`, { a: story }, { token: ann }))
      .addComment.comment;
    await t.data(`mutation($id: ID!) { setCommentStatus(id: $id, status: PENDING) { comment { status } } }`, { id: held.id }, { token: TEST_TOKEN });
    const hidden = await t.gql(REACT, { id: held.id }, { token: bob });
    expect(hidden.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    expect((await t.data(REACT, { id: held.id }, { token: ann })).reactToComment.comment.reactionCount).toBe(1);
    expect((await t.data(REACT, { id: held.id }, { token: moderator })).reactToComment.comment.reactionCount).toBe(2);
    expect(await rowsFor(held.id)).toBe(2);
  });

  it("orders comments by MOST_REACTIONS, then thread order, and pages that order both ways by cursor", async () => {
    const story = await importUniqueArticle(t);
    const readers = await Promise.all(["r1", "r2", "r3"].map((sub) => readerToken({ sub: `order-${sub}` })));
    // Reactions per comment, in thread order.
    const wanted = [1, 3, 0, 2, 3, 0, 1];
    for (const [i, count] of wanted.entries()) {
      const comment = await postComment(t, story, `c${i}`);
      for (const reader of readers.slice(0, count)) await t.data(REACT, { id: comment.id }, { token: reader });
    }
    const expected = ["c1", "c4", "c3", "c0", "c6", "c2", "c5"];

    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await t.data(ORDERED, { id: story, first: 2, after })).article.comments;
      forward.push(...page.edges.map((edge: { node: { body: string } }) => edge.node.body));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward).toEqual(expected);

    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: any = (await t.data(ORDERED, { id: story, last: 3, before })).article.comments;
      backward.unshift(...page.edges.map((edge: { node: { body: string } }) => edge.node.body));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(expected);

    const whole = (await t.data(ORDERED, { id: story, first: 10 })).article.comments;
    expect(whole.edges.map((edge: { node: { reactionCount: number } }) => edge.node.reactionCount)).toEqual([3, 3, 2, 1, 1, 0, 0]);
    // A cursor of this order is refused by another.
    const mixed = await t.gql(`query($id: ID!, $after: String) { article(id: $id) { comments(after: $after) { nodes { id } } } }`, {
      id: story,
      after: whole.edges[0].cursor,
    });
    expect(mixed.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "after" });
  });
});
