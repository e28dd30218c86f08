/**
 * The reader pages rendered on the server, over real HTTP on each engine: what an article page
 * says in its head (title, description, canonical, Open Graph, Twitter, JSON-LD parsed and
 * checked), its comments in the HTML and the embedded data (never a held one), the statuses of an
 * unknown article and a bad query string, the "more comments" link that works without JavaScript,
 * and the caching headers. Then in Chromium: the page hydrates from the embedded data without a
 * console error or a second fetch of it, live comments arrive after hydration, and with
 * JavaScript off the article and its comments are readable and paged by plain links.
 */
import type { Browser, Page } from "playwright-core";
import { commentEventsTopic } from "../../src/events/comment-events";
import { AppServer, describeInBrowser, launchChromium, startAppServer } from "../helpers/browser";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, PostedComment, rowId } from "../helpers/discussion";
import { rawRequest } from "../helpers/raw-http";
import { observedLocalEvents } from "../helpers/subscriptions";
import { TEST_TOKEN } from "../helpers/test-server";
import { postAs, readerToken } from "../helpers/readers";
import { devReaderSub } from "../../src/http/dev-sign-in.routes";

const SEED_SLUG = "china-could-join-russian-anti-daesh-campaign-in-syria-reports";
const SET_STATUS = `mutation($id: ID!, $status: CommentStatus!) { setCommentStatus(id: $id, status: $status) { comment { id status } } }`;
const ARTICLE = `query($id: ID!) { article(id: $id) { slug title section publishedAt paragraphs commentCount tags { name } } }`;

