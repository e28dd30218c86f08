/**
 * The leaks that came of writing "what the public may see" in several places, each reproduced
 * through GraphQL: the featured cap, the commenter list, what a tombstone tells, and search
 * highlights. Each rule now lives in src/policy; the matrix test walks it whole.
 */
import { run, sql } from "../../src/db/sql";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId } from "../helpers/discussion";
import { DELETE, postAs, readerToken } from "../helpers/readers";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const FEATURE = `mutation($id: ID!) { featureComment(id: $id) { comment { id isFeatured } } }`;
const FEATURED = `query($id: ID!) { article(id: $id) { featuredComments { id } } }`;
const ONE = `query($id: ID!) { comment(id: $id) { id body status isTombstone isDeleted isFeatured createdAt author { name } } }`;
const NODE = `query($id: ID!) { node(id: $id) { id ... on Comment { body status isTombstone } } }`;
const SET_STATUS = `mutation($id: ID!, $status: CommentStatus!) { setCommentStatus(id: $id, status: $status) { comment { id status } } }`;
const SET_MODE = `mutation($id: ID!) { setArticleModeration(articleId: $id, mode: PRE) { id } }`;
const AUTHORS = `{ authors(first: 100) { totalCount nodes { name commentCount } } }`;
const AUTHOR = `query($name: String!) { author(name: $name) { name commentCount comments { totalCount } } }`;

