/**
 * Moderation through GraphQL: who sees which comment under pre-moderation, the queue, statuses
 * with their history, flags that put a comment on hold, and featured comments, with the public's
 * counts checked against the rows.
 */
import { run, sql } from "../../src/db/sql";
import { engines } from "../helpers/databases";
import { importUniqueArticle, rowId, tableSizes } from "../helpers/discussion";
import { DELETE, EDIT, postAs, readerToken } from "../helpers/readers";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";
import { commentAddedTopic } from "../../src/events/comment-events";
import { listen, observedLocalEvents, probe, wsClient } from "../helpers/subscriptions";

const THREAD = `query($id: ID!) {
  article(id: $id) {
    commentCount moderation
    comments(first: 50) { totalCount nodes { id body status author { name } replies(first: 50) { totalCount nodes { id body status } } } }
    featuredComments { id }
  }
}`;
const ONE = `query($id: ID!) { comment(id: $id) { id body status author { name } flagCount isFeatured moderationHistory { action status reason actorRole actorName } } }`;
const SET_STATUS = `mutation($id: ID!, $status: CommentStatus!, $reason: String) {
  setCommentStatus(id: $id, status: $status, reason: $reason) { comment { id status body } }
}`;
const SET_MODE = `mutation($id: ID!, $mode: ModerationMode!) { setArticleModeration(articleId: $id, mode: $mode) { id moderation } }`;
const FLAG = `mutation($id: ID!, $reason: FlagReason!, $note: String) { flagComment(id: $id, reason: $reason, note: $note) { comment { id status flagCount } } }`;
const FEATURE = `mutation($id: ID!) { featureComment(id: $id) { comment { id isFeatured } article { featuredComments { id } } } }`;
const UNFEATURE = `mutation($id: ID!) { unfeatureComment(id: $id) { comment { id isFeatured } article { featuredComments { id } } } }`;
const QUEUE = `query($queue: ModerationQueue, $first: Int, $after: String, $last: Int, $before: String) {
  moderationQueue(queue: $queue, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id body status }
  }
}`;
const SEARCH = `query($q: String!) { search(query: $q, scope: [COMMENTS]) { totalCount } }`;

