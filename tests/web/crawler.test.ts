/**
 * What search engines and feed readers fetch, over real HTTP on each engine: robots.txt, the
 * sitemap (and its index once it is split), the Atom feeds with their conditional GETs, and the
 * 404 of an unknown article's page.
 */
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId } from "../helpers/discussion";
import { listen } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";
import { WEB_ROOT } from "../helpers/browser";
import { rawRequest } from "../helpers/raw-http";
import { captureConsole, captureStderr } from "../helpers/console";
import { childrenNamed, childText, parseXml, XmlElement } from "../helpers/xml";

const SEED_SLUG = "china-could-join-russian-anti-daesh-campaign-in-syria-reports";
const SET_STATUS = `mutation($id: ID!, $status: CommentStatus!) { setCommentStatus(id: $id, status: $status) { comment { id status } } }`;
const DELETE = `mutation($id: ID!) { deleteComment(id: $id) { comment { id isDeleted } } }`;

const ATOM = "http://www.w3.org/2005/Atom";

/** The feed as XML, checked for what Atom requires of a feed and of each entry. */
function atomFeed(text: string): { feed: XmlElement; entries: XmlElement[] } {
  const feed = parseXml(text);
  expect(feed.name).toBe("feed");
  expect(feed.attributes.xmlns).toBe(ATOM);
  for (const required of ["id", "title", "updated"]) expect(childText(feed, required)).not.toBe("");
  const entries = childrenNamed(feed, "entry");
  for (const entry of entries) {
    for (const required of ["id", "title", "updated"]) expect(childText(entry, required)).not.toBe("");
    expect(Number.isNaN(Date.parse(childText(entry, "updated")))).toBe(false);
  }
  return { feed, entries };
}

const titles = (entries: XmlElement[]) => entries.map((entry) => childText(entry, "title"));

