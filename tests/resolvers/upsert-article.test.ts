/**
 * upsertArticle and article(url:, externalId:): a newsroom's CMS creating and updating its own
 * articles through GraphQL, on both engines.
 */
import { randomBytes } from "node:crypto";
import { openDataSource } from "../../src/db/data-source";
import { readDate, run, sql } from "../../src/db/sql";
import { createLocalEvents } from "../../src/events/comment-events";
import { createServer } from "../../src/server";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId, tableSizes, uniqueArticle } from "../helpers/discussion";
import { readerToken } from "../helpers/readers";
import { startTestServer, TEST_TOKEN, testConfig, TestServer } from "../helpers/test-server";

const UPSERT = `mutation($input: ArticleInput!) {
  upsertArticle(input: $input) {
    created
    article { id slug url externalId title publishedAt section paragraphs wordCount dateline imageCaption imageCredit
              tags { name articleCount } relatedLinks { title } commentCount moderation }
  }
}`;

const BY = `query($url: String, $externalId: String) { article(url: $url, externalId: $externalId) { id url externalId title } }`;

function cmsArticle(overrides: Record<string, unknown> = {}) {
  const tag = randomBytes(4).toString("hex");
  return {
    url: `https://news.example.com/2024/05/story-${tag}`,
    externalId: `cms-${tag}`,
    title: `Newsroom Story ${tag}`,
    publishedAt: "2024-05-01T10:00:00Z",
    section: "World",
    paragraphs: [`First paragraph of ${tag}.`, "Second paragraph."],
    tags: [`Topic ${tag}`, "Newsroom"],
    relatedLinks: ["Another headline"],
    ...overrides,
  };
}