describe.each(engines)("moderation on %s", (engine) => {
  let t: TestServer;
  let anna: string;
  let ben: string;
  let mod: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    anna = await readerToken({ sub: "anna", name: "Anna" });
    ben = await readerToken({ sub: "ben", name: "Ben" });
    mod = await readerToken({ sub: "mo", name: "Mo", role: "moderator" });
  });
  afterAll(() => t.close());

  /** The public's counts straight from the rows: visible = not deleted and PUBLISHED. */
  async function publicCount(articleId: string): Promise<number> {
    const [row] = await run<{ n: number | string }>(
      t.db.dataSource,
      sql`SELECT COUNT(*) AS n FROM comment WHERE "articleId" = ${rowId(articleId)} AND "isDeleted" = ${false} AND "status" = ${"PUBLISHED"}`,
    );
    return Number(row.n);
  }

  const bodies = (thread: any) => thread.article.comments.nodes.map((node: any) => `${node.body}|${node.status}`);

  it("under pre-moderation shows a reader's comment to its author and moderators only, until a moderator publishes it", async () => {
    const articleId = await importUniqueArticle(t, { comments: [{ author: "Imported", hasAvatar: true, body: "Already there" }] });
    expect((await t.gql(SET_MODE, { id: articleId, mode: "PRE" }, { token: ben })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(SET_MODE, { id: articleId, mode: "PRE" })).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect((await t.data(SET_MODE, { id: articleId, mode: "PRE" }, { token: mod })).setArticleModeration.moderation).toBe("PRE");

    const pending = await postAs(t, anna, articleId, "Waiting for a moderator about zanzibar");
    const byModerator = await postAs(t, mod, articleId, "A moderator's own word");
    const pendingRow = await t.data(ONE, { id: pending.id }, { token: mod });
    expect(pendingRow.comment.status).toBe("PENDING");
    expect((await t.data(ONE, { id: byModerator.id }, { token: mod })).comment.status).toBe("PUBLISHED");

    const publicView = await t.data(THREAD, { id: articleId });
    expect(bodies(publicView)).toEqual(["Already there|PUBLISHED", "A moderator's own word|PUBLISHED"]);
    expect(publicView.article.comments.totalCount).toBe(2);
    expect(publicView.article.commentCount).toBe(2);
    expect(await publicCount(articleId)).toBe(2);
    expect((await t.data(THREAD, { id: articleId }, { token: ben })).article.comments.totalCount).toBe(2);
    // By id, the public finds nothing: a held comment with nothing visible below it is not there for them.
    expect((await t.data(ONE, { id: pending.id })).comment).toBeNull();
    expect((await t.data(ONE, { id: pending.id }, { token: ben })).comment).toBeNull();
    expect((await t.data(SEARCH, { q: "zanzibar" })).search.totalCount).toBe(0);

    const authorView = await t.data(THREAD, { id: articleId }, { token: anna });
    expect(bodies(authorView)).toEqual(["Already there|PUBLISHED", "Waiting for a moderator about zanzibar|PENDING", "A moderator's own word|PUBLISHED"]);
    expect(authorView.article.comments.totalCount).toBe(3);
    // Counts are the public's for everyone (see Article.commentCount).
    expect(authorView.article.commentCount).toBe(2);
    const own = await t.data(`{ viewer { author { commentCount comments(first: 5) { totalCount nodes { body status } } } } }`, {}, { token: anna });
    expect(own.viewer.author).toEqual({
      commentCount: 0,
      comments: { totalCount: 1, nodes: [{ body: "Waiting for a moderator about zanzibar", status: "PENDING" }] },
    });
    expect(bodies(await t.data(THREAD, { id: articleId }, { token: mod }))).toEqual(bodies(authorView));
    expect(bodies(await t.data(THREAD, { id: articleId }, { token: TEST_TOKEN }))).toEqual(bodies(authorView));

    // Ben cannot reply to it: for him it is not there.
    const reply = await t.gql(
      `mutation($a: ID!, $p: ID!) { addComment(articleId: $a, parentId: $p, body: "hi") { comment { id } } }`,
      { a: articleId, p: pending.id },
      { token: ben },
    );
    expect(reply.errors?.[0].extensions?.code).toBe("NOT_FOUND");

    const published = await t.data(SET_STATUS, { id: pending.id, status: "PUBLISHED", reason: "fine" }, { token: mod });
    expect(published.setCommentStatus.comment).toMatchObject({ status: "PUBLISHED", body: "Waiting for a moderator about zanzibar" });
    const after = await t.data(THREAD, { id: articleId });
    expect(bodies(after)).toEqual(bodies(authorView).map((line: string) => line.replace("PENDING", "PUBLISHED")));
    expect(after.article.commentCount).toBe(3);
    expect(await publicCount(articleId)).toBe(3);
    expect((await t.data(SEARCH, { q: "zanzibar" })).search.totalCount).toBe(1);
    expect((await t.data(ONE, { id: pending.id }, { token: mod })).comment.moderationHistory).toEqual([
      { action: "SET_STATUS", status: "PUBLISHED", reason: "fine", actorRole: "MODERATOR", actorName: "Mo" },
    ]);
    expect((await t.gql(SET_STATUS, { id: pending.id, status: "REJECTED" }, { token: anna })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("follows MODERATION=pre for articles without a mode of their own", async () => {
    const pre = await startTestServer(engine, { seed: false, config: { moderation: "PRE" } });
    try {
      const articleId = await importUniqueArticle(pre);
      expect((await pre.data(THREAD, { id: articleId })).article.moderation).toBe("PRE");
      const posted = await postAs(pre, anna, articleId, "Held by default");
      expect((await pre.data(ONE, { id: posted.id }, { token: TEST_TOKEN })).comment.status).toBe("PENDING");
      await pre.data(SET_MODE, { id: articleId, mode: "POST" }, { token: TEST_TOKEN });
      const open = await postAs(pre, anna, articleId, "Published at once");
      expect((await pre.data(ONE, { id: open.id }, { token: TEST_TOKEN })).comment.status).toBe("PUBLISHED");
    } finally {
      await pre.close();
    }
  });

  it("keeps a held comment with a visible reply as the public's tombstone, and the counts with the rows", async () => {
    const articleId = await importUniqueArticle(t);
    const parent = await postAs(t, anna, articleId, "Parent that will be held");
    const child = await postAs(t, ben, articleId, "A reply that stays", { parentId: parent.id });
    await t.data(SET_STATUS, { id: parent.id, status: "REJECTED", reason: "rude" }, { token: TEST_TOKEN });
    const thread = await t.data(THREAD, { id: articleId });
    expect(thread.article.comments.nodes).toEqual([
      // The public is not told why it is a tombstone.
      {
        id: parent.id,
        body: "",
        status: null,
        author: null,
        replies: { totalCount: 1, nodes: [{ id: child.id, body: "A reply that stays", status: "PUBLISHED" }] },
      },
    ]);
    expect((await t.data(ONE, { id: parent.id }, { token: anna })).comment).toMatchObject({ body: "Parent that will be held", status: "REJECTED" });
    expect(thread.article.commentCount).toBe(await publicCount(articleId));
    expect(thread.article.commentCount).toBe(1);
    const history = (await t.data(ONE, { id: parent.id }, { token: TEST_TOKEN })).comment.moderationHistory;
    expect(history).toEqual([{ action: "SET_STATUS", status: "REJECTED", reason: "rude", actorRole: "SERVICE", actorName: null }]);
  });

  it("puts a comment on hold at AUTO_HOLD_FLAGS flags, counting each reader once", async () => {
    const articleId = await importUniqueArticle(t);
    const target = await postAs(t, anna, articleId, "Something flaggable");
    const flaggers = await Promise.all(["f1", "f2", "f3"].map((sub) => readerToken({ sub, name: sub })));

    expect((await t.gql(FLAG, { id: target.id, reason: "SPAM" }, { token: anna })).errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    expect((await t.gql(FLAG, { id: target.id, reason: "SPAM" }, { token: TEST_TOKEN })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(FLAG, { id: target.id, reason: "SPAM" })).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");

    await t.data(FLAG, { id: target.id, reason: "SPAM", note: "buy now links" }, { token: flaggers[0] });
    const again = await t.data(FLAG, { id: target.id, reason: "ABUSE" }, { token: flaggers[0] });
    // flagCount is for moderators: null for the reader who flagged.
    expect(again.flagComment.comment).toMatchObject({ status: "PUBLISHED", flagCount: null });
    await t.data(FLAG, { id: target.id, reason: "OFF_TOPIC" }, { token: flaggers[1] });
    expect((await t.data(ONE, { id: target.id }, { token: mod })).comment).toMatchObject({ status: "PUBLISHED", flagCount: 2 });
    expect((await t.data(THREAD, { id: articleId })).article.commentCount).toBe(1);

    await t.data(FLAG, { id: target.id, reason: "OTHER" }, { token: flaggers[2] });
    const held = (await t.data(ONE, { id: target.id }, { token: mod })).comment;
    expect(held).toMatchObject({ status: "PENDING", flagCount: 3 });
    expect(held.moderationHistory).toEqual([{ action: "AUTO_HOLD", status: "PENDING", reason: "3 flags", actorRole: null, actorName: null }]);
    expect((await t.data(THREAD, { id: articleId })).article).toMatchObject({ commentCount: 0, comments: { totalCount: 0 } });
    expect(await publicCount(articleId)).toBe(0);
    const [flags] = await run<{ n: number | string }>(t.db.dataSource, sql`SELECT COUNT(*) AS n FROM comment_flag WHERE "commentId" = ${rowId(target.id)}`);
    expect(Number(flags.n)).toBe(3);

    // A moderator's decision stands against later flags.
    await t.data(SET_STATUS, { id: target.id, status: "PUBLISHED" }, { token: mod });
    await t.data(FLAG, { id: target.id, reason: "SPAM" }, { token: ben });
    expect((await t.data(ONE, { id: target.id }, { token: mod })).comment).toMatchObject({ status: "PUBLISHED", flagCount: 4 });
    // A comment the flagger cannot see is not there for them.
    await t.data(SET_STATUS, { id: target.id, status: "REJECTED" }, { token: mod });
    expect((await t.gql(FLAG, { id: target.id, reason: "SPAM" }, { token: await readerToken({ sub: "f9" }) })).errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });

  it("features published comments for moderators only, and lists them on the article", async () => {
    const articleId = await importUniqueArticle(t);
    const good = await postAs(t, anna, articleId, "A fine comment");
    const other = await postAs(t, ben, articleId, "Another fine one");
    const before = await tableSizes(t.db.dataSource);
    expect((await t.gql(FEATURE, { id: good.id }, { token: ben })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(await tableSizes(t.db.dataSource)).toEqual(before);

    await t.data(FEATURE, { id: good.id }, { token: mod });
    const featured = await t.data(FEATURE, { id: other.id }, { token: TEST_TOKEN });
    expect(featured.featureComment).toEqual({
      comment: { id: other.id, isFeatured: true },
      article: { featuredComments: [{ id: other.id }, { id: good.id }] },
    });
    expect((await t.data(THREAD, { id: articleId })).article.featuredComments).toEqual([{ id: other.id }, { id: good.id }]);

    // Held, it leaves the list, for moderators too: it is not featured while the public cannot see it.
    await t.data(SET_STATUS, { id: other.id, status: "PENDING" }, { token: mod });
    expect((await t.data(THREAD, { id: articleId })).article.featuredComments).toEqual([{ id: good.id }]);
    expect((await t.data(THREAD, { id: articleId }, { token: mod })).article.featuredComments).toEqual([{ id: good.id }]);
    expect((await t.data(ONE, { id: other.id }, { token: mod })).comment.isFeatured).toBe(false);
    const third = await t.gql(FEATURE, { id: (await postAs(t, ben, articleId, "A third, published")).id }, { token: mod });
    expect(third.errors).toBeUndefined();

    const unfeatured = await t.data(UNFEATURE, { id: good.id }, { token: mod });
    expect(unfeatured.unfeatureComment.comment.isFeatured).toBe(false);
    expect((await t.data(ONE, { id: good.id }, { token: mod })).comment.moderationHistory.map((entry: any) => entry.action)).toEqual(["FEATURE", "UNFEATURE"]);
    const held = (await t.data(ONE, { id: other.id }, { token: mod })).comment;
    await t.data(SET_STATUS, { id: other.id, status: "REJECTED" }, { token: mod });
    expect(held.moderationHistory.map((entry: any) => entry.action)).toEqual(["FEATURE", "SET_STATUS"]);
    await t.data(UNFEATURE, { id: other.id }, { token: mod });
    const refused = await t.gql(FEATURE, { id: other.id }, { token: mod });
    expect(refused.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("records moderators' edits and deletions of others' comments in the history", async () => {
    const articleId = await importUniqueArticle(t);
    const target = await postAs(t, anna, articleId, "Needs a trim");
    await t.data(EDIT, { id: target.id, body: "Trimmed" }, { token: mod });
    await t.data(DELETE, { id: target.id }, { token: TEST_TOKEN });
    const history = (await t.data(ONE, { id: target.id }, { token: mod })).comment.moderationHistory;
    expect(history).toEqual([
      { action: "EDIT", status: null, reason: null, actorRole: "MODERATOR", actorName: "Mo" },
      { action: "DELETE", status: null, reason: null, actorRole: "SERVICE", actorName: null },
    ]);
    // Deleted with nothing below it, it is not there for its author; moderators still find it.
    expect((await t.data(ONE, { id: target.id }, { token: anna })).comment).toBeNull();
    const live = await postAs(t, anna, articleId, "Still here");
    expect((await t.data(ONE, { id: live.id }, { token: anna })).comment.moderationHistory).toBeNull();
  });

  it("pages the moderation queue both ways, oldest first, for moderators only", async () => {
    const articleId = await importUniqueArticle(t);
    await t.data(SET_MODE, { id: articleId, mode: "PRE" }, { token: mod });
    const queueNow = async (vars: Record<string, unknown>) => (await t.data(QUEUE, vars, { token: mod })).moderationQueue;
    const before = (await queueNow({ first: 100 })).nodes.map((node: any) => node.id);
    const posted = [];
    for (let i = 1; i <= 5; i++) posted.push((await postAs(t, ben, articleId, `queued ${i}`)).id);
    const expected = [...before, ...posted];

    const all = await queueNow({ first: 100 });
    expect(all.nodes.map((node: any) => node.id)).toEqual(expected);
    expect(all.totalCount).toBe(expected.length);
    expect(all.nodes.every((node: any) => node.status === "PENDING")).toBe(true);
    const sentNull = await queueNow({ first: 100, queue: null });
    expect(sentNull.nodes.map((node: any) => node.id)).toEqual(expected);

    const tail = await queueNow({ last: 2 });
    expect(tail.nodes.map((node: any) => node.body)).toEqual(["queued 4", "queued 5"]);
    expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const earlier = await queueNow({ last: 2, before: tail.pageInfo.startCursor });
    expect(earlier.nodes.map((node: any) => node.body)).toEqual(["queued 2", "queued 3"]);
    const forward = await queueNow({ first: 2, after: earlier.pageInfo.endCursor });
    expect(forward.nodes.map((node: any) => node.body)).toEqual(["queued 4", "queued 5"]);
    expect(forward.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });

    // A cursor of one queue is refused by another's.
    const rejected = await t.gql(QUEUE, { queue: "REJECTED", first: 2, after: earlier.pageInfo.endCursor }, { token: mod });
    expect(rejected.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "after" });
    await t.data(SET_STATUS, { id: posted[0], status: "REJECTED" }, { token: mod });
    expect((await queueNow({ queue: "REJECTED", first: 100 })).nodes.map((node: any) => node.id)).toContain(posted[0]);
    expect((await queueNow({ first: 100 })).totalCount).toBe(expected.length - 1);

    expect((await t.gql(QUEUE, { first: 1 }, { token: ben })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(QUEUE, { first: 1 })).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("sends commentAdded for a pre-moderated comment only once a moderator publishes it", async () => {
    const events = observedLocalEvents();
    const live = await startTestServer(engine, { seed: false, events: events.bus, config: { moderation: "PRE" } });
    const client = wsClient(await listen(live.server.httpServer));
    try {
      const articleId = await importUniqueArticle(live);
      const sub = probe(client, `subscription($id: ID!) { commentAdded(articleId: $id) { body status } }`, { id: articleId });
      await events.listening(commentAddedTopic(rowId(articleId)));
      const held = await postAs(live, anna, articleId, "Held back");
      await postAs(live, mod, articleId, "Published at once");
      expect(await sub.next()).toEqual({ kind: "next", result: { data: { commentAdded: { body: "Published at once", status: "PUBLISHED" } } } });
      await live.data(SET_STATUS, { id: held.id, status: "PUBLISHED" }, { token: mod });
      expect(await sub.next()).toEqual({ kind: "next", result: { data: { commentAdded: { body: "Held back", status: "PUBLISHED" } } } });
      sub.unsubscribe();
    } finally {
      await client.dispose();
      await live.close();
    }
  });
});
