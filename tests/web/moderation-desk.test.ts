/**
 * Reporting comments and the moderators' desk (/moderate) in Chromium, against a whole server on
 * a fresh seeded database, on each engine: a reader reports, a moderator decides on the desk, and
 * the other readers' open threads follow live.
 */
import type { Browser, Page } from "playwright-core";
import { signInAsReader } from "../helpers/app-pages";
import { AppServer, describeInBrowser, launchChromium, startAppServer } from "../helpers/browser";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment } from "../helpers/discussion";
import { TEST_TOKEN } from "../helpers/test-server";

/** A name no other case (or engine) signs in with: per-reader rate limits count by reader. */
let readers = 0;
const readerName = (name: string) => `${name} ${++readers}`;

async function slugOf(t: AppServer, articleId: string): Promise<string> {
  const data = await t.data(`query Slug($id: ID!) { article(id: $id) { slug } }`, { id: articleId });
  return data.article.slug;
}

describeInBrowser.each(engines)("reporting and the moderation desk in Chromium (%s)", (engine) => {
  let t: AppServer;
  let browser: Browser;
  const pageErrors: string[] = [];
  const pages: Page[] = [];

  /** A fresh tab (closed after the case); a script error in it fails the case. */
  async function newPage(width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    pages.push(page);
    return page;
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startAppServer(engine), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
    expect(pageErrors.splice(0)).toEqual([]);
  });

  it("reports another reader's comment with a reason and a note, and offers no Report on the reader's own", async () => {
    const articleId = await importUniqueArticle(t);
    const other = await postComment(t, articleId, "Buy cheap watches at example dot com", { authorName: "Spammy Sam" });
    const page = await newPage();
    await page.goto(`${t.base}/`);
    const name = readerName("Careful Carol");
    await signInAsReader(page, name);
    await page.goto(`${t.base}/a/${await slugOf(t, articleId)}`);
    await page.getByLabel("Add a comment").fill("My own words");
    await page.getByRole("button", { name: "Post comment" }).click();
    const own = page.locator("li.comment", { hasText: "My own words" });
    await own.getByRole("button", { name: "Edit" }).waitFor();
    expect(await own.getByRole("button", { name: "Report" }).count()).toBe(0);

    const item = page.locator(`[id="c-${other.id}"]`);
    await item.getByRole("button", { name: "Report" }).click();
    const form = page.getByRole("form", { name: "Report this comment by Spammy Sam" });
    // The form opens with the focus on its first choice; sending without a reason says so.
    await page.waitForFunction(`document.activeElement && document.activeElement.value === "SPAM"`);
    await form.getByRole("button", { name: "Send report" }).click();
    await form.getByRole("alert").filter({ hasText: "Choose a reason first." }).waitFor();
    await form.getByLabel("Spam").check();
    await form.getByLabel("Note for the moderators (optional)").fill("Same link in every thread");
    await form.getByRole("button", { name: "Send report" }).click();
    await item.getByRole("status").filter({ hasText: "Reported. Thank you: a moderator will look at it." }).waitFor();

    const flagged = await t.data(`query($id: ID!) { comment(id: $id) { flagCount } }`, { id: other.id }, { token: TEST_TOKEN });
    expect(flagged.comment.flagCount).toBe(1);
  });

  it("closes the report form with Escape, giving the focus back to its button", async () => {
    const articleId = await importUniqueArticle(t);
    const other = await postComment(t, articleId, "A comment to think about reporting", { authorName: "Neutral Ned" });
    const page = await newPage();
    await page.goto(`${t.base}/`);
    await signInAsReader(page, readerName("Hesitant Hal"));
    await page.goto(`${t.base}/a/${await slugOf(t, articleId)}`);
    const item = page.locator(`[id="c-${other.id}"]`);
    await item.getByRole("button", { name: "Report" }).click();
    await item.getByLabel("Abuse").waitFor();
    await page.keyboard.press("Escape");
    await page.waitForFunction(`document.activeElement && document.activeElement.textContent === "Report"`);
    expect(await item.locator(".report-form").count()).toBe(0);
  });
});