describe.each(engines)("visibility on %s", (engine) => {
  let t: TestServer;
  let mod: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    mod = await readerToken({ sub: "mo", name: "Mo", role: "moderator" });
  });
  afterAll(() => t.close());

  it("frees a featured comment's place in the cap when it is deleted, and stops calling it featured", async () => {
    const articleId = await importUniqueArticle(t);
    const featured = [];
    for (let n = 0; n < 10; n++) {
      const comment = await postComment(t, articleId, `Featured ${n}`, { authorName: "Fern" });
      await t.data(FEATURE, { id: comment.id }, { token: mod });
      featured.push(comment);
    }
    // One of them keeps a reply, so it stays listed as a tombstone the public can look at.
    await postComment(t, articleId, "A reply that stays", { authorName: "Rey", parentId: featured[0].id });
    for (const comment of featured) await t.data(DELETE, { id: comment.id }, { token: TEST_TOKEN });

    expect((await t.data(FEATURED, { id: articleId }, { token: mod })).article.featuredComments).toEqual([]);
    const eleventh = await postComment(t, articleId, "The eleventh", { authorName: "Fern" });
    const answer = await t.gql(FEATURE, { id: eleventh.id }, { token: mod });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.featureComment.comment).toEqual({ id: eleventh.id, isFeatured: true });
    expect((await t.data(FEATURED, { id: articleId })).article.featuredComments).toEqual([{ id: eleventh.id }]);
    expect((await t.data(ONE, { id: featured[0].id })).comment).toMatchObject({ isDeleted: true, isTombstone: true, isFeatured: false });
  });

  it("unfeatures a held featured comment published again while the cap is full", async () => {
    const articleId = await importUniqueArticle(t);
    const featured = [];
    for (let n = 0; n < 10; n++) {
      const comment = await postComment(t, articleId, `Featured ${n}`, { authorName: "Fern" });
      await t.data(FEATURE, { id: comment.id }, { token: mod });
      featured.push(comment);
    }
    await t.data(SET_STATUS, { id: featured[0].id, status: "PENDING" }, { token: mod });
    const newcomer = await postComment(t, articleId, "Takes the free place", { authorName: "Fern" });
    await t.data(FEATURE, { id: newcomer.id }, { token: mod });
    await t.data(SET_STATUS, { id: featured[0].id, status: "PUBLISHED" }, { token: mod });

    expect((await t.data(ONE, { id: featured[0].id })).comment.isFeatured).toBe(false);
    const list = (await t.data(FEATURED, { id: articleId })).article.featuredComments;
    expect(list).toHaveLength(10);
    expect(list).not.toContainEqual({ id: featured[0].id });
    const refused = await t.gql(FEATURE, { id: featured[0].id }, { token: mod });
    expect(refused.errors?.[0].message).toMatch(/has 10 featured comments already/);
  });

  it("names a reader in authors and author(name) only once they have a published comment", async () => {
    const articleId = await importUniqueArticle(t);
    await t.data(SET_MODE, { id: articleId }, { token: mod });
    const newcomer = await readerToken({ sub: "newcomer", name: "Nadia Newcomer" });
    const spammer = await readerToken({ sub: "spammer", name: "BUY PILLS spam.example" });
    const held = await postAs(t, newcomer, articleId, "My first comment, held");
    const spam = await postAs(t, spammer, articleId, "cheap pills");
    await t.data(SET_STATUS, { id: spam.id, status: "REJECTED" }, { token: mod });

    const thread = await t.data(`query($id: ID!) { article(id: $id) { comments { nodes { id } } } }`, { id: articleId });
    expect(thread.article.comments.nodes).toEqual([]);
    const listed = (await t.data(AUTHORS)).authors;
    const names = listed.nodes.map((author: { name: string }) => author.name);
    expect(names).not.toContain("Nadia Newcomer");
    expect(names).not.toContain("BUY PILLS spam.example");
    expect(listed.totalCount).toBe(listed.nodes.length);
    for (const author of listed.nodes) expect(author.commentCount).toBeGreaterThan(0);
    expect((await t.data(AUTHOR, { name: "Nadia Newcomer" })).author).toBeNull();
    expect((await t.data(AUTHOR, { name: "BUY PILLS spam.example" })).author).toBeNull();
    // The reader finds themselves, and moderators find everyone.
    expect((await t.data(AUTHOR, { name: "Nadia Newcomer" }, { token: newcomer })).author).toEqual({
      name: "Nadia Newcomer",
      commentCount: 0,
      comments: { totalCount: 1 },
    });
    expect((await t.data(AUTHOR, { name: "BUY PILLS spam.example" }, { token: mod })).author).toMatchObject({ commentCount: 0 });

    await t.data(SET_STATUS, { id: held.id, status: "PUBLISHED" }, { token: mod });
    expect((await t.data(AUTHOR, { name: "Nadia Newcomer" })).author).toEqual({ name: "Nadia Newcomer", commentCount: 1, comments: { totalCount: 1 } });
    const after = (await t.data(AUTHORS)).authors;
    expect(after.nodes.map((author: { name: string }) => author.name)).toContain("Nadia Newcomer");
    expect(after.totalCount).toBe(listed.totalCount + 1);
  });

  it("tells the public nothing of why a tombstone is one, and finds no comment it may not see", async () => {
    const articleId = await importUniqueArticle(t);
    const anna = await readerToken({ sub: "anna", name: "Anna" });
    const held = await postAs(t, anna, articleId, "Held, with a reply");
    const rejected = await postAs(t, anna, articleId, "Rejected, with a reply");
    const deleted = await postAs(t, anna, articleId, "Deleted, with a reply");
    const alone = await postAs(t, anna, articleId, "Held, alone");
    for (const parent of [held, rejected, deleted]) await postComment(t, articleId, "reply", { authorName: "Rey", parentId: parent.id });
    await t.data(SET_STATUS, { id: held.id, status: "PENDING" }, { token: mod });
    await t.data(SET_STATUS, { id: rejected.id, status: "REJECTED" }, { token: mod });
    await t.data(DELETE, { id: deleted.id }, { token: anna });
    await t.data(SET_STATUS, { id: alone.id, status: "PENDING" }, { token: mod });

    const tombstone = { body: "", status: null, isTombstone: true, createdAt: null, author: null };
    for (const comment of [held, rejected, deleted]) {
      expect((await t.data(ONE, { id: comment.id })).comment).toMatchObject(tombstone);
      expect((await t.data(NODE, { id: comment.id })).node).toMatchObject({ body: "", status: null, isTombstone: true });
    }
    const thread = await t.data(`query($id: ID!) { article(id: $id) { comments { nodes { id status isTombstone } } } }`, { id: articleId });
    expect(thread.article.comments.nodes).toEqual([held, rejected, deleted].map((comment) => ({ id: comment.id, status: null, isTombstone: true })));
    // A held comment with nothing below it is not there for the public at all.
    expect((await t.data(ONE, { id: alone.id })).comment).toBeNull();
    expect((await t.data(NODE, { id: alone.id })).node).toBeNull();
    // Its author and the moderators know where each stands.
    expect((await t.data(ONE, { id: held.id }, { token: anna })).comment).toMatchObject({ status: "PENDING", isTombstone: false, body: "Held, with a reply" });
    expect((await t.data(ONE, { id: rejected.id }, { token: mod })).comment).toMatchObject({ status: "REJECTED", isTombstone: false });
    expect((await t.data(ONE, { id: alone.id }, { token: TEST_TOKEN })).comment).toMatchObject({ status: "PENDING", isTombstone: false });
    expect((await t.data(ONE, { id: deleted.id }, { token: mod })).comment).toMatchObject({ status: "PUBLISHED", isTombstone: true });
  });

  it("makes a search hit's highlights from the text the caller is served, and leaves out a hit the public no longer sees", async () => {
    const articleId = await importUniqueArticle(t);
    const comment = await postComment(t, articleId, "The quixotic zeppelin flies", { authorName: "Zed" });
    const SEARCH = `{ search(query: "zeppelin", scope: [COMMENTS]) { edges { node { ... on Comment { id body } } highlights { fragment } } } }`;
    expect((await t.data(SEARCH)).search.edges).toEqual([
      { node: { id: comment.id, body: "The quixotic zeppelin flies" }, highlights: [{ fragment: "The quixotic zeppelin flies" }] },
    ]);
    // Hidden behind the index's back, as between the page statement and the row load: the index still finds it.
    await run(t.db.dataSource, sql`UPDATE comment SET "status" = ${"PENDING"} WHERE "id" = ${rowId(comment.id)}`);
    expect((await t.data(SEARCH)).search.edges).toEqual([]);
  });
});
