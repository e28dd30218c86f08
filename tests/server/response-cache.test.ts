/**
 * The response cache (RESPONSE_CACHE_MB): anonymous answers kept in memory and served over POST and
 * GET alike, dropped exactly by the writes that change what they read, on this instance at once and
 * on the others over the Redis bus; Surrogate-Key and Cache-Tag name the same keys, and
 * CACHE_PURGE_URL is told of every write's.
 */
import { createServer as createHttpServer, IncomingMessage, Server } from "node:http";
import { AddressInfo } from "node:net";
import { createHash, randomBytes, randomInt } from "node:crypto";
import type { Config } from "../../src/config";
import { createLocalEvents, WRITTEN_TOPIC } from "../../src/events/comment-events";
import { ResponseCache } from "../../src/execution/response-cache";
import { renderDump } from "../../src/ingest/render-dump";
import { captureConsole } from "../helpers/console";
import { engines } from "../helpers/databases";
import { ADD_COMMENT, rowId, uniqueArticle } from "../helpers/discussion";
import { InstancePair, startInstancePair } from "../helpers/instances";
import { readerToken } from "../helpers/readers";
import { redisSuite, redisUrl } from "../helpers/redis";
import { graphqlUrl, startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const CACHE_ON: Partial<Config> = { responseCache: { megabytes: 64, purgeUrl: null } };

const IMPORT = `mutation($text: String!) { importDump(text: $text) { article { id slug } } }`;
const STORY = `query Story($slug: String!) { article(slug: $slug) { title commentCount comments(first: 20) { totalCount nodes { id body author { name } } } } }`;
const LATEST = `query Latest { articles(first: 3) { nodes { title } } }`;
const SET_STATUS = `mutation($id: ID!, $status: CommentStatus!) { setCommentStatus(id: $id, status: $status) { comment { id status } } }`;
const UPSERT = `mutation($input: ArticleInput!) { upsertArticle(input: $input) { created article { id title } } }`;

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: { message: string }[]; extensions?: { sqlQueries?: number } };
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer["body"] };
}