describe.each(engines)("crawler files and feeds (%s)", (engine) => {
  let t: TestServer;
  let base: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { webRoot: WEB_ROOT });
    base = `http://${await listen(t.server.httpServer)}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("serves robots.txt that allows everything and names the sitemap on this host", async () => {
    const response = await rawRequest(`${base}/robots.txt`);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/plain/);
    expect(response.text).toBe(`User-agent: *\nAllow: /\n\nSitemap: ${base}/sitemap.xml\n`);
  });

  it("lists every article in the sitemap, with its page's address and lastmod", async () => {
    const expected = await t.data(`{ articles(first: 100) { totalCount nodes { slug publishedAt } } }`);
    const response = await rawRequest(`${base}/sitemap.xml`);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/xml/);
    const urlset = parseXml(response.text);
    expect(urlset.name).toBe("urlset");
    expect(urlset.attributes.xmlns).toBe("http://www.sitemaps.org/schemas/sitemap/0.9");
    const urls = childrenNamed(urlset, "url");
    expect(urls).toHaveLength(expected.articles.totalCount);
    const listed = new Map(urls.map((url) => [childText(url, "loc"), childText(url, "lastmod")]));
    for (const article of expected.articles.nodes) {
      expect(listed.get(`${base}/a/${encodeURIComponent(article.slug)}`)).toBe(article.publishedAt);
    }
    // Each address is the reader app's page of the article.
    expect((await rawRequest(`${base}/a/${SEED_SLUG}`)).status).toBe(200);
  });

  it("serves the latest articles as an Atom feed, newest first, and 304 to a conditional GET", async () => {
    const expected = await t.data(`{ articles(first: 50) { nodes { title slug } } }`);
    const response = await rawRequest(`${base}/feed.xml`);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/atom\+xml/);
    const { feed, entries } = atomFeed(response.text);
    expect(childText(feed, "id")).toBe(`${base}/feed.xml`);
    expect(titles(entries)).toEqual(expected.articles.nodes.map((node: { title: string }) => node.title));
    const link = childrenNamed(entries[0], "link")[0];
    expect(link.attributes.href).toBe(`${base}/a/${encodeURIComponent(expected.articles.nodes[0].slug)}`);

    const etag = String(response.headers.etag);
    const lastModified = String(response.headers["last-modified"]);
    expect(etag).toMatch(/^W\/".+"$/);
    expect(Date.parse(lastModified)).toBeGreaterThan(0);
    const byTag = await rawRequest(`${base}/feed.xml`, { headers: { "if-none-match": etag } });
    expect(byTag.status).toBe(304);
    expect(byTag.raw).toHaveLength(0);
    expect((await rawRequest(`${base}/feed.xml`, { headers: { "if-modified-since": lastModified } })).status).toBe(304);
    expect((await rawRequest(`${base}/feed.xml`, { headers: { "if-none-match": 'W/"something-else"' } })).status).toBe(200);
  });

  it("serves a tag's latest articles as a feed, and 404 for an unknown tag", async () => {
    const expected = await t.data(`{ articles(first: 50, where: { tagSlugIn: ["syria"] }) { nodes { title } } }`);
    expect(expected.articles.nodes.length).toBeGreaterThan(0);
    const response = await rawRequest(`${base}/t/syria/feed.xml`);
    expect(response.status).toBe(200);
    const { feed, entries } = atomFeed(response.text);
    expect(childText(feed, "title")).toBe("Threadline: Syria");
    expect(titles(entries)).toEqual(expected.articles.nodes.map((node: { title: string }) => node.title));
    expect((await rawRequest(`${base}/t/SYRIA/feed.xml`)).status).toBe(200);

    const unknown = await rawRequest(`${base}/t/no-such-tag/feed.xml`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('no tag has the slug "no-such-tag"');
  });

  it("lists an article's visible comments in its comments feed, never a held, rejected or deleted one", async () => {
    const articleId = await importUniqueArticle(t);
    const slug = (await t.data(`query($id: ID!) { article(id: $id) { slug title } }`, { id: articleId })).article.slug;
    const shown = await postComment(t, articleId, 'Plain <b>words</b> & "quotes" \u0001with a control character', { authorName: "Vera" });
    // Stored as given; XML 1.0 cannot carry U+0001 even escaped, so the feed drops it.
    expect(shown.body).toContain("\u0001");
    const held = await postComment(t, articleId, "Held for a moderator", { authorName: "Hal" });
    const rejected = await postComment(t, articleId, "Rejected by a moderator", { authorName: "Rex" });
    const deleted = await postComment(t, articleId, "Deleted by its author", { authorName: "Dee" });
    await t.data(SET_STATUS, { id: held.id, status: "PENDING" }, { token: TEST_TOKEN });
    await t.data(SET_STATUS, { id: rejected.id, status: "REJECTED" }, { token: TEST_TOKEN });
    await t.data(DELETE, { id: deleted.id }, { token: TEST_TOKEN });

    const url = `${base}/a/${slug}/comments.xml`;
    const response = await rawRequest(url);
    expect(response.status).toBe(200);
    const { feed, entries } = atomFeed(response.text);
    expect(childText(feed, "id")).toBe(url);
    expect(entries).toHaveLength(1);
    expect(childText(entries[0], "content")).toBe(shown.body.replace("\u0001", ""));
    expect(childText(childrenNamed(entries[0], "author")[0], "name")).toBe("Vera");
    expect(childrenNamed(entries[0], "link")[0].attributes.href).toBe(`${base}/a/${slug}#c-${shown.id}`);
    for (const hidden of ["Held for a moderator", "Rejected by a moderator", "Deleted by its author"]) expect(response.text).not.toContain(hidden);

    // Unchanged: 304. A comment published since changes the ETag, and the feed shows it first.
    const etag = String(response.headers.etag);
    expect((await rawRequest(url, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await rawRequest(url, { headers: { "if-modified-since": String(response.headers["last-modified"]) } })).status).toBe(304);
    await t.data(SET_STATUS, { id: held.id, status: "PUBLISHED" }, { token: TEST_TOKEN });
    const changed = await rawRequest(url, { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(atomFeed(changed.text).entries.map((entry) => childText(entry, "content"))).toEqual(["Held for a moderator", shown.body.replace("\u0001", "")]);
    expect(rowId(held.id)).toBeGreaterThan(rowId(shown.id));

    const unknown = await rawRequest(`${base}/a/no-such-article/comments.xml`);
    expect(unknown.status).toBe(404);
  });

  it("answers 404 with the app's page for an unknown article, and 200 for a known one", async () => {
    const unknown = await rawRequest(`${base}/a/no-such-article`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers["content-type"]).toMatch(/^text\/html/);
    expect(unknown.text).toContain("No such article");
    const known = await rawRequest(`${base}/a/${SEED_SLUG}`);
    expect(known.status).toBe(200);
    // A slug no column can hold is not a fault: the feed has no such article, and the page says
    // what the API says of the slug (a bad request).
    expect((await rawRequest(`${base}/a/nul%00slug`)).status).toBe(400);
    expect((await rawRequest(`${base}/a/nul%00slug/comments.xml`)).status).toBe(404);
  });
});