describe.each(engines)("upsertArticle on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  const upsert = (input: Record<string, unknown>, token: string | null = TEST_TOKEN) => t.gql(UPSERT, { input }, { token });
  const upserted = async (input: Record<string, unknown>) => {
    const result = await upsert(input);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.upsertArticle;
  };
  const searchRows = async (articleGlobalId: string) => {
    const key = engine === "postgres" ? `"articleId"` : "rowid";
    const [row] = await t.db.dataSource.query(`SELECT COUNT(*) AS n FROM search_article WHERE ${key} = ${rowId(articleGlobalId)}`);
    return Number(row.n);
  };

  it("creates an article with a slug, tags, counts and a search entry, found by url and by externalId", async () => {
    const input = cmsArticle({ dateline: "LONDON (Agency)", imageCaption: "A photo", imageCredit: "Ann Photographer" });
    const before = (await t.data(`{ articles(first: 1) { totalCount } }`)).articles.totalCount;
    const payload = await upserted(input);
    expect(payload.created).toBe(true);
    expect(payload.article).toMatchObject({
      url: input.url,
      externalId: input.externalId,
      title: input.title,
      publishedAt: "2024-05-01T10:00:00.000Z",
      section: "World",
      paragraphs: input.paragraphs,
      wordCount: 6,
      dateline: "LONDON (Agency)",
      imageCaption: "A photo",
      imageCredit: "Ann Photographer",
      tags: [
        { name: input.tags[0], articleCount: 1 },
        { name: "Newsroom", articleCount: 1 },
      ],
      relatedLinks: [{ title: "Another headline" }],
      commentCount: 0,
    });
    expect(payload.article.slug).toBe(input.title.toLowerCase().replace(/ /g, "-"));
    expect((await t.data(`{ articles(first: 1) { totalCount } }`)).articles.totalCount).toBe(before + 1);

    const byUrl = (await t.data(BY, { url: input.url })).article;
    const byExternalId = (await t.data(BY, { externalId: input.externalId })).article;
    expect(byUrl).toEqual({ id: payload.article.id, url: input.url, externalId: input.externalId, title: input.title });
    expect(byExternalId).toEqual(byUrl);
    expect((await t.data(BY, { url: "https://news.example.com/nowhere" })).article).toBeNull();
    // The same page, spelled otherwise: host case, and a fragment naming a place in it.
    const respelled = input.url.replace("news.example.com", "NEWS.Example.com") + "#comments";
    expect((await t.data(BY, { url: respelled })).article).toEqual(byUrl);
    expect((await t.data(BY, { url: "not a url" })).article).toBeNull();
    const word = input.paragraphs[0].split(" ")[3].replace(".", "");
    const found = await t.data(`query($q: String!) { search(query: $q, scope: [ARTICLES]) { nodes { ... on Article { id } } } }`, { q: word });
    expect(found.search.nodes).toEqual([{ id: payload.article.id }]);
    expect(await searchRows(payload.article.id)).toBe(1);
  });

  it("updates by externalId (moving the url) and by url, keeping comments, counts and moderation, writing only the fields given", async () => {
    const input = cmsArticle();
    const first = (await upserted(input)).article;
    const kept = await postComment(t, first.id, "A comment that must survive.");
    const rejected = await postComment(t, first.id, "A comment a moderator rejected.");
    await t.data(`mutation($id: ID!) { setCommentStatus(id: $id, status: REJECTED) { comment { id } } }`, { id: rejected.id }, { token: TEST_TOKEN });
    await t.data(`mutation($id: ID!) { setArticleModeration(articleId: $id, mode: PRE) { id } }`, { id: first.id }, { token: TEST_TOKEN });

    const moved = `${input.url}-updated`;
    const byExternalId = await upserted({
      url: moved,
      externalId: input.externalId,
      title: `${input.title} (updated)`,
      publishedAt: input.publishedAt,
      tags: ["Newsroom"],
    });
    expect(byExternalId.created).toBe(false);
    expect(byExternalId.article).toMatchObject({
      id: first.id,
      slug: first.slug,
      url: moved,
      externalId: input.externalId,
      title: `${input.title} (updated)`,
      // Not given: kept as stored.
      section: "World",
      paragraphs: input.paragraphs,
      relatedLinks: [{ title: "Another headline" }],
      tags: [{ name: "Newsroom", articleCount: expect.any(Number) }],
      commentCount: 1,
      moderation: "PRE",
    });
    // The dropped tag had no other article: it is gone, as an import drops it.
    expect((await t.data(`query($s: String!) { tag(slug: $s) { id } }`, { s: `topic-${input.externalId.slice(4)}` })).tag).toBeNull();

    const byUrl = await upserted({
      url: moved,
      title: `${input.title} (updated)`,
      publishedAt: "2024-05-01T12:00:00+02:00",
      section: null,
      paragraphs: ["Rewritten."],
    });
    expect(byUrl.created).toBe(false);
    expect(byUrl.article).toMatchObject({
      id: first.id,
      externalId: input.externalId,
      section: null,
      paragraphs: ["Rewritten."],
      wordCount: 1,
      commentCount: 1,
    });
    expect(byUrl.article.publishedAt).toBe("2024-05-01T10:00:00.000Z");

    const { article } = await t.data(`query($id: ID!) { article(id: $id) { comments { nodes { id body status } } } }`, { id: first.id }, { token: TEST_TOKEN });
    expect(article.comments.nodes).toEqual([
      { id: kept.id, body: "A comment that must survive.", status: "PUBLISHED" },
      { id: rejected.id, body: "A comment a moderator rejected.", status: "REJECTED" },
    ]);
    expect(await searchRows(first.id)).toBe(1);
    const hits = await t.data(`{ search(query: "rewritten", scope: [ARTICLES]) { nodes { ... on Article { id } } } }`);
    expect(hits.search.nodes).toEqual([{ id: first.id }]);
  });

  it("moves the tag rows' copy of the publication time, and the search index, with an update", async () => {
    const input = cmsArticle({ paragraphs: ["Zanzibarian lighthouse keepers."] });
    const { article } = await upserted(input);
    await upserted({ ...input, publishedAt: "2023-01-02T03:04:05Z", paragraphs: ["Quokka sanctuaries."] });
    const rows = await run<{ publishedAt: unknown }>(t.db.dataSource, sql`SELECT "publishedAt" FROM "article_tag" WHERE "articleId" = ${rowId(article.id)}`);
    expect(rows.map((row) => readDate(row.publishedAt).toISOString())).toEqual(["2023-01-02T03:04:05.000Z", "2023-01-02T03:04:05.000Z"]);
    const { tag } = await t.data(`query($s: String!) { tag(slug: $s) { articles(first: 5) { nodes { id publishedAt } } } }`, { s: "newsroom" });
    expect(tag.articles.nodes).toContainEqual({ id: article.id, publishedAt: "2023-01-02T03:04:05.000Z" });
    const find = async (q: string) =>
      (await t.data(`query($q: String!) { search(query: $q, scope: [ARTICLES]) { nodes { ... on Article { id } } } }`, { q })).search.nodes;
    expect(await find("zanzibarian")).toEqual([]);
    expect(await find("quokka")).toEqual([{ id: article.id }]);
  });

  it("keeps tag counts and the article count equal to recounts across creates and updates", async () => {
    const shared = `Shared ${randomBytes(3).toString("hex")}`;
    const a = cmsArticle({ tags: [shared] });
    const b = cmsArticle({ tags: [shared, "Other"] });
    await upserted(a);
    await upserted(b);
    await upserted({ ...a, tags: ["Other"] });
    const db = t.db.dataSource;
    const stored = await run<{ id: number; articleCount: number }>(db, sql`SELECT "id", "articleCount" FROM "tag" ORDER BY "id"`);
    const recounted = await run<{ id: number; n: number }>(
      db,
      sql`SELECT t."id", (SELECT COUNT(*) FROM "article_tag" x WHERE x."tagId" = t."id") AS n FROM "tag" t ORDER BY t."id"`,
    );
    expect(stored.map((row) => [Number(row.id), Number(row.articleCount)])).toEqual(recounted.map((row) => [Number(row.id), Number(row.n)]));
    const [{ n }] = await run<{ n: number }>(db, sql`SELECT COUNT(*) AS n FROM "article"`);
    expect((await t.data(`{ articles(first: 1) { totalCount } }`)).articles.totalCount).toBe(Number(n));
  });

  it("is idempotent: the same input twice gives one article and one search row, and writes nothing the second time", async () => {
    const input = cmsArticle();
    const first = await upserted(input);
    const sizes = await tableSizes(t.db.dataSource);
    const second = await upserted(input);
    expect(second).toEqual({ ...first, created: false });
    expect(await tableSizes(t.db.dataSource)).toEqual(sizes);
    expect(await searchRows(first.article.id)).toBe(1);
  });

  it("gives an imported article its url, matched by title and publication time, keeping its comments", async () => {
    const dump = uniqueArticle({ comments: [{ author: "Ann", hasAvatar: true, body: "From the dump." }] });
    const imported = await importUniqueArticle(t, dump);
    const attached = await upserted({
      url: `https://news.example.com/${randomBytes(4).toString("hex")}`,
      title: dump.title,
      publishedAt: dump.publishedAt.toISOString(),
    });
    expect(attached.created).toBe(false);
    expect(attached.article).toMatchObject({ id: imported, commentCount: 1, paragraphs: dump.paragraphs, section: dump.section });
    // Once it has a url, another url with the same title and time is another article, which cannot share them.
    const clash = await upsert({ url: "https://news.example.com/other-page", title: dump.title, publishedAt: dump.publishedAt.toISOString() });
    expect(clash.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", field: "input.title" } });
  });

  it("refuses readers (FORBIDDEN) and anonymous callers (UNAUTHENTICATED), writing nothing", async () => {
    const sizes = await tableSizes(t.db.dataSource);
    const reader = await readerToken({ sub: "reader-1", name: "Reader" });
    const moderator = await readerToken({ sub: "mod-1", name: "Mod", role: "moderator" });
    expect((await upsert(cmsArticle(), reader)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await upsert(cmsArticle(), moderator)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await upsert(cmsArticle(), null)).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(await tableSizes(t.db.dataSource)).toEqual(sizes);
  });

  it.each([
    ["a relative url", { url: "/2024/05/story" }, "input.url"],
    ["a url that is not http(s)", { url: "ftp://news.example.com/story" }, "input.url"],
    ["an empty title", { title: "  " }, "input.title"],
    ["too many tags", { tags: Array.from({ length: 51 }, (_, i) => `Tag ${i}`) }, "input.tags"],
    ["a tag over its length", { tags: ["x".repeat(201)] }, "input.tags"],
    ["a blank related headline", { relatedLinks: [""] }, "input.relatedLinks"],
  ])("refuses %s with BAD_USER_INPUT naming the field, writing nothing", async (_, change, field) => {
    const sizes = await tableSizes(t.db.dataSource);
    const result = await upsert(cmsArticle(change));
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", field } });
    expect(result.errors?.[0].message).toContain(`"${field}"`);
    expect(await tableSizes(t.db.dataSource)).toEqual(sizes);
  });

  it("refuses a time without a zone with BAD_USER_INPUT naming publishedAt", async () => {
    const result = await upsert(cmsArticle({ publishedAt: "2024-05-01T10:00:00" }));
    expect(result.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].message).toMatch(/publishedAt/);
  });

  it("refuses a url that another article holds when matched by externalId", async () => {
    const a = await upserted(cmsArticle());
    const b = cmsArticle();
    await upserted(b);
    const result = await upsert({ ...b, url: a.article.url });
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", field: "input.url" } });
  });
});

