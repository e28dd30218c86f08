/**
 * The embed in Chromium, on each engine: a newsroom's page served from another origin (a node
 * server on a port of its own) shows an article's discussion through /embed.js. Anonymous, the
 * comments render and the frame takes their height; with the site's reader token a comment posted
 * in one tab arrives live in another; Threadline.setToken signs in and out without a reload; a site
 * not in EMBED_ORIGINS gets no frame; a new page's article is created only with
 * EMBED_CREATE_ARTICLES.
 */
import type { Browser, Frame, Page } from "playwright-core";
import { artifactPath, describeInBrowser, launchChromium, WEB_ROOT } from "../helpers/browser";
import { engines } from "../helpers/databases";
import { HostSite, startHostSite } from "../helpers/host-site";
import { postAs, readerToken } from "../helpers/readers";
import { eventually, listen } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const UPSERT = `mutation($input: ArticleInput!) { upsertArticle(input: $input) { article { id slug } } }`;
const BY_URL = `query($url: String!) { article(url: $url) { id title comments(first: 20) { nodes { body author { id name } } } } }`;

type Served = TestServer & { base: string };

/**
 * The host site's pages. /<server>/articles/<name>: an article page with the snippet, pointing at
 * that Threadline server ("creating" or "closed"); /<server>/app/<name>: the script alone, for
 * Threadline.mount; ?dark: the page declares data-theme="dark".
 */
function hostPage(bases: Record<string, string>, origin: string, path: string, query: URLSearchParams): string | null {
  const match = /^\/(creating|closed)\/(articles|app)\/([a-z0-9-]+)$/.exec(path);
  if (!match) return null;
  const [, server, kind, name] = match;
  const title = `Storm closes the coast road (${name})`;
  const script =
    kind === "articles"
      ? `<div id="threadline-comments"></div><script src="${bases[server]}/embed.js" data-article-url="${origin}${path}" async></script>`
      : `<div id="comments-here"></div><script src="${bases[server]}/embed.js"></script>`;
  const dark = query.has("dark");
  return `<!doctype html>
<html lang="en"${dark ? ' data-theme="dark"' : ""}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} | The Coast Herald</title>
<style>
  body { font-family: Georgia, serif; margin: 0; background: ${dark ? "#121417" : "#fafaf7"}; color: ${dark ? "#e8e8e8" : "#222"}; }
  header { padding: 0.8rem 1rem; background: ${dark ? "#0b2239" : "#12355b"}; color: #fff; font-weight: bold; letter-spacing: 0.04em; }
  main { max-width: 44rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.7rem; line-height: 1.2; }
</style></head>
<body><header>THE COAST HERALD</header><main>
<h1>Storm closes the coast road</h1>
<p>High waves and fallen trees closed the coast road between the harbour and the lighthouse overnight. Crews expect to reopen one lane by noon.</p>
<h2>Readers' comments</h2>
${script}
</main></body></html>`;
}