describe.each(engines)("a sitemap split into files (%s)", (engine) => {
  let t: TestServer;
  let base: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { sitemapUrlsPerFile: 3 });
    base = `http://${await listen(t.server.httpServer)}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("makes /sitemap.xml an index of files of at most the split size that together list every article once", async () => {
    const { totalCount } = (await t.data(`{ articles { totalCount } }`)).articles;
    expect(totalCount).toBe(8);
    const index = parseXml((await rawRequest(`${base}/sitemap.xml`)).text);
    expect(index.name).toBe("sitemapindex");
    const files = childrenNamed(index, "sitemap").map((sitemap) => childText(sitemap, "loc"));
    expect(files).toEqual([1, 2, 3].map((n) => `${base}/sitemap-${n}.xml`));
    const listed: string[] = [];
    for (const file of files) {
      const urlset = parseXml((await rawRequest(file)).text);
      expect(urlset.name).toBe("urlset");
      const locs = childrenNamed(urlset, "url").map((url) => childText(url, "loc"));
      expect(locs.length).toBeLessThanOrEqual(3);
      listed.push(...locs);
    }
    expect(listed).toHaveLength(totalCount);
    expect(new Set(listed).size).toBe(totalCount);
    for (const missing of ["0", "4", "x"]) expect((await rawRequest(`${base}/sitemap-${missing}.xml`)).status).toBe(404);
  });
});

describe.each(engines)("crawler files while the database is away (%s)", (engine) => {
  let t: TestServer;
  let base: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { webRoot: WEB_ROOT, production: true });
    base = `http://${await listen(t.server.httpServer)}`;
  });
  afterAll(async () => {
    if (!t.db.dataSource.isInitialized) await t.db.dataSource.initialize();
    await t?.close();
  });

  it("answers 503 with Retry-After, not 500, and the article page still renders the app, saying why", async () => {
    await t.db.dataSource.destroy();
    // The page's query meets the lost database as the API's would, and says so in the log; the
    // database's own log of the failed statements is expected too, and kept out of the output.
    const logged = captureConsole();
    const databaseLog = captureStderr();
    try {
      for (const path of ["/sitemap.xml", "/sitemap-2.xml", "/feed.xml", "/t/syria/feed.xml", `/a/${SEED_SLUG}/comments.xml`, `/a/${SEED_SLUG}`]) {
        const response = await rawRequest(`${base}${path}`);
        expect([path, response.status, response.headers["retry-after"]]).toEqual([path, 503, "5"]);
      }
      const page = await rawRequest(`${base}/a/${SEED_SLUG}`);
      expect(page.text).toContain("Could not load the article");
      expect(page.headers["cache-control"]).toBe("no-store");
    } finally {
      logged.restore();
      databaseLog.restore();
    }
    expect(logged.lines().every((line) => line.startsWith("[threadline] database"))).toBe(true);
    expect(databaseLog.lines().filter((line) => !line.startsWith("[db query-error] "))).toEqual([]);
    expect((await rawRequest(`${base}/robots.txt`)).status).toBe(200);
  });
});