if (engines.includes("postgres")) {
  describe("upsertArticle from two instances on PostgreSQL", () => {
    let t: TestServer;
    let other: Awaited<ReturnType<typeof createServer>>;
    let otherSource: Awaited<ReturnType<typeof openDataSource>>;
    beforeAll(async () => {
      t = await startTestServer("postgres", { seed: false });
      const schema = (t.db.dataSource.options as { schema?: string }).schema;
      // A second instance: its own pool on the same schema, as a second process would have.
      otherSource = await openDataSource(t.db.config, { pgSchema: schema });
      other = await createServer(testConfig({ database: t.db.config }), otherSource, createLocalEvents());
    });
    afterAll(async () => {
      await other.stop();
      await otherSource.destroy();
      await t.close();
    });

    it("gives one article when two requests upsert the same new url at once", async () => {
      // No tags: a new tag would make the second insert wait on the first's tag row instead.
      const { externalId: _, ...input } = cmsArticle({ tags: [] });
      const send = async (server: typeof other) => {
        const response = await server.apollo.executeOperation(
          { query: UPSERT, variables: { input } },
          { contextValue: await server.context(`Bearer ${TEST_TOKEN}`, { count: 0 }) },
        );
        if (response.body.kind !== "single") throw new Error("unexpected incremental response");
        return JSON.parse(JSON.stringify(response.body.singleResult));
      };
      // Both look the url up and find nothing, then wait at their INSERT until this lock goes:
      // the race the unique index settles.
      const blocker = t.db.dataSource.createQueryRunner();
      await blocker.connect();
      await blocker.startTransaction();
      await blocker.query(`LOCK TABLE "article" IN SHARE ROW EXCLUSIVE MODE`);
      const both = Promise.all([send(t.server), send(other)]);
      const waiting = async () => {
        const [row] = await t.db.dataSource.query(`SELECT COUNT(*) AS n FROM pg_locks WHERE NOT granted AND relation = '"article"'::regclass`);
        return Number(row.n);
      };
      while ((await waiting()) < 2) await new Promise((resolve) => setImmediate(resolve));
      // The losing insert's unique violation is logged by the database layer; this test expects it.
      const quiet = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
      let results: Awaited<typeof both>;
      try {
        await blocker.commitTransaction();
        await blocker.release();
        results = await both;
      } finally {
        quiet.mockRestore();
      }
      expect(results.map((result) => result.errors)).toEqual([undefined, undefined]);
      expect(results.map((result) => result.data.upsertArticle.created).sort()).toEqual([false, true]);
      expect(results[0].data.upsertArticle.article.id).toBe(results[1].data.upsertArticle.article.id);
      const [{ n }] = await t.db.dataSource.query(`SELECT COUNT(*) AS n FROM article WHERE url = $1`, [input.url]);
      expect(Number(n)).toBe(1);
      const [{ stored }] = await t.db.dataSource.query(`SELECT "value" AS stored FROM stored_count WHERE name = 'articles'`);
      expect(Number(stored)).toBe(1);
    });
  });
}
