/**
 * The explorers: Apollo Sandbox's page (from Apollo's CDN) with links to the GraphiQL bundled
 * here, which works with no network but this server's.
 */
import { ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { AppServer, artifactPath, describeInBrowser, launchChromium, startAppServer } from "../helpers/browser";
import { startTestServer, TestServer } from "../helpers/test-server";
import { listen } from "../helpers/subscriptions";

describe("explorer pages over HTTP", () => {
  let t: TestServer;
  let base: string;
  beforeAll(async () => {
    t = await startTestServer("sqlite", { seed: false, webRoot: `${__dirname}/../../dist/web` });
    base = `http://${await listen(t.server.httpServer)}`;
  });
  afterAll(() => t.close());

  it("adds links to GraphiQL and the reader app to Sandbox's page, and names GraphiQL in its offline notice", async () => {
    const html = await (await fetch(`${base}/graphql`, { headers: { accept: "text/html" } })).text();
    expect(html).toContain("embeddable-sandbox.cdn.apollographql.com");
    expect(html).toContain(`<nav class="threadline-bar" aria-label="Threadline">`);
    expect(html).toContain(`<a href="/graphiql">GraphiQL</a> (bundled here, works offline)`);
    expect(html).toMatch(/it appears that you might be offline\. <a href="\/graphiql">Open GraphiQL<\/a>/);
    // The bar's style carries the page's nonce, or its Content-Security-Policy would drop it.
    const nonce = /'nonce-([0-9a-f]+)'/.exec(html)?.[1];
    expect(nonce).toBeDefined();
    expect(html).toContain(`<style nonce="${nonce}">\n  .threadline-bar`);
  });

  it("serves GraphiQL from this server only, with no CDN in the page", async () => {
    const response = await fetch(`${base}/graphiql`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<title>GraphiQL · Threadline</title>");
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
  });
});

describe("explorer pages in production", () => {
  it("serves neither Sandbox nor GraphiQL", async () => {
    const t = await startTestServer("sqlite", { seed: false, production: true, webRoot: `${__dirname}/../../dist/web` });
    try {
      const base = `http://${await listen(t.server.httpServer)}`;
      expect((await fetch(`${base}/graphiql`)).status).toBe(404);
      const page = await fetch(`${base}/graphql`, { headers: { accept: "text/html" } });
      expect((await page.text()).toLowerCase()).not.toContain("sandbox");
    } finally {
      await t.close();
    }
  });
});

/** The URLs of the web workers `page` starts, as it starts them. */
function workersOf(page: Page): string[] {
  const urls: string[] = [];
  page.on("worker", (worker) => urls.push(worker.url()));
  return urls;
}

/** GraphiQL's editor runs three workers of Monaco's: the editor's own, JSON's and GraphQL's. */
async function untilMonacoWorkers(urls: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  const started = () => ["editor.worker", "json.worker", "graphql.worker"].every((name) => urls.some((url) => url.includes(name)));
  while (!started()) {
    if (Date.now() > deadline) throw new Error(`GraphiQL's workers did not all start; started: ${JSON.stringify(urls)}`);
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

describeInBrowser("GraphiQL with no network but this server's", () => {
  let t: AppServer;
  let browser: Browser;
  beforeAll(async () => {
    [t, browser] = await Promise.all([startAppServer("sqlite"), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("goes from Sandbox's offline page to GraphiQL and runs a query, every request outside localhost blocked", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const blocked: string[] = [];
    const served: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || url.hostname === "localhost") {
        served.push(url.pathname);
        return route.continue();
      }
      blocked.push(url.href);
      return route.abort("internetdisconnected");
    });
    const page = await context.newPage();
    const workers = workersOf(page);
    try {
      // Sandbox cannot load from its CDN; its page points to GraphiQL.
      await page.goto(`${t.base}/graphql`);
      expect(blocked.some((url) => url.startsWith("https://embeddable-sandbox.cdn.apollographql.com/"))).toBe(true);
      // The notice fades in after a second (Sandbox's own animation); the screenshot waits for it.
      await page.waitForTimeout(2_100);
      await page.screenshot({ path: artifactPath("sandbox-offline-1280.png") });
      await page.getByRole("link", { name: "Open GraphiQL" }).click({ timeout: 10_000 });
      await page.waitForURL(`${t.base}/graphiql`);
      blocked.length = 0;

      // GraphiQL opens with a named example query; run it as a newcomer would.
      const editor = page.locator(".graphiql-query-editor .monaco-editor").first();
      await editor.waitFor({ timeout: 10_000 });
      await page.getByText("query LatestArticles").waitFor();
      await page.getByRole("button", { name: /^Execute query/ }).click({ timeout: 10_000 });
      const response = page.locator(".graphiql-response");
      await response.getByText('"totalCount": 8').waitFor({ timeout: 10_000 });
      // The editor wraps long lines and shows spaces as no-break spaces; short pieces of the answer are checked.
      const newest = await t.data(`query { articles(first: 1) { nodes { commentCount tags { name } } } }`);
      await page.screenshot({ path: artifactPath("graphiql-offline-1280.png") });
      const shown = (await response.innerText()).replace(/\u00a0/g, " ");
      expect(shown).toContain(`"commentCount": ${newest.articles.nodes[0].commentCount}`);
      expect(shown).toContain(`"name": "${newest.articles.nodes[0].tags[0].name}"`);
      expect(blocked).toEqual([]);
      expect(served).toContain("/graphql");
      // Validation and completion run in Monaco's workers, bundled and served here.
      await untilMonacoWorkers(workers);
      expect(workers.every((url) => url.startsWith(`${t.base}/`))).toBe(true);
    } finally {
      await context.close();
    }
  });
});

describeInBrowser("npm run dev:web (Vite's dev server)", () => {
  let vite: ChildProcess;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    // --force: Vite pre-bundles the dependencies again, as on a first start, where the workers failed.
    vite = spawn(process.execPath, [resolve(__dirname, "../../node_modules/vite/bin/vite.js"), "--config", "web/vite.config.mts", "--port", "0", "--force"], {
      cwd: resolve(__dirname, "../.."),
      env: { ...process.env, NO_COLOR: "1" },
    });
    let output = "";
    const listening = new Promise<string>((resolveUrl, reject) => {
      vite.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const url = /Local:\s+(http:\/\/\S+?)\/?\s/.exec(output)?.[1];
        if (url) resolveUrl(url);
      });
      vite.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      vite.once("exit", (code) => reject(new Error(`vite exited (${code}) before it listened:\n${output}`)));
    });
    [base, browser] = await Promise.all([listening, launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (vite && vite.exitCode === null) {
      vite.kill("SIGTERM");
      await new Promise((exited) => vite.once("exit", exited));
    }
  });

  it("serves GraphiQL with its editor and Monaco's three workers", async () => {
    const page = await browser.newPage();
    const workers = workersOf(page);
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(error.message));
    try {
      await page.goto(`${base}/graphiql.html`);
      await page.locator(".graphiql-query-editor .monaco-editor").first().waitFor({ timeout: 30_000 });
      await page.getByText("query LatestArticles").waitFor();
      await untilMonacoWorkers(workers);
      expect(failures).toEqual([]);
      expect(vite.exitCode).toBeNull();
    } finally {
      await page.close();
    }
  }, 60_000);
});
