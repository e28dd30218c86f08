/**
 * moderationEvents through Redis: a comment posted on one instance reaches a moderator subscribed
 * on the other, as comment events do (the bus is the same).
 */
import { randomInt } from "node:crypto";
import Redis from "ioredis";
import { MODERATION_TOPIC } from "../../src/events/comment-events";
import { renderDump } from "../../src/ingest/render-dump";
import { ADD_COMMENT, IMPORT_DUMP, uniqueArticle } from "../helpers/discussion";
import { InstancePair, startInstancePair } from "../helpers/instances";
import { redisSuite, redisUrl } from "../helpers/redis";
import { eventually, httpGql, probe, wsClient } from "../helpers/subscriptions";
import { TEST_TOKEN } from "../helpers/test-server";

const REDIS_URL = redisUrl();
const EVENTS = `subscription($id: ID) { moderationEvents(articleId: $id) { kind queue comment { id body } } }`;

redisSuite(true)("moderationEvents on two instances through Redis", () => {
  let pair: InstancePair;
  let redis: Redis;

  beforeAll(async () => {
    pair = await startInstancePair(REDIS_URL);
    redis = new Redis(REDIS_URL);
    // The topic is the site's; article ids far from any other run's keep a shared Redis's other events out of the filter.
    await pair.db.dataSource.query(`ALTER SEQUENCE "article_id_seq" RESTART WITH ${randomInt(1_000_000, 2_000_000_000)}`);
  });
  afterAll(async () => {
    await redis?.quit();
    await pair?.close();
  });

  const subscribers = async () => Number(((await redis.pubsub("NUMSUB", MODERATION_TOPIC)) as [string, number])[1]);

  it("tells a moderator on instance B of a comment posted on instance A", async () => {
    const imported = await httpGql(pair.a.host, IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN);
    const story: string = imported.data!.importDump.article.id;
    const before = await subscribers();
    const onB = wsClient(pair.b.host, { authorization: `Bearer ${TEST_TOKEN}` });
    try {
      const told = probe(onB, EVENTS, { id: story });
      await eventually(async () => (await subscribers()) > before, `instance B to subscribe to ${MODERATION_TOPIC}`);
      const posted = await httpGql(pair.a.host, ADD_COMMENT, { articleId: story, body: "Posted on A", authorName: "Kim" }, TEST_TOKEN);
      expect(await told.next()).toEqual({
        kind: "next",
        result: {
          data: { moderationEvents: { kind: "ENTERED", queue: "APPROVED", comment: { id: posted.data!.addComment.comment.id, body: "Posted on A" } } },
        },
      });
      told.unsubscribe();
    } finally {
      await onB.dispose();
    }
  });
});
