/**
 * The embed over real HTTP, on each engine: /embed.js as a cacheable, compressed script; /embed's
 * frame-ancestors from EMBED_ORIGINS; a framing page of another origin refused before anything is
 * looked up; and lazy creation of a host page's article: only with EMBED_CREATE_ARTICLES, only for
 * an allowed framer and a URL of an allowed origin, titled from data-title or the page's <title>,
 * and one article however many first requests race.
 */
import { createServer } from "node:net";
import { Article } from "../../src/entities";
import { fetchHostPage } from "../../src/embed/page-title";
import { Config, EMBED_OFF, EmbedSettings, NO_ABUSE_LIMITS } from "../../src/config";
import { WEB_ROOT } from "../helpers/browser";
import { engines } from "../helpers/databases";
import { embedPageConfig, HostSite, startHostSite } from "../helpers/host-site";
import { rawRequest, RawResponse } from "../helpers/raw-http";
import { listen } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const UPSERT = `mutation($input: ArticleInput!) { upsertArticle(input: $input) { article { id slug } created } }`;
const BY_URL = `query($url: String!) { article(url: $url) { id slug title } }`;

type Served = TestServer & { base: string };

async function serve(engine: "sqlite" | "postgres", embed: EmbedSettings, config: Partial<Config> = {}): Promise<Served> {
  const t = await startTestServer(engine, { seed: false, webRoot: WEB_ROOT, config: { ...config, embed } });
  return { ...t, base: `http://${await listen(t.server.httpServer)}` };
}

/** /embed as a browser frames it from `framer` (a page's URL), or as a direct visit without one. */
function frame(t: Served, query: Record<string, string>, framer?: string): Promise<RawResponse> {
  const headers: Record<string, string> = framer ? { referer: framer, "sec-fetch-dest": "iframe", "sec-fetch-site": "cross-site" } : {};
  return rawRequest(`${t.base}/embed?${new URLSearchParams(query).toString()}`, { headers });
}

const frameAncestors = (response: RawResponse) => /frame-ancestors ([^;]*)/.exec(String(response.headers["content-security-policy"]))?.[1];

