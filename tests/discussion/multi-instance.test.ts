import { redisSuite, redisUrl } from "../helpers/redis";
import { randomInt } from "node:crypto";
import { Client } from "graphql-ws";
import Redis from "ioredis";
import { commentAddedTopic, commentEventsTopic } from "../../src/events/comment-events";
import { renderDump } from "../../src/ingest/render-dump";
import { ADD_COMMENT, IMPORT_DUMP, rowId, uniqueArticle } from "../helpers/discussion";
import { InstancePair, startInstancePair } from "../helpers/instances";
import { eventually, httpGql, probe, wsClient } from "../helpers/subscriptions";
import { TEST_TOKEN } from "../helpers/test-server";

const REDIS_URL = redisUrl();

const COMMENT_ADDED = `subscription($id: ID!) { commentAdded(articleId: $id) { id body author { name } article { id commentCount } } }`;

const describeWithPostgres = redisSuite(true);

describeWithPostgres(`two instances on PostgreSQL and Redis`, () => {
  let pair: InstancePair;
  let redis: Redis;
  const clients: Client[] = [];

  beforeAll(async () => {
    pair = await startInstancePair(REDIS_URL);
    redis = new Redis(REDIS_URL);
    // Topics are per article id; ids far from any other run's keep parallel runs sharing this
    // Redis from hearing each other.
    await pair.db.dataSource.query(`ALTER SEQUENCE "article_id_seq" RESTART WITH ${randomInt(1_000_000, 2_000_000_000)}`);
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await redis?.quit();
    await pair?.close();
  });

  /** Subscribers on Redis for a topic, across every instance. */
  async function subscribers(topic: string): Promise<number> {
    const [, count] = (await redis.pubsub("NUMSUB", topic)) as [string, number];
    return Number(count);
  }

  it("delivers a comment posted on one instance to subscribers on both", async () => {
    const imported = await httpGql(pair.a.host, IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN);
    const story: string = imported.data!.importDump.article.id;
    const topic = commentAddedTopic(rowId(story));

    const onB = wsClient(pair.b.host);
    const onA = wsClient(pair.a.host);
    clients.push(onB, onA);
    const subB = probe(onB, COMMENT_ADDED, { id: story });
    const subA = probe(onA, COMMENT_ADDED, { id: story });
    // Each instance holds one Redis subscription per topic, whatever its number of clients.
    await eventually(async () => (await subscribers(topic)) === 2, `both instances to subscribe to ${topic}`);

    const posted = await httpGql(pair.a.host, ADD_COMMENT, { articleId: story, body: "Posted on A", authorName: "Kim" }, TEST_TOKEN);
    expect(posted.errors).toBeUndefined();
    const expected = {
      kind: "next",
      result: {
        data: {
          commentAdded: { id: posted.data!.addComment.comment.id, body: "Posted on A", author: { name: "Kim" }, article: { id: story, commentCount: 1 } },
        },
      },
    };
    expect(await subB.next()).toEqual(expected);
    expect(await subA.next()).toEqual(expected);

    const fromB = await httpGql(pair.b.host, ADD_COMMENT, { articleId: story, body: "Posted on B" }, TEST_TOKEN);
    const onAgain = await subA.next();
    expect(onAgain).toMatchObject({
      kind: "next",
      result: { data: { commentAdded: { id: fromB.data!.addComment.comment.id, article: { commentCount: 2 } } } },
    });

    subA.unsubscribe();
    subB.unsubscribe();
    await eventually(async () => (await subscribers(topic)) === 0, `both instances to leave ${topic}`);
  });

  it("delivers commentEvents through Redis too, filtered on the subscriber's instance", async () => {
    const imported = await httpGql(pair.a.host, IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN);
    const story: string = imported.data!.importDump.article.id;
    const topic = commentEventsTopic(rowId(story));
    const onB = wsClient(pair.b.host);
    clients.push(onB);
    const sub = probe(onB, `subscription($id: ID!) { commentEvents(articleId: $id) { kind comment { id body } } }`, { id: story });
    await eventually(async () => (await subscribers(topic)) === 1, `instance B to subscribe to ${topic}`);
    const posted = await httpGql(pair.a.host, ADD_COMMENT, { articleId: story, body: "Across instances", authorName: "Kim" }, TEST_TOKEN);
    const id = posted.data!.addComment.comment.id;
    expect(await sub.next()).toEqual({ kind: "next", result: { data: { commentEvents: { kind: "ADDED", comment: { id, body: "Across instances" } } } } });
    await httpGql(pair.a.host, `mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id }, TEST_TOKEN);
    expect(await sub.next()).toEqual({ kind: "next", result: { data: { commentEvents: { kind: "DELETED", comment: { id, body: "" } } } } });
    sub.unsubscribe();
  });
});
