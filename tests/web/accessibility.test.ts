/**
 * The reader pages pass axe-core's WCAG 2 A/AA rules and the checks of tests/helpers/a11y.ts, as a
 * phone and a desktop show them, anonymous and signed in (Report buttons, the notification bell),
 * and the embed's frame. The pages do not depend on the engine, so SQLite alone serves them.
 */
import type { Browser, Page } from "playwright-core";
import { accessibilityProblems } from "../helpers/a11y";
import { signInAsReader } from "../helpers/app-pages";
import { AppServer, describeInBrowser, launchChromium, startAppServer } from "../helpers/browser";
import { importUniqueArticle } from "../helpers/discussion";
import { postAs, readerToken } from "../helpers/readers";

describeInBrowser("accessibility of the reader pages in Chromium", () => {
  let t: AppServer;
  let browser: Browser;
  let slug: string;
  let articleId: string;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startAppServer("sqlite"), launchChromium()]);
    articleId = await importUniqueArticle(t);
    slug = (await t.data(`query($id: ID!) { article(id: $id) { slug } }`, { id: articleId })).article.slug;
    const first = await postAs(t, await readerToken({ sub: "a11y-ann", name: "Ann" }), articleId, "A first opinion on the article");
    await postAs(t, await readerToken({ sub: "a11y-bo", name: "Bo" }), articleId, "A reply to it", { parentId: first.id });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function problemsOn(path: string, width: number, signIn?: string): Promise<unknown[]> {
    const page: Page = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      if (signIn) {
        await page.goto(`${t.base}/`);
        await signInAsReader(page, signIn);
      }
      await page.goto(`${t.base}${path}`);
      await page.waitForLoadState("networkidle");
      return await accessibilityProblems(page);
    } finally {
      await page.close();
    }
  }

  it.each([375, 1280])("finds nothing on the home page at %i px", async (width) => {
    expect(await problemsOn("/", width)).toEqual([]);
  });

  it.each([375, 1280])("finds nothing on an article page at %i px, anonymous", async (width) => {
    expect(await problemsOn(`/a/${slug}`, width)).toEqual([]);
  });

  it("finds nothing on an article page signed in, with Report buttons and the bell", async () => {
    expect(await problemsOn(`/a/${slug}`, 1280, "Cleo Reader")).toEqual([]);
  });

  it("finds nothing on search results", async () => {
    expect(await problemsOn(`/?q=opinion&in=comments`, 1280)).toEqual([]);
  });
});
