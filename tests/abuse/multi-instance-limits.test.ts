/**
 * The limits hold across instances: two servers on one PostgreSQL schema count a reader's and an
 * address's writes in the same Redis counters, whichever instance takes each write.
 */
import { redisSuite, redisUrl } from "../helpers/redis";
import { renderDump } from "../../src/ingest/render-dump";
import { IMPORT_DUMP, uniqueArticle } from "../helpers/discussion";
import { InstancePair, startInstancePair } from "../helpers/instances";
import { POST, readerToken } from "../helpers/readers";
import { httpGql } from "../helpers/subscriptions";
import { TEST_TOKEN } from "../helpers/test-server";

const REDIS_URL = redisUrl();
const describeWithPostgres = redisSuite(true);

describeWithPostgres(`abuse limits across two instances on PostgreSQL and Redis`, () => {
  let pair: InstancePair;
  let story: string;
  beforeAll(async () => {
    pair = await startInstancePair(REDIS_URL, { commentsPerMinute: 3, addressPerMinute: 8 });
    const imported = await httpGql(pair.a.host, IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN);
    story = imported.data!.importDump.article.id;
  });
  afterAll(() => pair?.close());

  it("counts one reader's comments, their bodies and one address's writes on both instances together", async () => {
    const post = (host: string, token: string, body: string) => httpGql(host, POST, { articleId: story, body }, token);
    const code = (result: Awaited<ReturnType<typeof post>>) => result.errors?.[0].extensions?.limit ?? "taken";
    const [ann, bob, carl] = await Promise.all(["ann", "bob", "carl"].map((name) => readerToken({ sub: `instances-${name}`, name })));

    // Ann: three comments spread over both instances, then the fourth is refused wherever it goes.
    expect(code(await post(pair.a.host, ann, "a1"))).toBe("taken");
    expect(code(await post(pair.b.host, ann, "a2"))).toBe("taken");
    expect(code(await post(pair.a.host, ann, "a3"))).toBe("taken");
    const fourth = await post(pair.b.host, ann, "a4");
    expect(fourth.errors?.[0].extensions).toMatchObject({ code: "RATE_LIMITED", limit: "COMMENTS" });

    // Bob: a body posted on A is a duplicate on B.
    expect(code(await post(pair.a.host, bob, "Same words"))).toBe("taken");
    const duplicate = await post(pair.b.host, bob, "same words");
    expect(duplicate.errors?.[0].extensions).toMatchObject({ code: "RATE_LIMITED", limit: "DUPLICATE_BODY" });
    expect(duplicate.errors?.[0].extensions?.retryAfter).toBeGreaterThan(590);

    // Every one of those came from 127.0.0.1: six writes so far, refusals included; two more are taken.
    expect(code(await post(pair.b.host, carl, "c1"))).toBe("taken");
    expect(code(await post(pair.a.host, carl, "c2"))).toBe("taken");
    const overAddress = await post(pair.b.host, carl, "c3");
    expect(overAddress.errors?.[0].extensions).toMatchObject({ code: "RATE_LIMITED", limit: "ADDRESS" });

    // The service token from the same address is not limited.
    const service = await httpGql(pair.a.host, POST, { articleId: story, body: "c3", authorName: "Desk" }, TEST_TOKEN);
    expect(service.errors).toBeUndefined();

    const [row] = await pair.db.dataSource.query(`SELECT COUNT(*) AS n FROM comment`);
    expect(Number(row.n)).toBe(3 + 1 + 2 + 1);
  });
});