async function get(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = { "apollo-require-preflight": "1" },
): Promise<Answer> {
  const search = new URLSearchParams({ query, variables: JSON.stringify(variables) });
  const response = await fetch(`${url}?${search}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer["body"] };
}

async function importStory(url: string): Promise<{ id: string; slug: string }> {
  const answer = await post(url, IMPORT, { text: renderDump(uniqueArticle()) }, TEST_TOKEN);
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data.importDump.article;
}

describe.each(engines)("the response cache on %s", (engine) => {
  let t: TestServer;
  let url: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { config: CACHE_ON });
    url = await graphqlUrl(t);
  });
  afterAll(async () => t?.close());

  it("answers a second identical anonymous read from memory, over POST and GET alike, with its keys", async () => {
    const story = await importStory(url);
    const first = await post(url, STORY, { slug: story.slug });
    expect(first.body.errors).toBeUndefined();
    expect(first.headers.get("x-cache")).toBe("MISS");
    expect(first.body.extensions?.sqlQueries).toBeGreaterThan(0);
    const keys = first.headers.get("surrogate-key")!.split(" ");
    expect(keys).toEqual(expect.arrayContaining(["all", "articles", `article:${rowId(story.id)}`, `article:${rowId(story.id)}:comments`]));
    expect(first.headers.get("cache-tag")!.split(",")).toEqual(keys);

    const again = await post(url, STORY, { slug: story.slug });
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(again.body.extensions?.sqlQueries).toBe(0);
    expect(again.body.data).toEqual(first.body.data);
    expect(again.headers.get("surrogate-key")).toBe(first.headers.get("surrogate-key"));
    expect(again.headers.get("cache-control")).toBe("no-store");

    const overGet = await get(url, STORY, { slug: story.slug });
    expect(overGet.headers.get("x-cache")).toBe("HIT");
    expect(overGet.body.data).toEqual(first.body.data);
    expect(overGet.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
    expect(overGet.headers.get("vary")).toContain("Authorization");
    // Automatic persisted queries: the text with its hash runs once (Apollo registers the hash), then the hash alone is a hit.
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash("sha256").update(STORY).digest("hex") } };
    const search = (params: Record<string, string>) => `${url}?${new URLSearchParams({ variables: JSON.stringify({ slug: story.slug }), ...params })}`;
    const preflight = { "apollo-require-preflight": "1" };
    const withText = await fetch(search({ query: STORY, extensions: JSON.stringify(extensions) }), { headers: preflight });
    expect(withText.headers.get("x-cache")).toBe("MISS");
    const hashOnly = await fetch(search({ extensions: JSON.stringify(extensions) }), { headers: preflight });
    expect(hashOnly.headers.get("x-cache")).toBe("HIT");
    expect(((await hashOnly.json()) as Answer["body"]).data).toEqual(first.body.data);
    // Where Apollo refuses a GET as a possible cross-site request, so does the cache.
    const unguarded = await get(url, STORY, { slug: story.slug }, {});
    expect(unguarded.status).toBe(400);
  });

  it("drops exactly what a posted comment, a moderated comment and an upserted article changed", async () => {
    const story = await importStory(url);
    const other = await importStory(url);
    await post(url, STORY, { slug: story.slug });
    await post(url, STORY, { slug: other.slug });
    expect((await post(url, STORY, { slug: story.slug })).headers.get("x-cache")).toBe("HIT");

    const posted = await post(url, ADD_COMMENT, { articleId: story.id, body: "Fresh words", authorName: "Kim" }, TEST_TOKEN);
    const commentId = posted.body.data.addComment.comment.id;
    const afterPost = await post(url, STORY, { slug: story.slug });
    expect(afterPost.headers.get("x-cache")).toBe("MISS");
    expect(afterPost.body.data.article).toMatchObject({
      commentCount: 1,
      comments: { nodes: [{ id: commentId, body: "Fresh words", author: { name: "Kim" } }] },
    });
    // Another article's answer read nothing the comment changed.
    expect((await post(url, STORY, { slug: other.slug })).headers.get("x-cache")).toBe("HIT");
    expect((await post(url, STORY, { slug: story.slug })).headers.get("x-cache")).toBe("HIT");

    const held = await post(url, SET_STATUS, { id: commentId, status: "REJECTED" }, TEST_TOKEN);
    expect(held.body.errors).toBeUndefined();
    const afterModeration = await post(url, STORY, { slug: story.slug });
    expect(afterModeration.headers.get("x-cache")).toBe("MISS");
    expect(afterModeration.body.data.article.commentCount).toBe(0);
    expect((await post(url, STORY, { slug: other.slug })).headers.get("x-cache")).toBe("HIT");

    await post(url, LATEST);
    expect((await post(url, LATEST)).headers.get("x-cache")).toBe("HIT");
    const title = `Upserted ${randomBytes(4).toString("hex")}`;
    const upserted = await post(
      url,
      UPSERT,
      {
        input: {
          url: `https://news.example/${randomBytes(4).toString("hex")}`,
          title,
          publishedAt: new Date(Date.UTC(2099, 0, 1)).toISOString(),
          paragraphs: ["Now."],
        },
      },
      TEST_TOKEN,
    );
    expect(upserted.body.errors).toBeUndefined();
    const latest = await post(url, LATEST);
    expect(latest.headers.get("x-cache")).toBe("MISS");
    expect(latest.body.data.articles.nodes[0].title).toBe(title);
  });

  it("never answers a signed-in reader from the cache, nor fills it from their reads", async () => {
    const story = await importStory(url);
    const token = await readerToken({ sub: `reader-${randomBytes(4).toString("hex")}`, name: "Reader" });
    const signedIn = await post(url, STORY, { slug: story.slug }, token);
    expect(signedIn.body.errors).toBeUndefined();
    expect(signedIn.headers.get("x-cache")).toBeNull();
    expect(signedIn.headers.get("surrogate-key")).toBeNull();
    expect((await post(url, STORY, { slug: story.slug })).headers.get("x-cache")).toBe("MISS");
    expect((await post(url, STORY, { slug: story.slug })).headers.get("x-cache")).toBe("HIT");
    const signedInAgain = await post(url, STORY, { slug: story.slug }, token);
    expect(signedInAgain.headers.get("x-cache")).toBeNull();
    expect(signedInAgain.body.extensions?.sqlQueries).toBeGreaterThan(0);
  });

  it("keeps neither errors nor mutations", async () => {
    const missing = `query Missing($slug: String!) { article(slug: $slug) { title comments(first: -1) { totalCount } } }`;
    const story = await importStory(url);
    expect((await post(url, missing, { slug: story.slug })).body.errors).toBeDefined();
    const twice = await post(url, missing, { slug: story.slug });
    expect(twice.body.errors).toBeDefined();
    expect(twice.headers.get("x-cache")).toBeNull();
  });
});

