/**
 * The moderators' desk through GraphQL, on both engines: which queue a comment is in after flags,
 * holds, approvals, rejections and features, in which order; the stored queue counts against a
 * recount; sanctions (bans, suspensions that end on time, pre-moderation) with their audit trail
 * and who may give them; Author.standing's visibility; and moderationEvents over graphql-ws.
 */
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId } from "../helpers/discussion";
import { EDIT, postAs, readerToken, testClock } from "../helpers/readers";
import { storedAndRecounted } from "../helpers/stored-counts";
import { listen, observedLocalEvents, probe, wsClient } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";
import { MODERATION_TOPIC } from "../../src/events/comment-events";

const QUEUE = `query($queue: ModerationQueue, $articleId: ID, $first: Int, $after: String, $last: Int, $before: String) {
  moderationQueue(queue: $queue, articleId: $articleId, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id body status flagCount flags { reason note createdAt } }
  }
}`;
const COUNTS = `query($articleId: ID) { moderationCounts(articleId: $articleId) { pending reported unmoderated rejected } }`;
const FLAG = `mutation($id: ID!, $reason: FlagReason!, $note: String) { flagComment(id: $id, reason: $reason, note: $note) { comment { id status } } }`;
const SET_STATUS = `mutation($id: ID!, $status: CommentStatus!, $reason: String) { setCommentStatus(id: $id, status: $status, reason: $reason) { comment { id status } } }`;
const FEATURE = `mutation($id: ID!) { featureComment(id: $id) { comment { id isFeatured } } }`;
const DELETE = `mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`;
const REACT = `mutation($id: ID!) { reactToComment(id: $id) { comment { id reactionCount } } }`;
const STANDING = `standing { status until premoderated reason }`;
const HISTORY = `moderationHistory { action reason until actorRole actorName actorSub }`;
const BAN = `mutation($id: ID!, $reason: String, $reject: Boolean) { banAuthor(authorId: $id, reason: $reason, rejectExisting: $reject) { author { id ${STANDING} } } }`;
const UNBAN = `mutation($id: ID!) { unbanAuthor(authorId: $id) { author { id ${STANDING} } } }`;
const SUSPEND = `mutation($id: ID!, $until: DateTime!, $reason: String) { suspendAuthor(authorId: $id, until: $until, reason: $reason) { author { id ${STANDING} } } }`;
const PREMODERATE = `mutation($id: ID!, $on: Boolean!) { setAuthorPremoderation(authorId: $id, on: $on) { author { id ${STANDING} } } }`;
const AUTHOR = `query($id: ID!) { author(id: $id) { id name ${STANDING} ${HISTORY} } }`;
const THREAD = `query($id: ID!) { article(id: $id) { commentCount comments(first: 50) { nodes { id body isTombstone replies(first: 10) { nodes { id body } } } } } }`;
const EVENTS = `subscription($articleId: ID) { moderationEvents(articleId: $articleId) { kind queue comment { id body status } } }`;

