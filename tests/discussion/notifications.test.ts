/**
 * Readers' notifications through GraphQL: replies and moderators' decisions reach the reader they
 * concern and nobody else, the stored unread count follows the rows, markNotificationsRead, and
 * notificationAdded delivers live to that reader only.
 */
import { run, sql } from "../../src/db/sql";
import { inTransaction } from "../../src/db/transaction";
import { notify, notificationTopic, NotificationKind, publishNotifications } from "../../src/discussion/notifications";
import { randomBytes } from "node:crypto";
import type { Client } from "graphql-ws";
import Redis from "ioredis";
import { renderDump } from "../../src/ingest/render-dump";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, importUniqueArticle, uniqueArticle } from "../helpers/discussion";
import { InstancePair, startInstancePair } from "../helpers/instances";
import { postAs, readerToken } from "../helpers/readers";
import { redisSuite, redisUrl } from "../helpers/redis";
import { eventually, httpGql, listen, observedLocalEvents, probe, wsClient } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const INBOX = `query($first: Int, $after: String) {
  viewer { unreadNotificationCount notifications(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id kind reason read createdAt comment { id body } } } }
}`;
const MARK = `mutation($upTo: ID) { markNotificationsRead(upTo: $upTo) { unreadNotificationCount } }`;
const NODE = `query($id: ID!) { node(id: $id) { id ... on Notification { kind } } }`;
const SET_STATUS = `mutation($id: ID!, $status: CommentStatus!, $reason: String) { setCommentStatus(id: $id, status: $status, reason: $reason) { comment { id } } }`;
const FEATURE = `mutation($id: ID!) { featureComment(id: $id) { comment { id } } }`;
const SET_MODE = `mutation($id: ID!, $mode: ModerationMode!) { setArticleModeration(articleId: $id, mode: $mode) { id } }`;
const LIVE = `subscription { notificationAdded { id kind reason comment { id body } } }`;
const POST_COMMENT = `mutation($articleId: ID!, $body: String!, $parentId: ID) { addComment(articleId: $articleId, body: $body, parentId: $parentId) { comment { id } } }`;
const describeWithRedis = redisSuite(true);