describe.each(engines)("the response cache's bounds on %s", (engine) => {
  it("evicts the least recently used answers past RESPONSE_CACHE_MB", async () => {
    const t = await startTestServer(engine, { config: { responseCache: { megabytes: 1, purgeUrl: null } } });
    try {
      const url = await graphqlUrl(t);
      const BODIES = `query Bodies($first: Int!) { articles(first: $first) { nodes { title paragraphs } } }`;
      // Variables the operation does not declare still make a key of their own.
      let sent = 0;
      while (t.server.responseCache.statistics().evicted === 0 && sent < 2_000) {
        expect((await post(url, BODIES, { first: 20, n: sent })).body.errors).toBeUndefined();
        sent += 1;
      }
      const stats = t.server.responseCache.statistics();
      expect(stats.stored).toBe(sent);
      expect(stats.evicted).toBeGreaterThan(0);
      expect(stats.bytes).toBeLessThanOrEqual(1024 * 1024);
      // The newest is kept, the oldest went.
      expect((await post(url, BODIES, { first: 20, n: sent - 1 })).headers.get("x-cache")).toBe("HIT");
      expect((await post(url, BODIES, { first: 20, n: 0 })).headers.get("x-cache")).toBe("MISS");
    } finally {
      await t.close();
    }
  });

  it("keeps nothing and names no keys with RESPONSE_CACHE_MB=0", async () => {
    const t = await startTestServer(engine);
    try {
      const url = await graphqlUrl(t);
      const story = await importStory(url);
      for (let i = 0; i < 2; i++) {
        const answer = await post(url, STORY, { slug: story.slug });
        expect(answer.headers.get("x-cache")).toBeNull();
        expect(answer.headers.get("surrogate-key")).toBeNull();
        expect(answer.body.extensions?.sqlQueries).toBeGreaterThan(0);
      }
      expect(t.server.responseCache.statistics()).toMatchObject({ entries: 0, hits: 0 });
    } finally {
      await t.close();
    }
  });
});

describe("CACHE_PURGE_URL", () => {
  it("is sent the keys of every write, and a failing one never fails the write", async () => {
    const purges: { method: string; surrogateKey: string; body: string }[] = [];
    let arrived: () => void = () => undefined;
    const purgeServer: Server = createHttpServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        purges.push({ method: req.method ?? "", surrogateKey: String(req.headers["surrogate-key"]), body });
        res.end();
        arrived();
      });
    });
    await new Promise<void>((resolve) => purgeServer.listen(0, "127.0.0.1", resolve));
    const purgeUrl = `http://127.0.0.1:${(purgeServer.address() as AddressInfo).port}/purge`;
    const t = await startTestServer("sqlite", { config: { responseCache: { megabytes: 0, purgeUrl } } });
    try {
      const url = await graphqlUrl(t);
      const story = await importStory(url);
      // With the cache off, answers still name their keys for the caches in front.
      const read = await post(url, STORY, { slug: story.slug });
      expect(read.headers.get("surrogate-key")).toContain(`article:${rowId(story.id)}`);
      const purged = new Promise<void>((resolve) => (arrived = () => purges.some((p) => p.surrogateKey.includes("comment:")) && resolve()));
      const posted = await post(url, ADD_COMMENT, { articleId: story.id, body: "Purge me", authorName: "Kim" }, TEST_TOKEN);
      await purged;
      const purge = purges.find((p) => p.surrogateKey.includes("comment:"))!;
      expect(purge.method).toBe("POST");
      expect(purge.surrogateKey.split(" ")).toEqual(
        expect.arrayContaining([
          `comment:${rowId(posted.body.data.addComment.comment.id)}`,
          `article:${rowId(story.id)}`,
          `article:${rowId(story.id)}:comments`,
        ]),
      );
      expect(JSON.parse(purge.body).keys).toEqual(purge.surrogateKey.split(" "));
    } finally {
      await t.close();
      await new Promise((resolve) => purgeServer.close(resolve));
    }

    const refused = createHttpServer();
    await new Promise<void>((resolve) => refused.listen(0, "127.0.0.1", resolve));
    const closedUrl = `http://127.0.0.1:${(refused.address() as AddressInfo).port}/purge`;
    await new Promise((resolve) => refused.close(resolve));
    const logged = captureConsole("error");
    const failing = await startTestServer("sqlite", { config: { responseCache: { megabytes: 0, purgeUrl: closedUrl } } });
    try {
      const url = await graphqlUrl(failing);
      const story = await importStory(url);
      for (let i = 0; i < 3; i++) {
        const posted = await post(url, ADD_COMMENT, { articleId: story.id, body: `Still stored ${i}`, authorName: "Kim" }, TEST_TOKEN);
        expect(posted.body.errors).toBeUndefined();
      }
      const deadline = Date.now() + 5_000;
      while (logged.lines().length === 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      const lines = logged.lines().filter((line) => line.includes("CACHE_PURGE_URL"));
      expect(lines).toHaveLength(1);
    } finally {
      logged.restore();
      await failing.close();
    }
  });
});

