/**
 * Subscription.commentEvents as many subscribers see it, over real WebSockets: identical
 * subscribers are told the same story, in the order of the writes, whatever the database holds by
 * the time each event reaches them; and an event costs the same statements however many listen.
 */
import { Client } from "graphql-ws";
import { commentEventsTopic } from "../../src/events/comment-events";
import { engines } from "../helpers/databases";
import { importUniqueArticle, rowId } from "../helpers/discussion";
import { POST, readerToken } from "../helpers/readers";
import { listen, observedLocalEvents, Probe, probe, wsClient } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const EVENTS = `subscription($id: ID!) { commentEvents(articleId: $id) { kind comment { id body } } }`;
/** What the reader app asks of each event, less the reader's own fields. */
const RICH_EVENTS = `subscription($id: ID!) {
  commentEvents(articleId: $id) { kind comment { id body status depth author { id name } parent { id } article { id commentCount } } }
}`;
const DELETE = `mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`;
const PUBLISH = `mutation($id: ID!) { setCommentStatus(id: $id, status: PUBLISHED) { comment { id } } }`;
const PRE_MODERATION = `mutation($id: ID!) { setArticleModeration(articleId: $id, mode: PRE) { id } }`;
const SUBSCRIPTIONS_PER_SOCKET = 5;

describe.each(engines)("live comment streams on %s", (engine) => {
  let t: TestServer;
  let host: string;
  const events = observedLocalEvents();
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, events: events.bus });
    host = await listen(t.server.httpServer);
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await t.close();
  });

  /**
   * `count` subscriptions to the article's events, five to a socket, anonymous unless a token is
   * given; listening once this resolves (`listeners`: how many the topic has by then, all told).
   */
  async function subscribers(story: string, count: number, query = EVENTS, token?: string, listeners = count): Promise<Probe[]> {
    const subs: Probe[] = [];
    let client: Client | null = null;
    for (let i = 0; i < count; i++) {
      if (i % SUBSCRIPTIONS_PER_SOCKET === 0) {
        client = wsClient(host, token ? { authorization: `Bearer ${token}` } : undefined);
        clients.push(client);
      }
      subs.push(probe(client!, query, { id: story }));
    }
    await events.listening(commentEventsTopic(rowId(story)), listeners);
    return subs;
  }

  /** What one subscriber was told, as "KIND id body", up to and including the ADDED of `lastId`. */
  async function streamUntil(sub: Probe, lastId: string): Promise<string[]> {
    const told: string[] = [];
    for (;;) {
      const outcome = await sub.next();
      if (outcome.kind !== "next") throw new Error(`expected an event, got ${JSON.stringify(outcome)}`);
      const event = outcome.result.data!.commentEvents as { kind: string; comment: { id: string; body: string } };
      told.push(`${event.kind} ${event.comment.id} ${event.comment.body}`);
      if (event.kind === "ADDED" && event.comment.id === lastId) return told;
    }
  }

  async function post(story: string, body: string, token = TEST_TOKEN, extra: Record<string, unknown> = {}): Promise<string> {
    return (await t.data(POST, { articleId: story, body, ...extra }, { token })).addComment.comment.id;
  }

  it("tells 50 identical subscribers the same story of comments added and deleted at once", async () => {
    const story = await importUniqueArticle(t);
    const subs = await subscribers(story, 50);
    const expected: string[] = [];
    for (let round = 1; round <= 3; round++) {
      const id = await post(story, `Gone at once ${round}`);
      await t.data(DELETE, { id }, { token: TEST_TOKEN });
      expected.push(`ADDED ${id} Gone at once ${round}`, `DELETED ${id} `);
    }
    const last = await post(story, "The last word");
    expected.push(`ADDED ${last} The last word`);
    const streams = await Promise.all(subs.map((sub) => streamUntil(sub, last)));
    expect(streams).toEqual(subs.map(() => expected));
    for (const sub of subs) sub.unsubscribe();
  });

  it("tells each subscriber of a held comment published at once as one ADDED, with its text", async () => {
    const story = await importUniqueArticle(t);
    await t.data(PRE_MODERATION, { id: story }, { token: TEST_TOKEN });
    const subs = await subscribers(story, 50);
    const reader = await readerToken({ sub: "streams-hal", name: "Hal" });
    const held = await post(story, "Held, then published", reader);
    await t.data(PUBLISH, { id: held }, { token: TEST_TOKEN });
    const last = await post(story, "The last word");
    const streams = await Promise.all(subs.map((sub) => streamUntil(sub, last)));
    expect(streams).toEqual(subs.map(() => [`ADDED ${held} Held, then published`, `ADDED ${last} The last word`]));
    for (const sub of subs) sub.unsubscribe();
  });

  it("runs as many statements to deliver an event to 20 anonymous subscribers and 5 moderators as to one of each", async () => {
    let statements = 0;
    for (const source of t.db.dataSource.dataSources()) {
      const logger = source.logger;
      const logQuery = logger.logQuery.bind(logger);
      logger.logQuery = (...args) => {
        statements += 1;
        return logQuery(...args);
      };
    }
    const delivering: Record<number, number> = {};
    for (const [anonymous, moderators] of [
      [1, 1],
      [20, 5],
    ]) {
      const story = await importUniqueArticle(t);
      const subs = [
        ...(await subscribers(story, anonymous, RICH_EVENTS)),
        ...(await subscribers(story, moderators, RICH_EVENTS, TEST_TOKEN, anonymous + moderators)),
      ];
      const parent = await post(story, "A thread to reply to", TEST_TOKEN, { authorName: "Opening Poster" });
      await Promise.all(subs.map((sub) => streamUntil(sub, parent)));

      statements = 0;
      const reply = await t.gql(
        POST,
        { articleId: story, body: "A reply many are waiting for", authorName: "Replier", parentId: parent },
        { token: TEST_TOKEN },
      );
      const written = reply.extensions?.sqlQueries as number;
      const replyId: string = reply.data!.addComment.comment.id;
      const streams = await Promise.all(subs.map((sub) => streamUntil(sub, replyId)));
      delivering[subs.length] = statements - written;
      expect(streams).toEqual(subs.map(() => [`ADDED ${replyId} A reply many are waiting for`]));
      for (const sub of subs) sub.unsubscribe();
    }
    expect(delivering[25]).toBe(delivering[2]);
  });
});
