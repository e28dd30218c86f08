/**
 * A WebSocket's identity lasts as long as its reader's token: when the token expires the socket is
 * closed (4401) and nothing more reaches it, and a reader (a demoted moderator among them) comes
 * back with a fresh token and the rights it gives.
 */
import { Client } from "graphql-ws";
import { commentEventsTopic } from "../../src/events/comment-events";
import { engines } from "../helpers/databases";
import { importUniqueArticle, rowId } from "../helpers/discussion";
import { POST, readerToken, testClock } from "../helpers/readers";
import { listen, observedLocalEvents, probe, wsClient } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const EVENTS = `subscription($id: ID!) { commentEvents(articleId: $id) { kind comment { id body status } } }`;
const PRE_MODERATION = `mutation($id: ID!) { setArticleModeration(articleId: $id, mode: PRE) { id } }`;

/** Resolves with the close code when the client's socket closes; rejects if it is still open after 10 s. */
function closeOf(client: Client): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the socket is still open 10 s later")), 10_000);
    client.on("closed", (event) => {
      clearTimeout(timer);
      resolve((event as { code: number }).code);
    });
  });
}

describe.each(engines)("a WebSocket's identity after its token expires, on %s", (engine) => {
  describe("on the server's clock", () => {
    let t: TestServer;
    let host: string;
    const time = testClock();
    const events = observedLocalEvents();
    const clients: Client[] = [];
    const token = (claims: Parameters<typeof readerToken>[0]) => readerToken(claims, { now: time.now() });

    beforeAll(async () => {
      t = await startTestServer(engine, { seed: false, clock: time.clock, events: events.bus });
      host = await listen(t.server.httpServer);
    });
    afterAll(async () => {
      for (const client of clients) await client.dispose();
      await t.close();
    });

    function connect(authorization: string): Client {
      const client = wsClient(host, { authorization: `Bearer ${authorization}` });
      clients.push(client);
      return client;
    }

    it("sends nothing to a moderator's socket after their token expired, closes it with 4401, and serves the demoted reader's fresh token as a commenter", async () => {
      const story = await importUniqueArticle(t);
      await t.data(PRE_MODERATION, { id: story }, { token: TEST_TOKEN });
      const moderator = connect(await token({ sub: "expiry-mo", name: "Mo", role: "moderator", expiresIn: 4 }));
      const closed = closeOf(moderator);
      const asModerator = probe(moderator, EVENTS, { id: story });
      await events.listening(commentEventsTopic(rowId(story)));

      time.advance(6);
      const reader = await token({ sub: "expiry-rita", name: "Rita" });
      await t.data(POST, { articleId: story, body: "Held after the moderator's token ran out" }, { token: reader });
      const outcome = await asModerator.next();
      expect(outcome.kind).toBe("error");
      expect(await closed).toBe(4401);

      // The host site demoted Mo: the fresh token says commenter, and held comments no longer reach them.
      const demoted = connect(await token({ sub: "expiry-mo", name: "Mo", expiresIn: 3600 }));
      const asDemoted = probe(demoted, EVENTS, { id: story });
      await events.listening(commentEventsTopic(rowId(story)), 2);
      await t.data(POST, { articleId: story, body: "Held again" }, { token: reader });
      const published = await t.data(POST, { articleId: story, body: "Posted by the service" }, { token: TEST_TOKEN });
      expect(await asDemoted.next()).toEqual({
        kind: "next",
        result: {
          data: { commentEvents: { kind: "ADDED", comment: { id: published.addComment.comment.id, body: "Posted by the service", status: "PUBLISHED" } } },
        },
      });
    });

    it("refuses a new subscription on a socket whose token has expired", async () => {
      const story = await importUniqueArticle(t);
      const client = connect(await token({ sub: "expiry-sam", name: "Sam", expiresIn: 4 }));
      const closed = closeOf(client);
      // The socket opens with the token still good; the first subscription comes after it expired.
      const opened = new Promise<void>((resolve) => client.on("connected", () => resolve()));
      const viewer = probe(client, `{ viewer { name } }`);
      await opened;
      await viewer.next();
      time.advance(5);
      const late = probe(client, EVENTS, { id: story });
      expect((await late.next()).kind).toBe("error");
      expect(await closed).toBe(4401);
    });
  });

  describe("on the system clock", () => {
    let t: TestServer;
    let host: string;

    beforeAll(async () => {
      t = await startTestServer(engine, { seed: false });
      host = await listen(t.server.httpServer);
    });
    afterAll(() => t.close());

    it("closes a quiet socket with 4401 when its token expires", async () => {
      const story = await importUniqueArticle(t);
      const client = wsClient(host, { authorization: `Bearer ${await readerToken({ sub: "expiry-quiet", role: "moderator", expiresIn: 2 })}` });
      const closed = closeOf(client);
      probe(client, EVENTS, { id: story });
      // exp is in whole seconds: the socket closes one to two seconds from now.
      expect(await closed).toBe(4401);
      await client.dispose();
    });
  });
});