describe.each(engines)("notifications on %s", (engine) => {
  let t: TestServer;
  let anna: string;
  let ben: string;
  let mod: string;
  let articleId: string;
  const events = observedLocalEvents();

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, events: events.bus });
    anna = await readerToken({ sub: "anna", name: "Anna" });
    ben = await readerToken({ sub: "ben", name: "Ben" });
    mod = await readerToken({ sub: "mo", name: "Mo", role: "moderator" });
    articleId = await importUniqueArticle(t);
  });
  afterAll(() => t.close());

  const inbox = async (token: string) => (await t.data(INBOX, { first: 50 }, { token })).viewer;

  /** The stored unread count equals a recount of the rows. */
  async function recount(sub: string): Promise<number> {
    const [row] = await run<{ n: number | string }>(
      t.db.dataSource,
      sql`SELECT COUNT(*) AS n FROM notification WHERE "readerSub" = ${sub} AND "read" = ${false}`,
    );
    return Number(row.n);
  }

  it("tell a reader of replies to their comments, not of their own, and nobody else", async () => {
    const mine = await postAs(t, anna, articleId, "Anna's opinion");
    await postAs(t, anna, articleId, "Anna answers herself", { parentId: mine.id });
    const reply = await postAs(t, ben, articleId, "Ben disagrees", { parentId: mine.id });
    await postAs(t, TEST_TOKEN, articleId, "A named guest agrees", { parentId: mine.id, authorName: "Guest" });

    const annas = await inbox(anna);
    expect(annas.unreadNotificationCount).toBe(2);
    expect(annas.notifications.nodes.map((n: any) => [n.kind, n.comment.body, n.read])).toEqual([
      ["REPLY", "A named guest agrees", false],
      ["REPLY", "Ben disagrees", false],
    ]);
    expect(annas.notifications.totalCount).toBe(2);
    expect((await inbox(ben)).notifications.nodes).toEqual([]);
    expect(await recount("anna")).toBe(2);

    // Another reader cannot find Anna's notification; she can.
    const id = annas.notifications.nodes[1].id;
    expect((await t.data(NODE, { id }, { token: ben })).node).toBeNull();
    expect((await t.data(NODE, { id }, { token: mod })).node).toBeNull();
    expect((await t.data(NODE, { id })).node).toBeNull();
    expect((await t.data(NODE, { id }, { token: anna })).node).toEqual({ id, kind: "REPLY" });
    // Ben replying to Ben's own reply tells nobody new.
    await postAs(t, ben, articleId, "Ben again", { parentId: reply.id });
    expect((await inbox(ben)).unreadNotificationCount).toBe(0);
  });

  it("tell an author of a moderator's approval, rejection (with the reason) and featuring", async () => {
    const held = await importUniqueArticle(t);
    await t.data(SET_MODE, { id: held, mode: "PRE" }, { token: mod });
    const first = await postAs(t, ben, held, "Held for review");
    const parentNote = await postAs(t, anna, held, "Anna's held parent");
    const before = (await inbox(ben)).unreadNotificationCount;
    await t.data(SET_STATUS, { id: first.id, status: "PUBLISHED" }, { token: mod });
    await t.data(SET_STATUS, { id: first.id, status: "REJECTED", reason: "Off topic" }, { token: mod });
    await t.data(SET_STATUS, { id: first.id, status: "PUBLISHED" }, { token: TEST_TOKEN });
    await t.data(FEATURE, { id: first.id }, { token: mod });
    const bens = await inbox(ben);
    expect(bens.unreadNotificationCount).toBe(before + 4);
    expect(bens.notifications.nodes.slice(0, 4).map((n: any) => [n.kind, n.reason, n.comment?.id])).toEqual([
      ["FEATURED", null, first.id],
      ["APPROVED", null, first.id],
      ["REJECTED", "Off topic", first.id],
      ["APPROVED", null, first.id],
    ]);
    // A held reply tells its parent's author when a moderator publishes it, once.
    await t.data(SET_STATUS, { id: parentNote.id, status: "PUBLISHED" }, { token: mod });
    const annaBefore = (await inbox(anna)).unreadNotificationCount;
    const heldReply = await postAs(t, ben, held, "Held reply", { parentId: parentNote.id });
    expect((await inbox(anna)).unreadNotificationCount).toBe(annaBefore);
    await t.data(SET_STATUS, { id: heldReply.id, status: "PUBLISHED" }, { token: mod });
    await t.data(SET_STATUS, { id: heldReply.id, status: "PENDING" }, { token: mod });
    await t.data(SET_STATUS, { id: heldReply.id, status: "PUBLISHED" }, { token: mod });
    expect((await inbox(anna)).unreadNotificationCount).toBe(annaBefore + 1);
    expect(await recount("ben")).toBe((await inbox(ben)).unreadNotificationCount);
  });

  it("are marked read up to one, or all, with the count following", async () => {
    const annas = await inbox(anna);
    const total = annas.notifications.totalCount;
    expect(total).toBeGreaterThanOrEqual(3);
    const oldest = annas.notifications.nodes[total - 1].id;
    expect((await t.data(MARK, { upTo: oldest }, { token: anna })).markNotificationsRead.unreadNotificationCount).toBe(total - 1);
    const after = await inbox(anna);
    expect(after.notifications.nodes.map((n: any) => n.read)).toEqual([...Array(total - 1).fill(false), true]);
    expect(await recount("anna")).toBe(total - 1);

    expect((await t.gql(MARK, { upTo: oldest }, { token: ben })).errors?.[0].extensions?.code).toBe("NOT_FOUND");
    expect((await t.gql(MARK, { upTo: articleId }, { token: anna })).errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "upTo" });
    expect((await t.gql(MARK, {})).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect((await t.gql(MARK, {}, { token: TEST_TOKEN })).errors?.[0].extensions?.code).toBe("FORBIDDEN");

    expect((await t.data(MARK, {}, { token: anna })).markNotificationsRead.unreadNotificationCount).toBe(0);
    expect(await recount("anna")).toBe(0);
    // Paging: newest first, two at a time.
    const page = (await t.data(INBOX, { first: 2 }, { token: anna })).viewer.notifications;
    const next = (await t.data(INBOX, { first: 50, after: page.pageInfo.endCursor }, { token: anna })).viewer.notifications;
    expect([...page.nodes, ...next.nodes].map((n: any) => n.id)).toEqual(after.notifications.nodes.map((n: any) => n.id));
    // The service token has none.
    expect((await t.data(INBOX, { first: 5 }, { token: TEST_TOKEN })).viewer).toMatchObject({ unreadNotificationCount: 0, notifications: { nodes: [] } });
  });

  it("are raised by notify() for a sanction, in the writer's transaction", async () => {
    const [author] = await run<{ id: number }>(t.db.dataSource, sql`SELECT "id" FROM author WHERE "sub" = ${"ben"}`);
    const note = await inTransaction(t.db.dataSource, (manager) =>
      notify(manager, { authorId: Number(author.id), kind: NotificationKind.SANCTIONED, reason: "Suspended for a day", at: new Date() }),
    );
    publishNotifications(events.bus, [note]);
    const first = (await inbox(ben)).notifications.nodes[0];
    expect(first).toMatchObject({ kind: "SANCTIONED", reason: "Suspended for a day", comment: null });
  });

  it("tell a reader of a ban or a suspension by the sanction mutations, with the reason", async () => {
    const cara = await readerToken({ sub: "cara", name: "Cara" });
    const { author } = await postAs(t, cara, articleId, "Cara's first comment");
    const until = new Date(Date.now() + 86_400_000).toISOString();
    await t.data(
      `mutation($id: ID!, $until: DateTime!) { suspendAuthor(authorId: $id, until: $until, reason: "Cooling off") { author { id } } }`,
      { id: author.id, until },
      { token: mod },
    );
    await t.data(`mutation($id: ID!) { banAuthor(authorId: $id, reason: "Spam again") { author { id } } }`, { id: author.id }, { token: mod });
    const caras = await inbox(cara);
    expect(caras.notifications.nodes.map((n: any) => [n.kind, n.reason])).toEqual([
      ["SANCTIONED", "Spam again"],
      ["SANCTIONED", "Cooling off"],
    ]);
    expect(caras.unreadNotificationCount).toBe(await recount("cara"));
  });

  it("arrive live to their reader only", async () => {
    const host = await listen(t.server.httpServer);
    const annaClient = wsClient(host, { authorization: `Bearer ${anna}` });
    const benClient = wsClient(host, { authorization: `Bearer ${ben}` });
    const anonymous = wsClient(host);
    const service = wsClient(host, { authorization: `Bearer ${TEST_TOKEN}` });
    try {
      const serviceRefusal = await probe(service, LIVE).next();
      expect(serviceRefusal.kind === "next" && serviceRefusal.result.errors?.[0].extensions?.code).toBe("FORBIDDEN");
      const annaLive = probe(annaClient, LIVE);
      const benLive = probe(benClient, LIVE);
      const refused = probe(anonymous, LIVE);
      const refusal = await refused.next();
      expect(refusal.kind === "next" && refusal.result.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
      await events.listening(notificationTopic("anna"));
      await events.listening(notificationTopic("ben"));

      const mine = await postAs(t, anna, articleId, "Anna, live");
      await postAs(t, ben, articleId, "Ben answers live", { parentId: mine.id });
      const told = await annaLive.next();
      expect(told.kind === "next" && told.result.data).toMatchObject({ notificationAdded: { kind: "REPLY", comment: { body: "Ben answers live" } } });
      // Ben's own next notification is the first he hears: nothing of Anna's came before it.
      const bensComment = await postAs(t, ben, articleId, "Ben's top comment");
      await postAs(t, anna, articleId, "Anna answers Ben", { parentId: bensComment.id });
      const bensNote = await benLive.next();
      expect(bensNote.kind === "next" && bensNote.result.data).toMatchObject({ notificationAdded: { kind: "REPLY", comment: { body: "Anna answers Ben" } } });
    } finally {
      await Promise.all([annaClient.dispose(), benClient.dispose(), anonymous.dispose(), service.dispose()]);
    }
  });
});