const describeWithPostgres = redisSuite(true);

describeWithPostgres("the response cache on two instances sharing PostgreSQL and Redis", () => {
  let pair: InstancePair;

  beforeAll(async () => {
    pair = await startInstancePair(redisUrl(), {}, CACHE_ON);
    await pair.db.dataSource.query(`ALTER SEQUENCE "article_id_seq" RESTART WITH ${randomInt(1_000_000, 2_000_000_000)}`);
  });
  afterAll(async () => pair?.close());

  /** Resolves when `instance` has applied a write that named `key`, with the time it took from `since`. */
  function appliedOn(instance: "a" | "b", key: string): Promise<number> {
    return new Promise((resolve) => {
      const stop = pair[instance].server.responseCache.onWritten((keys) => {
        if (!keys.includes(key)) return;
        stop();
        resolve(performance.now());
      });
    });
  }

  it("serves no stale answer on either instance once the bus has brought the write", async () => {
    const a = `http://${pair.a.host}/graphql`;
    const b = `http://${pair.b.host}/graphql`;
    const story = await importStory(a);
    const listKey = `article:${rowId(story.id)}:comments`;
    for (const url of [a, b]) {
      await post(url, STORY, { slug: story.slug });
      expect((await post(url, STORY, { slug: story.slug })).headers.get("x-cache")).toBe("HIT");
    }

    const [localA, onB] = [appliedOn("a", listKey), appliedOn("b", listKey)];
    const posted = await post(a, ADD_COMMENT, { articleId: story.id, body: "Posted on A", authorName: "Kim" }, TEST_TOKEN);
    const commentId = posted.body.data.addComment.comment.id;
    // The instance that took the write answers it to the next read.
    const onA = await post(a, STORY, { slug: story.slug });
    expect(onA.headers.get("x-cache")).toBe("MISS");
    expect(onA.body.data.article.comments.nodes.map((c: { id: string }) => c.id)).toEqual([commentId]);
    const busDelayMs = (await onB) - (await localA);
    const fromB = await post(b, STORY, { slug: story.slug });
    expect(fromB.headers.get("x-cache")).toBe("MISS");
    expect(fromB.body.data.article.comments.nodes.map((c: { id: string }) => c.id)).toEqual([commentId]);

    // A moderator on B takes it down: A hears of it over the bus.
    expect((await post(a, STORY, { slug: story.slug })).headers.get("x-cache")).toBe("HIT");
    const onAgain = appliedOn("a", listKey);
    await post(b, SET_STATUS, { id: commentId, status: "REJECTED" }, TEST_TOKEN);
    await onAgain;
    const afterModeration = await post(a, STORY, { slug: story.slug });
    expect(afterModeration.headers.get("x-cache")).toBe("MISS");
    expect(afterModeration.body.data.article.commentCount).toBe(0);
    if (process.env.REPORT_BUS_DELAY) process.stdout.write(`response cache: a write applied on B ${busDelayMs.toFixed(2)} ms after on A\n`);
  });
});

describe("the response cache and its own writes on the bus", () => {
  it("applies a write it published once, not again when the bus brings it back, and applies another instance's", async () => {
    const bus = createLocalEvents();
    const [mine, theirs] = [0, 1].map(() => new ResponseCache({ megabytes: 64, purgeUrl: null }, {} as never, true));
    const applied: string[][] = [];
    mine.onWritten((keys) => applied.push(keys));
    const stops = [mine.follow(bus), theirs.follow(bus)];
    // Both follow the bus before anything is published on it.
    await new Promise((resolve) => setImmediate(resolve));
    // A listener of the test's own, asked before each write (the bus registers a listener when it
    // is first asked for an event): once it has the event, so has every instance's.
    const seen = bus.subscribe(WRITTEN_TOPIC)[Symbol.asyncIterator]();
    const publishedThrough = async (cache: ResponseCache, keys: string[]) => {
      const next = seen.next();
      await new Promise((resolve) => setImmediate(resolve));
      cache.watch(bus).publish(WRITTEN_TOPIC, { keys });
      await next;
      await new Promise((resolve) => setImmediate(resolve));
    };

    await publishedThrough(mine, ["article:1"]);
    expect(applied).toEqual([["article:1"]]);
    await publishedThrough(theirs, ["article:2"]);
    expect(applied).toEqual([["article:1"], ["article:2"]]);
    stops.forEach((stop) => stop());
    await seen.return?.();
  });
});
