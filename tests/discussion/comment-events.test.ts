/**
 * Subscription.commentEvents over real WebSockets, with subscribers signed in as different readers:
 * every kind of change reaches those who may see the comment, and only them; a held comment
 * reaches moderators and its author only; a deleted comment is told without its text.
 */
import { Client } from "graphql-ws";
import { commentEventsTopic } from "../../src/events/comment-events";
import { renderDump } from "../../src/ingest/render-dump";
import { toGlobalId } from "../../src/schema/global-id";
import { createServer, ThreadlineServer } from "../../src/server";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { IMPORT_DUMP, rowId, uniqueArticle } from "../helpers/discussion";
import { POST, readerToken } from "../helpers/readers";
import { httpGql, listen, observedLocalEvents, Probe, probe, wsClient } from "../helpers/subscriptions";
import { TEST_TOKEN, testConfig } from "../helpers/test-server";

const EVENTS = `subscription($id: ID!) {
  commentEvents(articleId: $id) { kind comment { id body isDeleted reactionCount viewerHasReacted author { name } } }
}`;

type Seen = {
  kind: string;
  comment: { id: string; body: string; isDeleted: boolean; reactionCount: number; viewerHasReacted: boolean; author: { name: string } | null };
};

describe.each(engines)("Subscription.commentEvents on %s", (engine) => {
  let db: TestDatabase;
  let server: ThreadlineServer;
  let host: string;
  const events = observedLocalEvents();
  const clients: Client[] = [];
  let ann: string;
  let bob: string;
  let mod: string;

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    server = await createServer(testConfig({ database: db.config }), db.dataSource, events.bus);
    host = await listen(server.httpServer);
    [ann, bob, mod] = await Promise.all([
      readerToken({ sub: "events-ann", name: "Ann" }),
      readerToken({ sub: "events-bob", name: "Bob" }),
      readerToken({ sub: "events-mod", name: "Mo", role: "moderator" }),
    ]);
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await server.stop();
    await db.close();
  });

  async function write(query: string, variables: Record<string, unknown>, token: string) {
    const result = await httpGql(host, query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  /** The next event a subscriber gets, as kind, body and whatever else a case looks at. */
  async function next(sub: Probe): Promise<Seen> {
    const outcome = await sub.next();
    if (outcome.kind !== "next") throw new Error(`expected an event, got ${JSON.stringify(outcome)}`);
    expect(outcome.result.errors).toBeUndefined();
    return outcome.result.data!.commentEvents as Seen;
  }

  it("sends every kind of change to each subscriber as they may see it, held comments to moderators and their author only", async () => {
    const story: string = (await write(IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN)).importDump.article.id;
    const subscribe = (token: string | null) => {
      const client = wsClient(host, token ? { authorization: `Bearer ${token}` } : undefined);
      clients.push(client);
      return probe(client, EVENTS, { id: story });
    };
    const [anonymous, asAnn, asBob, asMod] = [subscribe(null), subscribe(ann), subscribe(bob), subscribe(mod)];
    const everyone = [anonymous, asAnn, asBob, asMod];
    await events.listening(commentEventsTopic(rowId(story)), 4);

    // ADDED, published: everyone.
    const first = (await write(POST, { articleId: story, body: "First words" }, ann)).addComment.comment;
    for (const sub of everyone)
      expect(await next(sub)).toMatchObject({ kind: "ADDED", comment: { id: first.id, body: "First words", author: { name: "Ann" } } });

    // EDITED: everyone, with the new text.
    await write(`mutation($id: ID!) { editComment(id: $id, body: "Better words") { comment { id } } }`, { id: first.id }, ann);
    for (const sub of everyone) expect(await next(sub)).toMatchObject({ kind: "EDITED", comment: { id: first.id, body: "Better words" } });

    // REACTED: everyone, each told whether they reacted.
    await write(`mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }`, { id: first.id }, bob);
    for (const sub of everyone) {
      expect(await next(sub)).toMatchObject({ kind: "REACTED", comment: { id: first.id, reactionCount: 1, viewerHasReacted: sub === asBob } });
    }

    // STATUS_CHANGED away from the public: those who saw it hear of it; the public gets a tombstone.
    await write(`mutation($id: ID!) { setCommentStatus(id: $id, status: PENDING) { comment { id } } }`, { id: first.id }, mod);
    for (const sub of [anonymous, asBob]) expect(await next(sub)).toMatchObject({ kind: "STATUS_CHANGED", comment: { id: first.id, body: "", author: null } });
    for (const sub of [asAnn, asMod])
      expect(await next(sub)).toMatchObject({ kind: "STATUS_CHANGED", comment: { id: first.id, body: "Better words", author: { name: "Ann" } } });

    // Under pre-moderation Ann's new comment is PENDING: ADDED reaches Ann and the moderator only.
    await write(`mutation($id: ID!) { setArticleModeration(articleId: $id, mode: PRE) { id } }`, { id: story }, TEST_TOKEN);
    const held = (await write(POST, { articleId: story, body: "Held words" }, ann)).addComment.comment;
    for (const sub of [asAnn, asMod]) expect(await next(sub)).toMatchObject({ kind: "ADDED", comment: { id: held.id, body: "Held words" } });

    // Deleting the held first comment: it never was public again, so the public hears nothing.
    await write(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: first.id }, ann);
    for (const sub of [asAnn, asMod])
      expect(await next(sub)).toMatchObject({ kind: "DELETED", comment: { id: first.id, body: "", isDeleted: true, author: null } });

    // Publishing the held comment: now everyone sees it. Ann and the moderator saw it held; for the
    // public and Bob it is new, so it reaches them as ADDED, the next event after the tombstone:
    // they heard nothing of the held comment or of the deletion.
    await write(`mutation($id: ID!) { setCommentStatus(id: $id, status: PUBLISHED) { comment { id } } }`, { id: held.id }, mod);
    for (const sub of [asAnn, asMod]) expect(await next(sub)).toMatchObject({ kind: "STATUS_CHANGED", comment: { id: held.id, body: "Held words" } });
    for (const sub of [anonymous, asBob]) expect(await next(sub)).toMatchObject({ kind: "ADDED", comment: { id: held.id, body: "Held words" } });

    // Deleting a public comment: everyone hears, no one gets its text.
    await write(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: held.id }, mod);
    for (const sub of everyone) expect(await next(sub)).toMatchObject({ kind: "DELETED", comment: { id: held.id, body: "", isDeleted: true, author: null } });
    for (const sub of everyone) sub.unsubscribe();
  });

  it("tells the public of a comment that flags put on hold, as a tombstone", async () => {
    const story: string = (await write(IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN)).importDump.article.id;
    const target = (await write(POST, { articleId: story, body: "Flag bait" }, ann)).addComment.comment;
    const client = wsClient(host);
    clients.push(client);
    const sub = probe(client, EVENTS, { id: story });
    await events.listening(commentEventsTopic(rowId(story)));
    const flaggers = await Promise.all(["f1", "f2", "f3"].map((name) => readerToken({ sub: `events-${name}`, name })));
    // testConfig holds a comment at 3 flags; flags themselves send no event.
    for (const token of flaggers) await write(`mutation($id: ID!) { flagComment(id: $id, reason: SPAM) { comment { id } } }`, { id: target.id }, token);
    expect(await next(sub)).toMatchObject({ kind: "STATUS_CHANGED", comment: { id: target.id, body: "", author: null } });
    sub.unsubscribe();
  });

  it("keeps commentAdded for published comments beside it", async () => {
    const story: string = (await write(IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN)).importDump.article.id;
    const client = wsClient(host);
    clients.push(client);
    const added = probe(client, `subscription($id: ID!) { commentAdded(articleId: $id) { id body } }`, { id: story });
    const changes = probe(client, EVENTS, { id: story });
    await events.listening(commentEventsTopic(rowId(story)));
    await events.listening(`commentAdded:${rowId(story)}`);
    const posted = (await write(POST, { articleId: story, body: "Both hear this" }, bob)).addComment.comment;
    expect(await added.next()).toEqual({ kind: "next", result: { data: { commentAdded: { id: posted.id, body: "Both hear this" } } } });
    expect(await next(changes)).toMatchObject({ kind: "ADDED", comment: { id: posted.id, body: "Both hear this" } });
    added.unsubscribe();
    changes.unsubscribe();
  });

  it("answers an unknown article with NOT_FOUND", async () => {
    const client = wsClient(host);
    clients.push(client);
    const sub = probe(client, EVENTS, { id: toGlobalId("Article", 987_654) });
    const outcome = await sub.next();
    expect(outcome.kind === "next" && outcome.result.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });
});