describeWithRedis("notifications between two instances on PostgreSQL and Redis", () => {
  let pair: InstancePair;
  const clients: Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await pair?.close();
  });

  it("reach their reader on another instance, and only them", async () => {
    pair = await startInstancePair(redisUrl());
    // Subs of this run's own, so runs sharing the Redis do not hear each other.
    const run = randomBytes(4).toString("hex");
    const anna = await readerToken({ sub: `anna-${run}`, name: `Anna ${run}` });
    const ben = await readerToken({ sub: `ben-${run}`, name: `Ben ${run}` });
    const imported = await httpGql(pair.a.host, IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN);
    const story: string = imported.data!.importDump.article.id;

    const onB = wsClient(pair.b.host, { authorization: `Bearer ${anna}` });
    const benOnB = wsClient(pair.b.host, { authorization: `Bearer ${ben}` });
    clients.push(onB, benOnB);
    const annaLive = probe(onB, LIVE);
    const benLive = probe(benOnB, LIVE);
    const redis = new Redis(redisUrl());
    try {
      await eventually(async () => {
        const [, annaCount, , benCount] = (await redis.pubsub("NUMSUB", notificationTopic(`anna-${run}`), notificationTopic(`ben-${run}`))) as [
          string,
          number,
          string,
          number,
        ];
        return Number(annaCount) === 1 && Number(benCount) === 1;
      }, "both readers' topics to be subscribed on B");
    } finally {
      await redis.quit();
    }
    const mine = await httpGql(pair.a.host, POST_COMMENT, { articleId: story, body: "Anna on A" }, anna);
    await httpGql(pair.a.host, POST_COMMENT, { articleId: story, body: "Ben replies on A", parentId: mine.data!.addComment.comment.id }, ben);
    const told = await annaLive.next();
    expect(told.kind === "next" && told.result.data).toMatchObject({ notificationAdded: { kind: "REPLY", comment: { body: "Ben replies on A" } } });
    const bens = await httpGql(pair.a.host, POST_COMMENT, { articleId: story, body: "Ben on A" }, ben);
    await httpGql(pair.a.host, POST_COMMENT, { articleId: story, body: "Anna replies", parentId: bens.data!.addComment.comment.id }, anna);
    const bensNote = await benLive.next();
    expect(bensNote.kind === "next" && bensNote.result.data).toMatchObject({ notificationAdded: { kind: "REPLY", comment: { body: "Anna replies" } } });
  });
});