describe.each(engines)("embed over HTTP (%s)", (engine) => {
  let host: HostSite;
  let closed: Served;
  let allowed: Served;
  let creating: Served;
  let limited: Served;
  let pages = 0;
  const newPage = () => `${host.origin}/articles/page-${++pages}`;

  beforeAll(async () => {
    host = await startHostSite((path) =>
      path.startsWith("/articles/") ? `<!doctype html><html><head><title> Title of ${path} &amp; more </title></head><body></body></html>` : null,
    );
    const settings = { origins: [host.origin], createArticles: false };
    [closed, allowed, creating, limited] = await Promise.all([
      serve(engine, EMBED_OFF),
      serve(engine, settings),
      serve(engine, { ...settings, createArticles: true }),
      serve(engine, { ...settings, createArticles: true }, { abuseLimits: { ...NO_ABUSE_LIMITS, addressPerMinute: 1 } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([closed, allowed, creating, limited].map((t) => t?.close()));
    await host?.close();
  });

  it("serves /embed.js with an hour's caching, revalidated by its date, and compressed for clients that accept it", async () => {
    const plain = await rawRequest(`${closed.base}/embed.js`);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-type"]).toMatch(/javascript/);
    expect(plain.headers["cache-control"]).toBe("public, max-age=3600");
    expect(plain.headers["last-modified"]).toBeDefined();
    expect(plain.text).toContain("Threadline");
    const br = await rawRequest(`${closed.base}/embed.js`, { headers: { "accept-encoding": "br, gzip" } });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["cache-control"]).toBe("public, max-age=3600");
    expect(br.text).toBe(plain.text);
    const again = await rawRequest(`${closed.base}/embed.js`, { headers: { "if-modified-since": String(plain.headers["last-modified"]) } });
    expect(again.status).toBe(304);
  });

  it("lets only the listed origins frame /embed: frame-ancestors 'self' alone without EMBED_ORIGINS", async () => {
    const { data } = await allowed.gql(
      UPSERT,
      { input: { url: `${host.origin}/articles/known`, title: "Known", publishedAt: "2026-01-01T00:00:00Z" } },
      { token: TEST_TOKEN },
    );
    const url = `${host.origin}/articles/known`;
    expect(data?.upsertArticle.created).toBe(true);
    const own = await frame(allowed, { url }, url);
    expect(own.status).toBe(200);
    expect(frameAncestors(own)).toBe(`'self' ${host.origin}`);
    expect(own.headers["cache-control"]).toBe("no-store");
    expect(embedPageConfig(own.text)).toMatchObject({
      slug: data?.upsertArticle.article.slug,
      articleId: data?.upsertArticle.article.id,
      hostOrigin: host.origin,
    });

    const none = await frame(closed, { url });
    expect(frameAncestors(none)).toBe("'self'");
    // A page of an origin not listed gets nothing: refused before any look-up.
    const refused = await frame(closed, { url }, url);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("not in EMBED_ORIGINS");
    expect(frameAncestors(refused)).toBe("'self'");
    const stranger = await frame(allowed, { url }, "https://elsewhere.example/page");
    expect(stranger.status).toBe(403);
  });

  it("finds an article by id and by externalId; an unknown one, or a bad key, shows no discussion", async () => {
    const { data } = await allowed.gql(
      UPSERT,
      { input: { url: `${host.origin}/articles/cms-1`, externalId: "cms-1", title: "From the CMS", publishedAt: "2026-01-02T00:00:00Z" } },
      { token: TEST_TOKEN },
    );
    const article = data?.upsertArticle.article;
    expect(embedPageConfig((await frame(allowed, { id: article.id }, host.origin + "/")).text).slug).toBe(article.slug);
    expect(embedPageConfig((await frame(allowed, { externalId: "cms-1" }, host.origin + "/")).text).slug).toBe(article.slug);
    const unknown = await frame(allowed, { externalId: "cms-unknown" }, host.origin + "/");
    expect(unknown.status).toBe(404);
    expect(embedPageConfig(unknown.text)).toMatchObject({ slug: null, problem: null });
    const bad = await frame(allowed, { url: "javascript:alert(1)" }, host.origin + "/");
    expect(bad.status).toBe(400);
    expect(embedPageConfig(bad.text).problem).toContain('"url"');
    const two = await frame(allowed, { id: article.id, externalId: "cms-1" }, host.origin + "/");
    expect(two.status).toBe(400);
  });

  it("creates an allowed page's article on its first embed, titled by its <title>, fetched from that page", async () => {
    const url = newPage();
    const response = await frame(creating, { url }, url);
    expect(response.status).toBe(200);
    const config = embedPageConfig(response.text);
    expect(config.slug).not.toBeNull();
    const { article } = await creating.data(BY_URL, { url });
    expect(article).toMatchObject({ id: config.articleId, slug: config.slug, title: `Title of ${new URL(url).pathname} & more` });
    expect(host.requests).toContain(new URL(url).pathname);
    // The second request finds it.
    expect(embedPageConfig((await frame(creating, { url }, url)).text).articleId).toBe(config.articleId);
  });

  it("takes the snippet's data-title over the page's (the page is still read: it must be there)", async () => {
    const url = newPage();
    const before = host.requests.length;
    const response = await frame(creating, { url, title: "  The   snippet's title " }, url);
    expect(response.status).toBe(200);
    expect((await creating.data(BY_URL, { url })).article.title).toBe("The snippet's title");
    expect(host.requests.slice(before)).toEqual([new URL(url).pathname]);
  });

  it("creates nothing without EMBED_CREATE_ARTICLES, for a framer it cannot name, or for a URL of another origin", async () => {
    const url = newPage();
    const off = await frame(allowed, { url }, url);
    expect(off.status).toBe(404);
    expect(embedPageConfig(off.text).slug).toBeNull();
    expect((await allowed.data(BY_URL, { url })).article).toBeNull();

    const unnamed = await frame(creating, { url });
    expect(unnamed.status).toBe(404);
    const elsewhere = "https://elsewhere.example/story";
    const foreign = await frame(creating, { url: elsewhere }, url);
    expect(foreign.status).toBe(404);
    const refused = await frame(creating, { url }, "https://elsewhere.example/story");
    expect(refused.status).toBe(403);
    // An address of the allowed site that it does not have (a client may forge any Referer).
    const missing = `${host.origin}/no-such-page`;
    expect((await frame(creating, { url: missing, title: "Made up" }, missing)).status).toBe(404);
    expect((await creating.data(BY_URL, { url: missing })).article).toBeNull();
    expect((await creating.data(BY_URL, { url })).article).toBeNull();
    expect((await creating.data(BY_URL, { url: elsewhere })).article).toBeNull();
  });

  it("gives one article to concurrent first requests of one new URL", async () => {
    const url = newPage();
    const responses = await Promise.all(Array.from({ length: 6 }, () => frame(creating, { url }, url)));
    expect(responses.map((response) => response.status)).toEqual(Array(6).fill(200));
    const ids = new Set(responses.map((response) => embedPageConfig(response.text).articleId));
    expect(ids.size).toBe(1);
    expect(await creating.db.dataSource.getRepository(Article).countBy({ url })).toBe(1);
  });

  it("counts a creation as a write of the client's address (ADDRESS_RATE_PER_MINUTE)", async () => {
    const first = newPage();
    expect((await frame(limited, { url: first }, first)).status).toBe(200);
    const second = newPage();
    const refused = await frame(limited, { url: second }, second);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect((await limited.data(BY_URL, { url: second })).article).toBeNull();
    // Showing an article that exists is no write.
    expect((await frame(limited, { url: first }, first)).status).toBe(200);
  });

  it("never rewrites an article the CMS made: a page view only creates", async () => {
    const url = newPage();
    await creating.data(UPSERT, { input: { url, title: "The CMS's title", publishedAt: "2026-01-03T00:00:00Z" } }, { token: TEST_TOKEN });
    await frame(creating, { url, title: "Another title" }, url);
    expect((await creating.data(BY_URL, { url })).article.title).toBe("The CMS's title");
  });
});

describe("a host page's title", () => {
  let site: HostSite;
  const held: (() => void)[] = [];
  beforeAll(async () => {
    site = await startHostSite((path) => {
      if (path === "/late") return `<html><head>${"<meta name=x>".repeat(30_000)}<title>Too far down</title></head></html>`;
      if (path === "/entities") return `<html><head><title>Caf&eacute; &#233; &#x2014; &lt;b&gt;\n  news</title></head></html>`;
      return null;
    });
  });
  afterAll(async () => {
    held.forEach((release) => release());
    await site?.close();
  });

  it("is read from the first bytes only, with numeric and the common named references decoded, and given up on a page that does not answer", async () => {
    expect(await fetchHostPage(`${site.origin}/entities`)).toEqual({ title: "Caf&eacute; é — <b> news" });
    // There, but its title lies past the bytes read.
    expect(await fetchHostPage(`${site.origin}/late`, { timeoutMs: 3000, maxBytes: 64 * 1024 })).toEqual({ title: null });
    expect(await fetchHostPage(`${site.origin}/missing`)).toBeNull();
    const silent = createServer((socket) => held.push(() => socket.destroy()));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    expect(await fetchHostPage(`http://127.0.0.1:${port}/`, { timeoutMs: 200, maxBytes: 1024 })).toBeNull();
    held.forEach((release) => release());
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