describeInBrowser.each(engines)("embed in Chromium (%s)", (engine) => {
  let creating: Served;
  let closed: Served;
  let host: HostSite;
  let stranger: HostSite;
  let browser: Browser;
  const bases: Record<string, string> = {};
  const pages: Page[] = [];
  const pageErrors: string[] = [];
  let names = 0;
  const unique = (name: string) => `${name}-${engine}-${++names}`;

  const serve = async (createArticles: boolean, origins: string[]): Promise<Served> => {
    const t = await startTestServer(engine, { seed: false, webRoot: WEB_ROOT, config: { embed: { origins, createArticles } } });
    return { ...t, base: `http://${await listen(t.server.httpServer)}` };
  };

  beforeAll(async () => {
    host = await startHostSite((path, req) => hostPage(bases, host.origin, path, new URL(req.url ?? "/", "http://x").searchParams));
    stranger = await startHostSite((path, req) => hostPage(bases, stranger.origin, path, new URL(req.url ?? "/", "http://x").searchParams));
    [creating, closed, browser] = await Promise.all([serve(true, [host.origin]), serve(false, [host.origin]), launchChromium()]);
    bases.creating = creating.base;
    bases.closed = closed.base;
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([creating?.close(), closed?.close(), host?.close(), stranger?.close()]);
  });
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function open(url: string, width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    pages.push(page);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(url);
    return page;
  }

  /** The embed's frame in the page, once it has loaded. */
  async function embedFrame(page: Page): Promise<Frame> {
    await page.locator("iframe").waitFor();
    const element = await page.locator("iframe").elementHandle();
    const frame = await element!.contentFrame();
    await frame!.waitForLoadState();
    return frame!;
  }

  async function articleAt(url: string, comments: string[] = []): Promise<string> {
    const { upsertArticle } = await creating.data(
      UPSERT,
      { input: { url, title: `Storm closes the coast road (${new URL(url).pathname.split("/").pop()})`, publishedAt: "2026-02-01T08:00:00Z" } },
      { token: TEST_TOKEN },
    );
    const id = upsertArticle.article.id as string;
    for (const [index, body] of comments.entries())
      await postAs(creating, await readerToken({ sub: `neighbour-${index}`, name: `Neighbour ${index}` }), id, body);
    return id;
  }

  it("shows the comments to an anonymous reader, sized to them, with permalinks to the host page", async () => {
    const path = `/creating/articles/${unique("anonymous")}`;
    const comments = ["The road was flooded at the bend by six.", "Thanks to the crews out there all night.", "Is the ferry running instead?"];
    await articleAt(host.origin + path, comments);
    const page = await open(host.origin + path);
    const frame = await embedFrame(page);
    await frame.locator("#comments-heading", { hasText: "3 comments" }).waitFor();
    for (const body of comments) await frame.locator(".comment-body", { hasText: body }).waitFor();
    await frame.getByText("Sign in on this site to comment.").waitFor();
    // The frame takes its content's height: nothing scrolls inside it.
    await eventually(async () => {
      const content = Math.ceil(await frame.evaluate<number>("document.documentElement.getBoundingClientRect().height"));
      const box = await page.locator("iframe").boundingBox();
      return box !== null && content > 0 && Math.abs(box.height - content) <= 1 && box.height !== 320;
    }, "the frame to take its content's height");
    const permalink = frame.locator(".permalink").first();
    expect(await permalink.getAttribute("href")).toMatch(new RegExp(`^${host.origin}${path}#c-[A-Za-z0-9_-]+$`));
    expect(await permalink.getAttribute("target")).toBe("_top");

    // The host page opened at a permalink: the thread goes to that comment.
    const linked = await open((await frame.locator(".permalink").last().getAttribute("href"))!);
    const linkedFrame = await embedFrame(linked);
    await linkedFrame.locator(".comment.targeted", { hasText: comments[2] }).waitFor();
  });

  it("says what the app says when a comment waits for a moderator", async () => {
    const url = `${host.origin}/creating/articles/${unique("held")}`;
    const articleId = await articleAt(url);
    await creating.data(`mutation($id: ID!) { setArticleModeration(articleId: $id, mode: PRE) { id } }`, { id: articleId }, { token: TEST_TOKEN });
    const page = await open(url);
    const frame = await embedFrame(page);
    await frame.locator("#comments-heading").waitFor();
    await page.evaluate(`Threadline.setToken(${JSON.stringify(await readerToken({ sub: `held-${articleId}`, name: "Rosalind" }))})`);
    await frame.getByLabel("Add a comment").fill("Will the moderators let this through?");
    await frame.getByRole("button", { name: "Post comment" }).click();
    await frame.locator(".comment.pending .status", { hasText: "Awaiting moderation" }).waitFor();
    await frame.getByText("Only you and the moderators see it.").waitFor();
  });

  it("posts with the site's reader token, live in another tab; setToken signs out and in without a reload, as the same author as the API's", async () => {
    const name = unique("live");
    const url = `${host.origin}/creating/articles/${name}`;
    const articleId = await articleAt(url, ["First!"]);
    const ada = await readerToken({ sub: `herald-reader-${name}`, name: "Ada Lovelace" });

    // Tab A renders its own page and mounts with the token; tab B is the article page, anonymous.
    const a = await open(`${host.origin}/creating/app/${name}`);
    await a.waitForFunction("window.Threadline !== undefined");
    await a.evaluate(`Threadline.mount(document.getElementById("comments-here"), { articleUrl: ${JSON.stringify(url)}, token: ${JSON.stringify(ada)} })`);
    const frameA = await embedFrame(a);
    const b = await open(url);
    const frameB = await embedFrame(b);
    await frameB.locator(".comment-body", { hasText: "First!" }).waitFor();

    await frameA.getByText("Posting as Ada Lovelace").waitFor();
    await frameA.getByLabel("Add a comment").fill("Posted from the Herald's own page.");
    await frameA.getByRole("button", { name: "Post comment" }).click();
    await frameB.locator(".comment-body", { hasText: "Posted from the Herald's own page." }).waitFor();
    await frameB.locator("#comments-heading", { hasText: "2 comments" }).waitFor();

    // The same token through the API (as the reader app on /a/:slug sends it) is the same author.
    await postAs(creating, ada, articleId, "And this one from the reader app.");
    const { article } = await creating.data(BY_URL, { url });
    const authors = article.comments.nodes.filter((node: { author: { name: string } | null }) => node.author?.name === "Ada Lovelace");
    expect(authors).toHaveLength(2);
    expect(authors[0].author.id).toBe(authors[1].author.id);

    // Signing out: no reload of the page or the frame, and the frame's live socket goes on anonymously.
    await a.evaluate("window.keptAcrossSignOut = true");
    await frameA.evaluate("window.keptAcrossSignOut = true");
    await a.evaluate("Threadline.setToken(null)");
    await frameA.getByText("Sign in on this site to comment.").waitFor();
    expect(await frameA.getByLabel("Add a comment").count()).toBe(0);
    await postAs(creating, await readerToken({ sub: `other-${name}`, name: "Grace" }), articleId, "Arrives after the sign-out.");
    await frameA.locator(".comment-body", { hasText: "Arrives after the sign-out." }).waitFor();
    // And in again, as another reader.
    await a.evaluate(`Threadline.setToken(${JSON.stringify(await readerToken({ sub: `third-${name}`, name: "Hedy" }))})`);
    await frameA.getByText("Posting as Hedy").waitFor();
    expect(await a.evaluate("window.keptAcrossSignOut")).toBe(true);
    expect(await frameA.evaluate("window.keptAcrossSignOut")).toBe(true);
  });

  it("gives a site not in EMBED_ORIGINS no frame, and creates nothing for it", async () => {
    const path = `/creating/articles/${unique("stranger")}`;
    const page = await browser.newPage();
    pages.push(page);
    const answered = page.waitForResponse((response) => response.url().includes("/embed?"));
    await page.goto(stranger.origin + path);
    const response = await answered;
    expect(response.status()).toBe(403);
    expect(response.headers()["content-security-policy"]).toContain(`frame-ancestors 'self' ${host.origin}`);
    const frame = await (await page.locator("iframe").elementHandle())!.contentFrame();
    expect(await frame!.locator("#comments").count()).toBe(0);
    expect((await creating.data(BY_URL, { url: stranger.origin + path })).article).toBeNull();
    expect((await page.locator("iframe").boundingBox())?.height).toBe(320);
  });

  it("creates a new page's article only where EMBED_CREATE_ARTICLES is on", async () => {
    const fresh = `${host.origin}/creating/articles/${unique("fresh")}`;
    const page = await open(fresh);
    const frame = await embedFrame(page);
    await frame.locator("#comments-heading", { hasText: "0 comments" }).waitFor();
    const created = (await creating.data(BY_URL, { url: fresh })).article;
    expect(created.title).toMatch(/^Storm closes the coast road \(fresh-.*\) \| The Coast Herald$/);

    const notOpen = `${host.origin}/closed/articles/${unique("fresh")}`;
    const closedPage = await open(notOpen);
    const closedFrame = await embedFrame(closedPage);
    await closedFrame.getByText("Comments are not open for this page.").waitFor();
    expect((await closed.data(BY_URL, { url: notOpen })).article).toBeNull();
  });

  it("follows the host page's scheme, and fits 1280 and 375 px: screenshots under test-artifacts/", async () => {
    const path = `/creating/articles/screens-${engine}`;
    await articleAt(host.origin + path, [
      "The road was flooded at the bend by six; the bus turned back at the harbour.",
      "Thanks to the crews who were out there all night clearing the trees.",
      "Is the ferry running instead? The timetable page says nothing yet.",
    ]);
    for (const [width, dark] of [
      [1280, false],
      [375, true],
    ] as const) {
      const page = await open(`${host.origin}${path}${dark ? "?dark" : ""}`, width);
      await page.locator("iframe").scrollIntoViewIfNeeded();
      const frame = await embedFrame(page);
      await frame.locator("#comments-heading", { hasText: "3 comments" }).waitFor();
      if (!dark) {
        // Signed in by the site after the page loaded.
        await page.evaluate(`Threadline.setToken(${JSON.stringify(await readerToken({ sub: "herald-ada", name: "Ada Lovelace" }))})`);
        await frame.getByText("Posting as Ada Lovelace").waitFor();
      }
      await eventually(async () => (await frame.evaluate("document.documentElement.dataset.theme")) === (dark ? "dark" : "light"), "the host's scheme");
      await eventually(async () => ((await page.locator("iframe").boundingBox())?.height ?? 320) !== 320, "the frame to resize");
      expect(await frame.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);
      await page.screenshot({ path: artifactPath(`embed-host-${width}${dark ? "-dark" : ""}.png`), fullPage: true });
    }
  });
});