/** The content of every `<meta>` with this name or property, in order. */
function metaContents(html: string, key: string): string[] {
  const pattern = new RegExp(`<meta (?:name|property)="${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" content="([^"]*)" />`, "g");
  return [...html.matchAll(pattern)].map((match) => decodeEntities(match[1]));
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function scriptJson(html: string, opening: string): any {
  const start = html.indexOf(opening);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = html.indexOf("</script>", start);
  return JSON.parse(html.slice(start + opening.length, end));
}

const jsonLd = (html: string) => scriptJson(html, '<script type="application/ld+json">');
const embeddedData = (html: string) => scriptJson(html, '<script type="application/json" id="threadline-data">');
const rootHtml = (html: string) => html.slice(html.indexOf('<div id="root">'), html.indexOf('<script type="application/json"'));
/** The text a reader sees in the page's body, tags dropped. */
const rootText = (html: string) => decodeEntities(rootHtml(html).replace(/<[^>]+>/g, ""));

async function articleSlug(t: AppServer, articleId: string): Promise<string> {
  return (await t.data(ARTICLE, { id: articleId })).article.slug;
}

/** A fresh article with `count` top-level comments, oldest first. */
async function articleWithComments(t: AppServer, count: number, prefix: string): Promise<{ articleId: string; slug: string; comments: PostedComment[] }> {
  const articleId = await importUniqueArticle(t);
  const comments: PostedComment[] = [];
  for (let i = 1; i <= count; i++) comments.push(await postComment(t, articleId, `${prefix} ${i}`, { authorName: `Reader ${i}` }));
  return { articleId, slug: await articleSlug(t, articleId), comments };
}

describe.each(engines)("server-rendered reader pages over HTTP (%s)", (engine) => {
  let t: AppServer;

  beforeAll(async () => {
    t = await startAppServer(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("renders an article page with its title, description, canonical, Open Graph, Twitter card and NewsArticle JSON-LD", async () => {
    const seed = await t.data(`{ article(slug: "${SEED_SLUG}") { id } }`);
    const { article } = await t.data(ARTICLE, { id: seed.article.id });
    const visible = await t.data(
      `query($id: ID!) { article(id: $id) { comments(first: 10) { nodes { body isTombstone author { name } replies(first: 5) { nodes { body isTombstone author { name } } } } } } }`,
      { id: seed.article.id },
    );
    const response = await rawRequest(`${t.base}/a/${SEED_SLUG}`);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    const html = response.text;
    const url = `${t.base}/a/${SEED_SLUG}`;

    expect(decodeEntities(/<title>([^<]*)<\/title>/.exec(html)![1])).toBe(`${article.title} · Threadline`);
    const description = metaContents(html, "description");
    expect(description).toHaveLength(1);
    expect(article.paragraphs[0].replace(/\s+/g, " ").trim().startsWith(description[0].replace(/…$/, ""))).toBe(true);
    expect(description[0].length).toBeLessThanOrEqual(200);
    expect(html).toContain(`<link rel="canonical" href="${url}" />`);
    expect(metaContents(html, "og:type")).toEqual(["article"]);
    expect(metaContents(html, "og:title")).toEqual([article.title]);
    expect(metaContents(html, "og:description")).toEqual(description);
    expect(metaContents(html, "og:url")).toEqual([url]);
    expect(metaContents(html, "twitter:card")).toEqual(["summary"]);
    expect(metaContents(html, "twitter:title")).toEqual([article.title]);
    expect(metaContents(html, "article:tag")).toEqual(article.tags.map((tag: { name: string }) => tag.name));

    const ld = jsonLd(html);
    expect(ld).toMatchObject({
      "@context": "https://schema.org",
      "@type": "NewsArticle",
      headline: article.title,
      datePublished: article.publishedAt,
      articleSection: article.section,
      keywords: article.tags.map((tag: { name: string }) => tag.name),
      commentCount: article.commentCount,
      url,
    });
    type Seen = { body: string; isTombstone: boolean; author: { name: string } | null; replies?: { nodes: Seen[] } };
    const shown = visible.article.comments.nodes
      .flatMap((comment: Seen) => [comment, ...(comment.replies?.nodes ?? [])])
      .filter((comment: Seen) => !comment.isTombstone);
    expect(
      ld.comment.map((comment: { "@type": string; text: string; author: { name: string } }) => [comment["@type"], comment.text, comment.author.name]),
    ).toEqual(shown.map((comment: { body: string; author: { name: string } | null }) => ["Comment", comment.body, comment.author?.name ?? "Anonymous"]));

    // The article and its first comment are in the HTML itself, not only in the data.
    expect(rootHtml(html)).toContain(`<h1 id="article-title">`);
    expect(rootText(html)).toContain(article.paragraphs[0].trim().slice(0, 60));
    expect(rootText(html)).toContain(shown[0].body.trim().slice(0, 40));
  });

  it("answers 404 with a rendered page for an unknown article (and 404 for an address that is no page)", async () => {
    const unknown = await rawRequest(`${t.base}/a/no-such-article`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers["content-type"]).toMatch(/^text\/html/);
    expect(rootHtml(unknown.text)).toContain("No such article");
    expect(unknown.text).toContain('<meta name="robots" content="noindex" />');
    const nowhere = await rawRequest(`${t.base}/nowhere/at/all`);
    expect(nowhere.status).toBe(404);
  });

  it("answers 400 with a rendered page for a bad query string, naming what is wrong", async () => {
    const scope = await rawRequest(`${t.base}/?in=everywhere`);
    expect(scope.status).toBe(400);
    expect(scope.text).toContain("Bad request");
    expect(decodeEntities(scope.text)).toContain('"in" is articles, comments or empty (everything), not "everywhere"');
    expect(scope.headers["cache-control"]).toBe("no-store");

    const repeated = await rawRequest(`${t.base}/?tag=a&tag=b`);
    expect(repeated.status).toBe(400);

    // A cursor the API cannot read: the page shows the API's word on it.
    const cursor = await rawRequest(`${t.base}/a/${SEED_SLUG}?after=not-a-cursor`);
    expect(cursor.status).toBe(400);
    expect(rootHtml(cursor.text)).toContain("Could not load the article");
    expect(cursor.headers["cache-control"]).toBe("no-store");
  });

  it("says in the HTML how many articles the home page lists and how many results a search found, with no script run", async () => {
    const counts = await t.data(
      `{ articles { totalCount } tagged: articles(where: { tagSlugIn: ["syria"] }) { totalCount } search(query: "syria") { boundedCount { count isExact } } }`,
    );
    const home = await rawRequest(`${t.base}/`);
    expect(home.status).toBe(200);
    expect(rootText(home.text)).toContain(`${counts.articles.totalCount} articles`);

    const tagged = await rawRequest(`${t.base}/?tag=syria`);
    expect(counts.tagged.totalCount).toBeGreaterThan(0);
    expect(rootText(tagged.text)).toContain(`${counts.tagged.totalCount} article${counts.tagged.totalCount === 1 ? "" : "s"}`);

    const search = await rawRequest(`${t.base}/?q=syria`);
    expect(search.status).toBe(200);
    expect(counts.search.boundedCount).toEqual({ count: expect.any(Number), isExact: true });
    expect(rootText(search.text)).toContain(`${counts.search.boundedCount.count} results for “syria”, best first`);

    const nothing = await rawRequest(`${t.base}/?q=pumselstotorquux`);
    expect(rootText(nothing.text)).toContain("Nothing matches “pumselstotorquux”.");
  });

  it("keeps held comments out of the HTML, the JSON-LD and the embedded data, and escapes a comment that says </script>", async () => {
    const articleId = await importUniqueArticle(t);
    const shown = await postComment(t, articleId, "Visible words </script><script>alert(1)</script>", { authorName: "Vera" });
    const held = await postComment(t, articleId, "Held words nobody may read", { authorName: "Hal" });
    const heldWithReply = await postComment(t, articleId, "Rejected words nobody may read", { authorName: "Rex" });
    await postComment(t, articleId, "A reply under a rejected comment", { authorName: "Ria", parentId: heldWithReply.id });
    await t.data(SET_STATUS, { id: held.id, status: "PENDING" }, { token: TEST_TOKEN });
    await t.data(SET_STATUS, { id: heldWithReply.id, status: "REJECTED" }, { token: TEST_TOKEN });

    const html = (await rawRequest(`${t.base}/a/${await articleSlug(t, articleId)}`)).text;
    expect(html).not.toContain("nobody may read");
    expect(html).not.toContain("</script><script>alert(1)");
    const data = Object.values(embeddedData(html)) as { data: any }[];
    expect(data).toHaveLength(1);
    const bodies = data[0].data.article.comments.nodes.map((comment: { body: string }) => comment.body);
    // The rejected comment has a reply, so it stays in the list, as a tombstone without its text or author.
    expect(bodies).toEqual([shown.body, ""]);
    expect(jsonLd(html).comment.map((comment: { text: string }) => comment.text)).toEqual([shown.body, "A reply under a rejected comment"]);
    expect(rootHtml(html)).toContain("Visible words &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it('links "more comments" to the next page\'s address, which the server renders', async () => {
    const { slug, comments } = await articleWithComments(t, 12, "Paged comment");
    const first = (await rawRequest(`${t.base}/a/${slug}`)).text;
    expect(rootHtml(first)).toContain("Paged comment 10<");
    expect(rootHtml(first)).not.toContain("Paged comment 11<");
    const link = /<a role="button" class="more" href="([^"]+)">More comments \(2 comments not shown\)<\/a>/.exec(first);
    expect(link).not.toBeNull();
    const next = await rawRequest(new URL(decodeEntities(link![1]), `${t.base}/a/${slug}`).toString());
    expect(next.status).toBe(200);
    const root = rootHtml(next.text);
    expect(root).toContain("Paged comment 11<");
    expect(root).toContain("Paged comment 12<");
    expect(root).not.toContain("Paged comment 1<");
    expect(root).toContain(">First comments</a>");
    // The page is still the article's: its canonical address has no cursor.
    expect(next.text).toContain(`<link rel="canonical" href="${t.base}/a/${slug}" />`);
    expect(comments).toHaveLength(12);
  });

  it("caches pages as the API caches anonymous reads, varying by Authorization, and never a credentialed request's", async () => {
    const article = await rawRequest(`${t.base}/a/${SEED_SLUG}`);
    // Comments are kept 30 s (schema/cache-policy.ts), the shortest of what the page shows.
    expect(article.headers["cache-control"]).toBe("public, max-age=30");
    expect(String(article.headers.vary).split(/,\s*/)).toEqual(expect.arrayContaining(["Authorization", "Accept-Encoding"]));
    const home = await rawRequest(`${t.base}/`);
    // The home page lists articles (60 s) with their comment counts (30 s).
    expect(home.headers["cache-control"]).toBe("public, max-age=30");

    const credentialed = await rawRequest(`${t.base}/a/${SEED_SLUG}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(credentialed.status).toBe(200);
    expect(credentialed.headers["cache-control"]).toBe("private, no-store");
    // The page is the anonymous reader's all the same: the service token's rights are nowhere in it.
    expect(credentialed.text).not.toContain('"viewerCanDelete":true');
  });
});

describeInBrowser.each(engines)("server-rendered reader pages in Chromium (%s)", (engine) => {
  let t: AppServer;
  let browser: Browser;
  const events = observedLocalEvents();

  beforeAll(async () => {
    [t, browser] = await Promise.all([startAppServer(engine, { events: events.bus }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("hydrates an article page without a console error or a second fetch of its data, and shows live comments after", async () => {
    const { articleId, slug, comments } = await articleWithComments(t, 2, "Hydrated comment");
    const page: Page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    const graphqlRequests: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/graphql") graphqlRequests.push(request.url());
    });
    try {
      await page.goto(`${t.base}/a/${slug}`);
      // Hydrated: the app's subscription for live comments is open.
      await events.listening(commentEventsTopic(rowId(articleId)));
      expect(await page.locator("#comments > ol.comment-list > li.comment > .comment-body").allInnerTexts()).toEqual(comments.map((comment) => comment.body));
      const live = await postComment(t, articleId, "Arrived after hydration", { authorName: "Live Larry" });
      await page.locator(`[id="c-${live.id}"]`).waitFor({ timeout: 5000 });
      // Following a link after hydration asks the API as before.
      await page.getByRole("link", { name: "← All articles" }).click();
      await page.locator(".article-card").first().waitFor();
      expect(graphqlRequests.length).toBeGreaterThan(0);
      expect(graphqlRequests.every((url) => !url.includes("ArticlePage"))).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("hydrates as the anonymous reader, then shows a signed-in reader their own held comment", async () => {
    const articleId = await importUniqueArticle(t);
    const slug = await articleSlug(t, articleId);
    const name = `Held Hannah ${engine}`;
    const own = await postAs(t, await readerToken({ sub: devReaderSub(name), name }), articleId, "Mine, awaiting a moderator");
    await t.data(SET_STATUS, { id: own.id, status: "PENDING" }, { token: TEST_TOKEN });
    const page: Page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    try {
      await page.goto(`${t.base}/a/${slug}`);
      await page.getByRole("button", { name: "Sign in (development)" }).click();
      await page.getByLabel("A reader").check();
      await page.getByLabel("Display name", { exact: true }).fill(name);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.locator(`[id="c-${own.id}"] .status`, { hasText: "Awaiting moderation" }).waitFor();

      // Loaded afresh while signed in: the HTML is the public's, the reader's own view follows it.
      const document = await page.reload();
      expect(await document?.text()).not.toContain("Mine, awaiting a moderator");
      await page.locator(".signed-in-as", { hasText: name }).waitFor();
      await page.locator(`[id="c-${own.id}"] .status`, { hasText: "Awaiting moderation" }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("hydrates the home page without fetching its articles again", async () => {
    const page: Page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    const graphqlRequests: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/graphql") graphqlRequests.push(request.url());
    });
    try {
      await page.goto(`${t.base}/`);
      await page.getByRole("button", { name: "Sign in (development)" }).waitFor();
      await page.waitForLoadState("networkidle");
      expect(graphqlRequests).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('with JavaScript off, shows the article and its comments, and pages on by the "more comments" link', async () => {
    const { slug } = await articleWithComments(t, 11, "Script-free comment");
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${t.base}/a/${slug}`);
      expect(await page.locator("h1").innerText()).not.toBe("");
      expect((await page.locator(".article-body p").allInnerTexts()).length).toBeGreaterThan(0);
      const bodies = page.locator("#comments > ol.comment-list > li.comment > .comment-body");
      expect(await bodies.allInnerTexts()).toEqual(Array.from({ length: 10 }, (_, i) => `Script-free comment ${i + 1}`));
      await page.getByRole("button", { name: "More comments (1 comment not shown)" }).click();
      await page.waitForURL(/\?after=/);
      expect(await bodies.allInnerTexts()).toEqual(["Script-free comment 11"]);
    } finally {
      await context.close();
    }
  });
});