describe.each(engines)("the moderators' desk on %s", (engine) => {
  const events = observedLocalEvents();
  const time = testClock(new Date());
  let t: TestServer;
  let anna: string;
  let ben: string;
  let cat: string;
  let mod: string;
  let otherMod: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, events: events.bus, clock: time.clock, config: { autoHoldFlags: 3 } });
    anna = await readerToken({ sub: "desk-anna", name: "Desk Anna" }, { now: time.now() });
    ben = await readerToken({ sub: "desk-ben", name: "Desk Ben" }, { now: time.now() });
    cat = await readerToken({ sub: "desk-cat", name: "Desk Cat" }, { now: time.now() });
    mod = await readerToken({ sub: "desk-mo", name: "Desk Mo", role: "moderator" }, { now: time.now() });
    otherMod = await readerToken({ sub: "desk-mia", name: "Desk Mia", role: "moderator" }, { now: time.now() });
  });
  afterAll(() => t.close());

  const queue = async (name: string, articleId: string | null, extra: Record<string, unknown> = {}) =>
    (await t.data(QUEUE, { queue: name, articleId, first: 50, ...extra }, { token: mod })).moderationQueue;
  const ids = async (name: string, articleId: string) => (await queue(name, articleId)).nodes.map((node: { id: string }) => node.id);
  const counts = async (articleId: string | null) => (await t.data(COUNTS, { articleId }, { token: mod })).moderationCounts;

  async function expectCountsMatchRows(): Promise<void> {
    const { stored, recounted } = await storedAndRecounted(t.db.dataSource);
    expect(stored.queues).toEqual(recounted.queues);
  }

  it("puts each comment in the queues its flags, holds and decisions say, in each queue's order", async () => {
    const articleId = await importUniqueArticle(t);
    const first = await postAs(t, anna, articleId, "first by anna");
    const second = await postAs(t, anna, articleId, "second by anna");
    const third = await postAs(t, anna, articleId, "third by anna");
    const staff = await postAs(t, mod, articleId, "a moderator's note");

    // Readers' comments wait for a human; staff comments and imported ones do not.
    expect(await ids("UNMODERATED", articleId)).toEqual([third.id, second.id, first.id]);
    expect(await ids("APPROVED", articleId)).toContain(staff.id);
    expect(await ids("REPORTED", articleId)).toEqual([]);

    // Flags make a comment REPORTED, with its reasons and notes; the third flag holds it (PENDING).
    await t.data(FLAG, { id: second.id, reason: "SPAM", note: "buy now" }, { token: ben });
    await t.data(FLAG, { id: first.id, reason: "ABUSE" }, { token: ben });
    const reported = await queue("REPORTED", articleId);
    expect(reported.nodes.map((node: { id: string }) => node.id)).toEqual([first.id, second.id]);
    expect(reported.nodes[1]).toMatchObject({ flagCount: 1, flags: [{ reason: "SPAM", note: "buy now" }] });
    await t.data(FLAG, { id: second.id, reason: "OFF_TOPIC" }, { token: cat });
    await t.data(FLAG, { id: second.id, reason: "OTHER" }, { token: mod });
    expect(await ids("PENDING", articleId)).toEqual([second.id]);
    expect(await ids("REPORTED", articleId)).toEqual([first.id]);
    expect(await ids("UNMODERATED", articleId)).toEqual([third.id, first.id]);
    expect(await counts(articleId)).toEqual({ pending: 1, reported: 1, unmoderated: 2, rejected: 0 });

    // A human's approval, rejection or featuring takes a comment out of REPORTED and UNMODERATED for good.
    await t.data(SET_STATUS, { id: second.id, status: "PUBLISHED" }, { token: mod });
    await t.data(SET_STATUS, { id: first.id, status: "REJECTED", reason: "abuse" }, { token: mod });
    await t.data(FEATURE, { id: third.id }, { token: mod });
    expect(await ids("PENDING", articleId)).toEqual([]);
    expect(await ids("REPORTED", articleId)).toEqual([]);
    expect(await ids("UNMODERATED", articleId)).toEqual([]);
    expect(await ids("REJECTED", articleId)).toEqual([first.id]);
    // Newest first.
    expect((await ids("APPROVED", articleId)).slice(0, 3)).toEqual([staff.id, third.id, second.id]);
    expect(await counts(articleId)).toEqual({ pending: 0, reported: 0, unmoderated: 0, rejected: 1 });
    // Published again, a rejected comment that a human has seen stays out of UNMODERATED.
    await t.data(SET_STATUS, { id: first.id, status: "PUBLISHED" }, { token: mod });
    expect(await ids("UNMODERATED", articleId)).toEqual([]);

    // Publishing a published comment that waits for a human approves it: it leaves REPORTED and UNMODERATED.
    const fifth = await postAs(t, anna, articleId, "fifth by anna");
    await t.data(FLAG, { id: fifth.id, reason: "OFF_TOPIC", note: "maybe" }, { token: cat });
    expect(await ids("REPORTED", articleId)).toEqual([fifth.id]);
    await t.data(SET_STATUS, { id: fifth.id, status: "PUBLISHED", reason: "on topic after all" }, { token: mod });
    expect(await ids("REPORTED", articleId)).toEqual([]);
    expect(await ids("UNMODERATED", articleId)).toEqual([]);
    expect((await ids("APPROVED", articleId))[0]).toBe(fifth.id);

    // A deleted comment is in no queue.
    const fourth = await postAs(t, anna, articleId, "fourth by anna");
    await t.data(FLAG, { id: fourth.id, reason: "SPAM" }, { token: ben });
    expect(await counts(articleId)).toEqual({ pending: 0, reported: 1, unmoderated: 1, rejected: 0 });
    await t.data(DELETE, { id: fourth.id }, { token: anna });
    expect(await counts(articleId)).toEqual({ pending: 0, reported: 0, unmoderated: 0, rejected: 0 });

    await expectCountsMatchRows();
  });

  it("pages a queue with keyset cursors, site-wide and per article, and counts it from the stored counts", async () => {
    const one = await importUniqueArticle(t);
    const two = await importUniqueArticle(t);
    const before = await counts(null);
    const posted: string[] = [];
    for (const articleId of [one, two, one]) posted.push((await postAs(t, cat, articleId, `paged on ${articleId}`)).id);
    const site = await counts(null);
    expect(site.unmoderated).toBe(before.unmoderated + 3);
    expect(await counts(one)).toMatchObject({ unmoderated: 2 });

    // UNMODERATED is newest first: the three newest of the site are these, in reverse.
    const page1 = await queue("UNMODERATED", null, { first: 2 });
    expect(page1.nodes.map((node: { id: string }) => node.id)).toEqual([posted[2], posted[1]]);
    expect(page1.totalCount).toBe(site.unmoderated);
    const page2 = await queue("UNMODERATED", null, { first: 1, after: page1.pageInfo.endCursor });
    expect(page2.nodes.map((node: { id: string }) => node.id)).toEqual([posted[0]]);
    expect((await queue("UNMODERATED", one)).totalCount).toBe(2);

    // A cursor of one list is refused by another.
    const wrong = await t.gql(QUEUE, { queue: "UNMODERATED", articleId: one, first: 1, after: page1.pageInfo.endCursor }, { token: mod });
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "after" });
    const malformed = await t.gql(QUEUE, { queue: "PENDING", articleId: "nonsense", first: 1 }, { token: mod });
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "articleId" });
  });

  it("keeps queues and counts to moderators and the service token", async () => {
    for (const query of [COUNTS, QUEUE]) {
      expect((await t.gql(query, {})).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
      expect((await t.gql(query, {}, { token: anna })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
      expect((await t.gql(query, {}, { token: TEST_TOKEN })).errors).toBeUndefined();
    }
    const unknown = await t.gql(COUNTS, { articleId: Buffer.from("Article:999999").toString("base64url") }, { token: mod });
    expect(unknown.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });

  it("bans a reader: their writes are FORBIDDEN until unbanned, reads untouched, and rejectExisting rejects their published comments", async () => {
    const articleId = await importUniqueArticle(t);
    const troll = await readerToken({ sub: "desk-troll", name: "Desk Troll" }, { now: time.now() });
    const kept = await postAs(t, troll, articleId, "troll's first");
    const replied = await postAs(t, troll, articleId, "troll's second");
    const reply = await postAs(t, ben, articleId, "a reply to the troll", { parentId: replied.id });
    const trollId = kept.author.id;
    const before = await counts(articleId);

    const banned = await t.data(BAN, { id: trollId, reason: "trolling", reject: true }, { token: mod });
    expect(banned.banAuthor.author.standing).toEqual({ status: "BANNED", until: null, premoderated: false, reason: "trolling" });
    // Both of their comments are rejected; the one with a visible reply stays as a tombstone.
    const thread = (await t.data(THREAD, { id: articleId })).article;
    expect(thread.comments.nodes.map((node: any) => [node.id, node.isTombstone])).toEqual([[replied.id, true]]);
    expect(thread.comments.nodes[0].replies.nodes.map((node: any) => node.id)).toEqual([reply.id]);
    expect(await ids("REJECTED", articleId)).toEqual([replied.id, kept.id]);
    expect(await counts(articleId)).toEqual({ ...before, unmoderated: before.unmoderated - 2, rejected: 2 });

    // Every write is refused, saying until when; reads and deleting their own comments are not.
    for (const [query, variables] of [
      [`mutation($a: ID!) { addComment(articleId: $a, body: "again") { comment { id } } }`, { a: articleId }],
      [EDIT, { id: kept.id, body: "edited" }],
      [REACT, { id: reply.id }],
      [FLAG, { id: reply.id, reason: "SPAM" }],
    ] as const) {
      const refused = await t.gql(query, variables, { token: troll });
      expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");
      expect(refused.errors?.[0].message).toMatch(/banned \(trolling\).*until a moderator lifts the ban/);
    }
    expect((await t.gql(THREAD, { id: articleId }, { token: troll })).errors).toBeUndefined();
    // They see their own standing; other readers do not.
    expect((await t.data(AUTHOR, { id: trollId }, { token: troll })).author.standing.status).toBe("BANNED");
    expect((await t.data(AUTHOR, { id: trollId }, { token: mod })).author.standing.status).toBe("BANNED");

    const lifted = await t.data(UNBAN, { id: trollId }, { token: TEST_TOKEN });
    expect(lifted.unbanAuthor.author.standing).toEqual({ status: "ACTIVE", until: null, premoderated: false, reason: null });
    await postAs(t, troll, articleId, "behaving now");

    // The audit trail: who, what, why.
    const history = (await t.data(AUTHOR, { id: trollId }, { token: mod })).author.moderationHistory;
    expect(history).toEqual([
      { action: "BAN", reason: "trolling", until: null, actorRole: "MODERATOR", actorName: "Desk Mo", actorSub: "desk-mo" },
      { action: "UNBAN", reason: null, until: null, actorRole: "SERVICE", actorName: null, actorSub: null },
    ]);
    await expectCountsMatchRows();
  });

  it("suspends a reader until a time, after which they write again", async () => {
    const articleId = await importUniqueArticle(t);
    const posted = await postAs(t, cat, articleId, "before the suspension");
    const until = new Date(time.now().getTime() + 30 * 60 * 1000).toISOString();
    const suspended = await t.data(SUSPEND, { id: posted.author.id, until, reason: "cool off" }, { token: mod });
    expect(suspended.suspendAuthor.author.standing).toEqual({ status: "SUSPENDED", until, premoderated: false, reason: "cool off" });

    const refused = await t.gql(EDIT, { id: posted.id, body: "during" }, { token: cat });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", until });
    expect(refused.errors?.[0].message).toContain(`suspended until ${until}`);

    const past = await t.gql(SUSPEND, { id: posted.author.id, until: new Date(time.now().getTime() - 1000).toISOString() }, { token: mod });
    expect(past.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "until" });

    time.advance(31 * 60);
    expect((await t.data(AUTHOR, { id: posted.author.id }, { token: cat })).author.standing.status).toBe("ACTIVE");
    await postAs(t, cat, articleId, "after the suspension");
    const history = (await t.data(AUTHOR, { id: posted.author.id }, { token: mod })).author.moderationHistory;
    expect(history).toEqual([{ action: "SUSPEND", reason: "cool off", until, actorRole: "MODERATOR", actorName: "Desk Mo", actorSub: "desk-mo" }]);
  });

  it("holds a premoderated reader's new comments (PENDING) until a moderator publishes them", async () => {
    const articleId = await importUniqueArticle(t);
    const dora = await readerToken({ sub: "desk-dora", name: "Desk Dora" }, { now: time.now() });
    const first = await postAs(t, dora, articleId, "published at once");
    const on = await t.data(PREMODERATE, { id: first.author.id, on: true }, { token: mod });
    expect(on.setAuthorPremoderation.author.standing).toMatchObject({ status: "ACTIVE", premoderated: true });
    const held = await postAs(t, dora, articleId, "held for a moderator");
    expect(await ids("PENDING", articleId)).toEqual([held.id]);
    expect((await t.data(THREAD, { id: articleId })).article.commentCount).toBe(1);
    await t.data(PREMODERATE, { id: first.author.id, on: false }, { token: mod });
    const free = await postAs(t, dora, articleId, "published again");
    expect(await ids("UNMODERATED", articleId)).toEqual([free.id, first.id]);
    const history = (await t.data(AUTHOR, { id: first.author.id }, { token: mod })).author.moderationHistory;
    expect(history.map((entry: { action: string }) => entry.action)).toEqual(["PREMODERATE", "UNPREMODERATE"]);
  });

  it("lets only moderators and the service token sanction, and never a moderator or a commenter without a reader account", async () => {
    const articleId = await importUniqueArticle(t);
    const target = (await postAs(t, ben, articleId, "target")).author.id;
    const moderator = (await postAs(t, otherMod, articleId, "a moderator writes")).author.id;
    const named = (await postComment(t, articleId, "posted by the host site", { authorName: "Service Sam" })).author!.id;

    expect((await t.gql(BAN, { id: target })).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect((await t.gql(BAN, { id: target }, { token: anna })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(PREMODERATE, { id: target, on: true }, { token: anna })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(BAN, { id: moderator }, { token: mod })).errors?.[0]).toMatchObject({
      message: expect.stringContaining("moderator"),
      extensions: { code: "FORBIDDEN" },
    });
    expect(
      (await t.gql(SUSPEND, { id: named, until: new Date(time.now().getTime() + 60_000).toISOString() }, { token: mod })).errors?.[0].extensions?.code,
    ).toBe("FORBIDDEN");
    expect((await t.gql(BAN, { id: "bad" }, { token: mod })).errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "authorId" });
    // Nothing was recorded, and a stranger sees no standing.
    expect((await t.data(AUTHOR, { id: target }, { token: mod })).author.moderationHistory).toEqual([]);
    expect((await t.data(AUTHOR, { id: target }, { token: anna })).author).toMatchObject({ standing: null, moderationHistory: null });
    expect((await t.data(AUTHOR, { id: target })).author).toMatchObject({ standing: null, moderationHistory: null });
  });

  it("tells moderators over graphql-ws when a comment enters or leaves a queue, and refuses readers and anonymous callers", async () => {
    const articleId = await importUniqueArticle(t);
    const host = await listen(t.server.httpServer);
    const moderator = wsClient(host, { authorization: `Bearer ${mod}` });
    const reader = wsClient(host, { authorization: `Bearer ${anna}` });
    const anonymous = wsClient(host);
    try {
      const refusedReader = probe(reader, EVENTS, { articleId });
      const refusedAnonymous = probe(anonymous, EVENTS, {});
      for (const [refused, code] of [
        [refusedReader, "FORBIDDEN"],
        [refusedAnonymous, "UNAUTHENTICATED"],
      ] as const) {
        const outcome = await refused.next();
        const errors = outcome.kind === "next" ? outcome.result.errors : (outcome as { error: unknown[] }).error;
        expect((errors as { extensions?: { code?: string } }[])[0].extensions?.code).toBe(code);
      }

      const told = probe(moderator, EVENTS, { articleId });
      await events.listening(MODERATION_TOPIC, 1);
      const posted = await postAs(t, anna, articleId, "watched");
      await t.data(FLAG, { id: posted.id, reason: "SPAM" }, { token: ben });
      await t.data(SET_STATUS, { id: posted.id, status: "REJECTED" }, { token: mod });
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) {
        const outcome = await told.next();
        if (outcome.kind !== "next") throw new Error(`unexpected ${outcome.kind}`);
        const event = outcome.result.data!.moderationEvents as { kind: string; queue: string; comment: { id: string; status: string } };
        expect(event.comment.id).toBe(posted.id);
        seen.push(`${event.kind} ${event.queue}`);
      }
      expect(seen).toEqual(["ENTERED UNMODERATED", "ENTERED REPORTED", "LEFT REPORTED", "LEFT UNMODERATED", "ENTERED REJECTED"]);
      told.unsubscribe();
    } finally {
      await Promise.all([moderator.dispose(), reader.dispose(), anonymous.dispose()]);
    }
    expect(rowId(articleId)).toBeGreaterThan(0);
  });
});
