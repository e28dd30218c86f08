/**
 * The reader app in a real browser: Debian's Chromium, driven by playwright-core, against a whole
 * server (API and built app on one port) on a fresh seeded database, on each engine.
 */
import type { Browser, Page, Request } from "playwright-core";
import { DEFAULT_ABUSE_LIMITS } from "../../src/config";
import { commentEventsTopic } from "../../src/events/comment-events";
import { renderDump } from "../../src/ingest/render-dump";
import { signInAsReader } from "../helpers/app-pages";
import { AppServer, artifactPath, describeInBrowser, launchChromium, startAppServer } from "../helpers/browser";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, importUniqueArticle, postComment, rowId, uniqueArticle } from "../helpers/discussion";
import { observedLocalEvents } from "../helpers/subscriptions";
import { postAs, readerToken } from "../helpers/readers";
import { TEST_TOKEN } from "../helpers/test-server";
import { devReaderSub } from "../../src/http/dev-sign-in.routes";

const SEED_SLUG = "china-could-join-russian-anti-daesh-campaign-in-syria-reports";

/** Top-level comments of the page's thread, and the replies directly under one comment. */
const TOP_LEVEL = "#comments > ol.comment-list > li.comment";
const repliesOf = (commentId: string) => `[id="c-${commentId}"] > ol.replies > li.comment`;

/** Evaluated in the page (as text: the suite's types have no DOM). */
const FOCUSED_TEXT = "document.activeElement && document.activeElement.textContent";

async function slugOf(t: AppServer, articleId: string): Promise<string> {
  const data = await t.data(`query Slug($id: ID!) { article(id: $id) { slug } }`, { id: articleId });
  return data.article.slug;
}

/** Signs in with the service token, as an operator would with the one `npm start` printed. */
async function signInAsService(page: Page, token: string, postAs: string): Promise<void> {
  await page.getByRole("button", { name: "Sign in (development)" }).click();
  await page.getByLabel("The service (API token)").check();
  await page.getByLabel("API token", { exact: true }).fill(token);
  await page.getByLabel("Post as (empty: anonymous)").fill(postAs);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** A name no other case (or engine) signs in with: per-reader rate limits count by reader. */
let readers = 0;
const readerName = (name: string) => `${name} ${++readers}`;

describeInBrowser.each(engines)("reader app in Chromium (%s)", (engine) => {
  let t: AppServer;
  let browser: Browser;
  let page: Page;
  const events = observedLocalEvents();
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([startAppServer(engine, { events: events.bus }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });
  afterEach(async () => {
    await page.close();
    expect(pageErrors.splice(0)).toEqual([]);
  });

  it("lists the seed articles on the home page, newest first, as the API does", async () => {
    const expected = await t.data(`query { articles(first: 20) { nodes { title commentCount } } }`);
    await page.goto(`${t.base}/`);
    const cards = page.locator(".article-card h3");
    await cards.nth(expected.articles.nodes.length - 1).waitFor();
    expect(await cards.allInnerTexts()).toEqual(expected.articles.nodes.map((node: { title: string }) => node.title));
    expect(expected.articles.nodes).toHaveLength(8);
    await page.getByText("8 articles").waitFor();
  });

  it("opens the seed article with its six comments, the fifth by teddy j", async () => {
    await page.goto(`${t.base}/`);
    await page.getByRole("link", { name: "China Could Join Russian Anti-Daesh Campaign in Syria - Reports" }).click();
    await page.waitForURL(`${t.base}/a/${SEED_SLUG}`);
    await page.locator(TOP_LEVEL).nth(5).waitFor();
    expect(await page.locator(TOP_LEVEL).count()).toBe(6);
    expect(await page.locator(`${TOP_LEVEL} >> nth=4 >> .comment-author`).innerText()).toBe("teddy j");
    expect(await page.locator("#comments-heading").innerText()).toBe("6 comments");

    // The article around the thread: caption, credit, dateline, tags as links, related headlines.
    expect(await page.locator("h1").innerText()).toBe("China Could Join Russian Anti-Daesh Campaign in Syria - Reports");
    const photo = await page.locator(".photo-note").innerText();
    expect(photo).toContain("Russian helicopters Mi-24p airstrike the terrorists' positions 20 km outside Palmyra");
    expect(photo).toContain("© Sputnik/ Mikhail Voskresenskiy");
    expect(await page.locator(".dateline").innerText()).toBe("MOSCOW (Sputnik)");
    expect(await page.locator(".article-tags a").allInnerTexts()).toEqual(["Daesh", "China", "Syria", "Russia"]);
    expect(await page.locator(".related li").allInnerTexts()).toEqual([
      "Mass Production: Daesh Begins Recruiting Fighters in China",
      "China Vows to Punish ISIL Terrorists for Killing Chinese Hostage",
      "US Plans to Prevent China From Helping Russia to Fight ISIL",
    ]);

    // A tag link filters the home page by that tag.
    await page.locator(".article-tags a", { hasText: "Syria" }).click();
    await page.waitForURL(`${t.base}/?tag=syria`);
    const syria = await t.data(`query { articles(first: 20, where: { tagSlugIn: ["syria"] }) { nodes { title } } }`);
    await page
      .locator(".article-card h3")
      .nth(syria.articles.nodes.length - 1)
      .waitFor();
    expect(await page.locator(".article-card h3").allInnerTexts()).toEqual(syria.articles.nodes.map((node: { title: string }) => node.title));
  });

  it("takes a home page comment count to the article's comments, in view", async () => {
    await page.goto(`${t.base}/`);
    const card = page.locator(".article-card", { hasText: "China Could Join Russian Anti-Daesh Campaign in Syria - Reports" });
    await card.getByRole("link", { name: "6 comments" }).click();
    await page.waitForURL(`${t.base}/a/${SEED_SLUG}#comments`);
    await page.locator(TOP_LEVEL).nth(5).waitFor();
    await page.waitForFunction(`Math.abs(document.getElementById("comments").getBoundingClientRect().top) < 5`);
  });

  it("links a related headline when it resolves to a known article", async () => {
    const target = uniqueArticle();
    await t.data(IMPORT_DUMP, { text: renderDump(target) }, { token: TEST_TOKEN });
    const linking = await importUniqueArticle(t, { relatedLinks: [{ title: target.title }, { title: "A headline nobody imported" }] });
    await page.goto(`${t.base}/a/${await slugOf(t, linking)}`);
    await page.locator(".related li").nth(1).waitFor();
    expect(await page.locator(".related li a").allInnerTexts()).toEqual([target.title]);
    expect(await page.locator(".related li").nth(1).locator("a").count()).toBe(0);
  });

  it("pages through articles, comments and replies", async () => {
    // The seeds and 5 more: two pages of 10 on the home page, the second loaded by scrolling.
    for (let i = 0; i < 5; i++) await importUniqueArticle(t, { publishedAt: new Date(Date.UTC(2010, 0, 1 + i)) });
    const all = await t.data(`query { articles(first: 100) { totalCount nodes { title } } }`);
    expect(all.articles.totalCount).toBeGreaterThan(10);
    expect(all.articles.totalCount).toBeLessThanOrEqual(20);
    await page.goto(`${t.base}/`);
    await page.getByText(`${all.articles.totalCount} articles`).waitFor();
    expect(await page.locator(".article-card").count()).toBe(10);
    await page.getByRole("button", { name: "More articles" }).scrollIntoViewIfNeeded();
    await page
      .locator(".article-card")
      .nth(all.articles.totalCount - 1)
      .waitFor();
    expect(await page.locator(".article-card h3").allInnerTexts()).toEqual(all.articles.nodes.map((node: { title: string }) => node.title));
    expect(await page.getByRole("button", { name: "More articles" }).count()).toBe(0);

    // 14 top-level comments (pages of 10), 7 replies under the first (pages of 5), one reply two levels down.
    const articleId = await importUniqueArticle(t);
    const top = [];
    for (let i = 1; i <= 14; i++) top.push(await postComment(t, articleId, `Top comment ${i}`, { authorName: "Pager" }));
    const replies = [];
    for (let i = 1; i <= 7; i++) replies.push(await postComment(t, articleId, `Reply ${i}`, { parentId: top[0].id }));
    const deep = await postComment(t, articleId, "A reply to a reply", { parentId: replies[0].id });

    await page.goto(`${t.base}/a/${await slugOf(t, articleId)}`);
    await page.locator(TOP_LEVEL).nth(9).waitFor();
    expect(await page.locator(TOP_LEVEL).count()).toBe(10);
    expect(await page.locator("#comments-heading").innerText()).toBe("22 comments");
    expect(await page.locator(repliesOf(top[0].id)).count()).toBe(5);
    // Fetched on its own: the first page's replies do not bring their replies.
    await page.locator(`[id="c-${deep.id}"]`).waitFor();

    // The keyboard pages too: focus the button and press Enter.
    await page.getByRole("button", { name: "More comments (4 comments not shown)" }).focus();
    await page.keyboard.press("Enter");
    await page.locator(TOP_LEVEL).nth(13).waitFor();
    expect(await page.locator(`${TOP_LEVEL} > .comment-body`).allInnerTexts()).toEqual(top.map((comment) => comment.body));

    await page.getByRole("button", { name: "More replies (2 replies not shown)" }).click();
    await page.locator(repliesOf(top[0].id)).nth(6).waitFor();
    expect(await page.locator(`${repliesOf(top[0].id)} > .comment-body`).allInnerTexts()).toEqual(replies.map((reply) => reply.body));
  });

  it("shows comments posted, edited, liked and deleted through the API while the page is open", async () => {
    const articleId = await importUniqueArticle(t);
    const first = await postComment(t, articleId, "Already here", { authorName: "Early" });
    await page.goto(`${t.base}/a/${await slugOf(t, articleId)}`);
    await page.locator(`[id="c-${first.id}"]`).waitFor();
    await events.listening(commentEventsTopic(rowId(articleId)));

    const live = await postComment(t, articleId, "Posted elsewhere, seen here", { authorName: "Live Larry" });
    const reply = await postComment(t, articleId, "A live reply", { authorName: "Live Larry", parentId: first.id });
    await page.locator(`[id="c-${live.id}"]`).waitFor({ timeout: 5000 });
    await page.locator(`${repliesOf(first.id)}[id="c-${reply.id}"]`).waitFor({ timeout: 5000 });
    expect(await page.locator(`[id="c-${live.id}"] .comment-body`).innerText()).toBe("Posted elsewhere, seen here");
    expect(await page.locator("#comments-heading").innerText()).toBe("3 comments");

    // Edited, liked and deleted elsewhere: the page follows (commentEvents).
    await t.data(`mutation($id: ID!) { editComment(id: $id, body: "Edited elsewhere") { comment { id } } }`, { id: live.id }, { token: TEST_TOKEN });
    await page.locator(`[id="c-${live.id}"] > .comment-body`, { hasText: "Edited elsewhere" }).waitFor({ timeout: 5000 });
    await page.locator(`[id="c-${live.id}"] > .comment-head .edited`).waitFor();
    const fan = await readerToken({ sub: `fan-${articleId}`, name: "Fan" });
    await t.data(`mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }`, { id: live.id }, { token: fan });
    await page.locator(`[id="c-${live.id}"] > .comment-actions .reaction-count`, { hasText: "1 like" }).waitFor({ timeout: 5000 });
    await t.data(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: reply.id }, { token: TEST_TOKEN });
    // Nothing below it: it leaves the thread, and the count drops.
    await page.locator(`[id="c-${reply.id}"]`).waitFor({ state: "detached", timeout: 5000 });
    await page.locator("#comments-heading", { hasText: "2 comments" }).waitFor();
  });

  it("posts, replies, edits and deletes its own comments as a reader signed in with the development sign-in", async () => {
    const articleId = await importUniqueArticle(t);
    const name = readerName("Ui Tester");
    await page.goto(`${t.base}/a/${await slugOf(t, articleId)}`);
    await signInAsReader(page, name);
    await page.getByLabel("Add a comment").fill("Posted from the reader app");
    await page.getByRole("button", { name: "Post comment" }).click();
    await page.locator(TOP_LEVEL).first().waitFor();

    const stored = async () =>
      (
        await t.data(
          `query Thread($id: ID!) { article(id: $id) { commentCount comments { nodes { id body isDeleted editedAt author { name }
             replies { nodes { id body author { name } } } } } } }`,
          { id: articleId },
        )
      ).article;
    let article = await stored();
    expect(article.commentCount).toBe(1);
    const [posted] = article.comments.nodes;
    expect(posted).toMatchObject({ body: "Posted from the reader app", author: { name }, editedAt: null });
    await page.locator(`[id="c-${posted.id}"]`).waitFor();

    await page.locator(`[id="c-${posted.id}"]`).getByRole("button", { name: "Reply" }).click();
    await page.getByLabel("Your reply").fill("A reply from the reader app");
    await page.getByRole("button", { name: "Post reply" }).click();
    await page.locator(repliesOf(posted.id)).first().waitFor();
    article = await stored();
    expect(article.comments.nodes[0].replies.nodes).toEqual([expect.objectContaining({ body: "A reply from the reader app", author: { name } })]);
    expect(await page.locator("#comments-heading").innerText()).toBe("2 comments");

    await page.locator(`[id="c-${posted.id}"] > .comment-actions`).getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Edit your comment").fill("Edited in the reader app");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(`[id="c-${posted.id}"] > .comment-head .edited`).waitFor();
    expect(await page.locator(`[id="c-${posted.id}"] > .comment-body`).innerText()).toBe("Edited in the reader app");
    article = await stored();
    expect(article.comments.nodes[0].body).toBe("Edited in the reader app");
    expect(article.comments.nodes[0].editedAt).not.toBeNull();

    // Deleted with a reply below it: a tombstone stays, as the API lists it.
    await page.locator(`[id="c-${posted.id}"] > .comment-actions`).getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await page.locator(`[id="c-${posted.id}"] > .tombstone`).waitFor();
    expect(await page.locator("#comments-heading").innerText()).toBe("1 comment");
    article = await stored();
    expect(article.comments.nodes[0]).toMatchObject({ isDeleted: true, body: "", author: null });
    expect(article.commentCount).toBe(1);

    // The page as loaded afresh says the same.
    await page.reload();
    await page.locator(`[id="c-${posted.id}"] > .tombstone`).waitFor();
    expect(await page.locator(`${repliesOf(posted.id)} > .comment-body`).allInnerTexts()).toEqual(["A reply from the reader app"]);
  });

  it("offers edit and delete on a reader's own comments only, and likes through the UI", async () => {
    const articleId = await importUniqueArticle(t);
    // Posted through the API by a reader whom the development sign-in can also sign in (same sub).
    const authorName = readerName("Comment Author");
    const authorToken = await readerToken({ sub: devReaderSub(authorName), name: authorName });
    const theirs = await postAs(t, authorToken, articleId, "Written by the first reader");
    const slug = await slugOf(t, articleId);

    await page.goto(`${t.base}/a/${slug}`);
    await signInAsReader(page, readerName("Second Reader"));
    const item = page.locator(`[id="c-${theirs.id}"]`);
    await item.getByRole("button", { name: "Reply" }).waitFor();
    expect(await item.getByRole("button", { name: "Edit" }).count()).toBe(0);
    expect(await item.getByRole("button", { name: "Delete" }).count()).toBe(0);

    const reactions = async () => (await t.data(`query($id: ID!) { comment(id: $id) { reactionCount } }`, { id: theirs.id })).comment.reactionCount;
    const like = item.getByRole("button", { name: /^Like/ });
    expect(await like.getAttribute("aria-pressed")).toBe("false");
    expect(await like.innerText()).toBe("Like · 0");
    await like.click();
    await item.locator('button.reaction[aria-pressed="true"]').waitFor();
    expect(await like.innerText()).toBe("Like · 1");
    expect(await reactions()).toBe(1);
    await like.click();
    await item.locator('button.reaction[aria-pressed="false"]').waitFor();
    expect(await like.innerText()).toBe("Like · 0");
    expect(await reactions()).toBe(0);
    await like.click();
    await item.locator('button.reaction[aria-pressed="true"]').waitFor();

    // Signed out, the count stays as text; no buttons.
    await page.getByRole("button", { name: "Sign out" }).click();
    await item.locator(".reaction-count", { hasText: "1 like" }).waitFor();
    expect(await item.getByRole("button").count()).toBe(0);

    // Its author sees the buttons, and their like among the count.
    await signInAsReader(page, authorName);
    await item.getByRole("button", { name: "Edit" }).waitFor();
    expect(await item.getByRole("button", { name: "Delete" }).count()).toBe(1);
    expect(await item.getByRole("button", { name: /^Like/ }).innerText()).toBe("Like · 1");
  });

  it("posts under a chosen name with the service token", async () => {
    const articleId = await importUniqueArticle(t);
    await page.goto(`${t.base}/a/${await slugOf(t, articleId)}`);
    await signInAsService(page, TEST_TOKEN, "Newsroom Desk");
    await page.locator(".signed-in-as", { hasText: "Newsroom Desk (service token)" }).waitFor();
    await page.getByLabel("Add a comment").fill("Posted by the operator");
    await page.getByRole("button", { name: "Post comment" }).click();
    await page.locator(TOP_LEVEL).first().waitFor();
    const stored = await t.data(`query($id: ID!) { article(id: $id) { comments { nodes { id body author { name } } } } }`, { id: articleId });
    const [posted] = stored.article.comments.nodes;
    expect(posted).toMatchObject({ body: "Posted by the operator", author: { name: "Newsroom Desk" } });
    // The service may change any comment, and is no reader: it does not like.
    const item = page.locator(`[id="c-${posted.id}"]`);
    await item.getByRole("button", { name: "Edit" }).waitFor();
    expect(await item.getByRole("button", { name: /^Like/ }).count()).toBe(0);
  });

  it("signs out, saying why, when the API refuses the pasted token", async () => {
    await page.goto(`${t.base}/`);
    await signInAsService(page, "not-the-api-token", "Nobody");
    await page.getByRole("alert").filter({ hasText: "Signed out: the bearer token is neither the API token nor a JWT" }).waitFor();
    await page.getByRole("button", { name: "Sign in (development)" }).waitFor();
    await page.locator(".article-card").first().waitFor();
  });

  it("shows a comment awaiting moderation to its author and to moderators only, until a moderator publishes it", async () => {
    const articleId = await importUniqueArticle(t);
    await t.data(`mutation($id: ID!) { setArticleModeration(articleId: $id, mode: PRE) { id } }`, { id: articleId }, { token: TEST_TOKEN });
    const path = `/a/${await slugOf(t, articleId)}`;
    const authorName = readerName("Patient Author");
    const moderatorPage = await browser.newPage();
    const authorPage = await browser.newPage();
    try {
      // Each signs in first, so each opens the thread (and its subscription) once.
      for (const [signedIn, name, role] of [
        [authorPage, authorName, "Commenter"],
        [moderatorPage, readerName("Mod Mo"), "Moderator"],
      ] as const) {
        await signedIn.goto(`${t.base}/`);
        await signInAsReader(signedIn, name, role);
        await signedIn.goto(`${t.base}${path}`);
        await signedIn.locator("#comments-heading").waitFor();
      }
      await page.goto(`${t.base}${path}`);
      await page.locator("#comments-heading", { hasText: "0 comments" }).waitFor();
      await events.listening(commentEventsTopic(rowId(articleId)), 3);

      // Posted through the UI under pre-moderation: the author sees it held, at once.
      await authorPage.getByLabel("Add a comment").fill("Please let this through");
      await authorPage.getByRole("button", { name: "Post comment" }).click();
      const held = authorPage.locator(`${TOP_LEVEL}.pending`);
      await held.waitFor();
      expect(await held.locator(".status").innerText()).toBe("Awaiting moderation");
      expect(await held.locator(".status-note").innerText()).toBe("Only you and the moderators see it.");
      const { comment } = await t
        .data(`query($id: ID!) { article(id: $id) { comments { nodes { id status } } } }`, { id: articleId }, { token: TEST_TOKEN })
        .then((data) => ({ comment: data.article.comments.nodes[0] }));
      expect(comment.status).toBe("PENDING");

      // The moderator hears of it live; the public does not.
      const forModerator = moderatorPage.locator(`[id="c-${comment.id}"]`);
      await forModerator.locator(".status", { hasText: "Awaiting moderation" }).waitFor({ timeout: 5000 });
      expect(await forModerator.locator(".comment-body").innerText()).toBe("Please let this through");
      expect(await page.locator(`[id="c-${comment.id}"]`).count()).toBe(0);
      expect(await page.locator("#comments-heading").innerText()).toBe("0 comments");
      // Nor does a fresh public page list it.
      const fresh = await browser.newPage();
      await fresh.goto(`${t.base}${path}`);
      await fresh.locator("#comments-heading", { hasText: "0 comments" }).waitFor();
      expect(await fresh.locator(TOP_LEVEL).count()).toBe(0);
      await fresh.close();

      // Published by the moderator: it reaches the public live, and the author's mark goes.
      await forModerator.getByRole("button", { name: "Publish" }).click();
      await page.locator(`[id="c-${comment.id}"] > .comment-body`, { hasText: "Please let this through" }).waitFor({ timeout: 5000 });
      await page.locator("#comments-heading", { hasText: "1 comment" }).waitFor();
      await authorPage.locator(`[id="c-${comment.id}"]:not(.pending)`).waitFor({ timeout: 5000 });
      expect(await authorPage.locator(`[id="c-${comment.id}"] .status`).count()).toBe(0);
      await forModerator.locator(".status").waitFor({ state: "detached" });
    } finally {
      await moderatorPage.close();
      await authorPage.close();
    }
  });

  it("reads with GETs that shared caches may keep while anonymous, and private ones once signed in", async () => {
    const articleId = await importUniqueArticle(t);
    await postComment(t, articleId, "Cached for the public", { authorName: "Cache Carla" });
    const exchanges: { method: string; operation: string | null; status: number; cacheControl: string | null; signed: boolean }[] = [];
    page.on("response", (response) => {
      const request = response.request();
      const url = new URL(request.url());
      if (url.pathname !== "/graphql") return;
      const operation = url.searchParams.get("operationName") ?? (JSON.parse(request.postData() ?? "{}").operationName as string | null);
      exchanges.push({
        method: request.method(),
        operation,
        status: response.status(),
        cacheControl: response.headers()["cache-control"] ?? null,
        signed: "authorization" in request.headers(),
      });
    });
    const document = await page.goto(`${t.base}/a/${await slugOf(t, articleId)}`);
    await page.locator(TOP_LEVEL).first().waitFor();
    // The page comes rendered with its data, cached as its query would be: it selects comments,
    // kept 30 s (README: HTTP caching); the app asks for nothing more.
    expect(document?.headers()["cache-control"]).toBe("public, max-age=30");
    expect(exchanges).toEqual([]);

    exchanges.length = 0;
    await signInAsReader(page, readerName("Private Pat"));
    await page.getByLabel("Add a comment").fill("Not for shared caches");
    await page.getByRole("button", { name: "Post comment" }).click();
    await page.locator(TOP_LEVEL).nth(1).waitFor();
    const byOperation = Object.fromEntries(exchanges.map(({ operation, ...rest }) => [operation, rest]));
    expect(byOperation).toEqual({
      Viewer: { method: "GET", status: 200, cacheControl: "private, no-store", signed: true },
      ArticlePage: { method: "GET", status: 200, cacheControl: "private, no-store", signed: true },
      AddComment: { method: "POST", status: 200, cacheControl: "private, no-store", signed: true },
    });
  });

  it("shows markup in a comment as text and runs none of it", async () => {
    const articleId = await importUniqueArticle(t);
    const body = `<script>window.__threadlinePwned = 1</script><img src=x onerror="window.__threadlinePwned = 2"> <b>bold?</b>`;
    const hostile = await postComment(t, articleId, body, { authorName: "<i>Mallory</i>" });
    await page.goto(`${t.base}/a/${await slugOf(t, articleId)}`);
    const item = page.locator(`[id="c-${hostile.id}"]`);
    await item.waitFor();
    expect(await item.locator(".comment-body").innerText()).toBe(body);
    expect(await item.locator(".comment-author").innerText()).toBe("<i>Mallory</i>");
    expect(await page.locator("#comments script, #comments img, #comments b, #comments i").count()).toBe(0);
    expect(await page.evaluate("typeof window.__threadlinePwned")).toBe("undefined");
  });

  it("searches articles and comments from the home page, marking the words found", async () => {
    const expected = await t.data(
      `query { search(query: "palmyra", first: 10) { totalCount edges { node { __typename ... on Comment { id article { slug } } } } } }`,
    );
    expect(expected.search.edges.map((edge: { node: { __typename: string } }) => edge.node.__typename)).toEqual(["Article", "Comment"]);
    await page.goto(`${t.base}/`);
    // The count line and the first page read one operation: the browser asks for it once.
    const searches: string[] = [];
    const onRequest = (request: Request) => {
      if (new URL(request.url()).pathname !== "/graphql") return;
      const sent = request.method() === "GET" ? decodeURIComponent(request.url()) : (request.postData() ?? "");
      if (sent.includes("SearchHits")) searches.push(sent);
    };
    page.on("request", onRequest);
    await page.getByLabel("Search", { exact: true }).fill("palmyra");
    await page.getByRole("button", { name: "Find" }).click();
    await page.waitForURL(`${t.base}/?q=palmyra`);
    await page.getByText("2 results for “palmyra”, best first").waitFor();
    const hits = page.locator(".search-results > li.article-card");
    expect(await hits.count()).toBe(2);
    await page.waitForLoadState("networkidle");
    page.off("request", onRequest);
    expect(searches).toHaveLength(1);

    // The article: its title with the word marked, and fragments of its other fields.
    const article = hits.nth(0);
    expect(await article.locator("h3 a").innerText()).toContain("Palmyra");
    expect(await article.locator("h3 mark").allInnerTexts()).toEqual(["Palmyra"]);
    expect(await article.locator(".hit-fragment mark").count()).toBeGreaterThan(0);
    // Every mark holds the word searched for, and only that.
    const marked = await page.locator(".search-results mark").allInnerTexts();
    expect(marked.length).toBeGreaterThanOrEqual(3);
    for (const text of marked) expect(text.toLowerCase()).toBe("palmyra");

    // The comment links to its permalink, which opens the thread with it in view.
    const comment = hits.nth(1);
    expect(await comment.locator("blockquote mark").allInnerTexts()).toEqual(["Palmyra"]);
    const { id, article: of } = expected.search.edges[1].node;
    const permalink = comment.locator("h3 a");
    expect(await permalink.getAttribute("href")).toBe(`/a/${of.slug}#c-${id}`);
    await permalink.click();
    await page.waitForURL(`${t.base}/a/${of.slug}#c-${id}`);
    await page.locator(`[id="c-${id}"].targeted`).waitFor();

    // Comments only, through "Look in".
    await page.goto(`${t.base}/?q=palmyra`);
    await page.getByLabel("Look in").selectOption("comments");
    await page.waitForURL(`${t.base}/?q=palmyra&in=comments`);
    await page.getByText("1 result for “palmyra”, best first").waitFor();
    expect(await page.locator(".search-results > li.comment-hit").count()).toBe(1);
  });

  it("says 1,000+ results for a search that matches more than 1,000 rows, and counts fewer exactly", async () => {
    // One article and 1,000 of its comments hold the word: 1,001 matches, one past the page's bound.
    const word = `zebrafinch${readers++}`;
    const comments = Array.from({ length: 1_000 }, (_, i) => ({ author: `Reader ${i}`, hasAvatar: false, body: `Comment ${i} on the ${word}.` }));
    await importUniqueArticle(t, { paragraphs: [`A story about the ${word}.`], comments });
    const counted = await t.data(`query($q: String!) { search(query: $q) { totalCount } }`, { q: word });
    expect(counted.search.totalCount).toBe(1_001);
    await page.goto(`${t.base}/?q=${word}`);
    await page.getByText(`1,000+ results for “${word}”, best first`).waitFor();
    // The same search among articles alone is counted exactly.
    await page.goto(`${t.base}/?q=${word}&in=articles`);
    await page.getByText(`1 result for “${word}”, best first`).waitFor();
  });

  it("shows markup in a search highlight as text and runs none of it", async () => {
    const articleId = await importUniqueArticle(t);
    const word = `qz${Math.random().toString(36).slice(2, 10).replace(/[0-9]/g, "k")}`;
    const body = `<script>window.__threadlinePwned = 1</script> ${word} <img src=x onerror="window.__threadlinePwned = 2"> <b>bold?</b>`;
    await postComment(t, articleId, body, { authorName: "<i>Mallory</i>" });
    await page.goto(`${t.base}/?q=${word}`);
    const hit = page.locator(".search-results > li.comment-hit");
    await hit.waitFor();
    expect(await hit.locator("blockquote").innerText()).toBe(body);
    expect(await hit.locator("blockquote mark").allInnerTexts()).toEqual([word]);
    expect(await hit.locator("h3").innerText()).toBe("Comment by <i>Mallory</i>");
    expect(await page.locator(".search-results script, .search-results img, .search-results b, .search-results i").count()).toBe(0);
    expect(await page.evaluate("typeof window.__threadlinePwned")).toBe("undefined");
  });

  it("opens a permalink with the linked reply in view, paging down to it", async () => {
    const articleId = await importUniqueArticle(t);
    const top = [];
    for (let i = 1; i <= 12; i++) top.push(await postComment(t, articleId, `Comment ${i}`));
    for (let i = 1; i <= 6; i++) await postComment(t, articleId, `Filler reply ${i}`, { parentId: top[11].id });
    const linked = await postComment(t, articleId, "The linked reply", { parentId: top[11].id });

    await page.goto(`${t.base}/a/${await slugOf(t, articleId)}#c-${linked.id}`);
    const item = page.locator(`[id="c-${linked.id}"]`);
    await item.waitFor();
    await page.waitForFunction(`document.activeElement && document.activeElement.id === "c-${linked.id}"`);
    expect(await item.evaluate((element) => element.classList.contains("targeted"))).toBe(true);
    const box = await item.boundingBox();
    expect(box && box.y >= 0 && box.y + Math.min(box.height, 50) <= 900).toBe(true);
  });
});

describeInBrowser("reader app screenshots and small screens", () => {
  let t: AppServer;
  let browser: Browser;
  beforeAll(async () => {
    [t, browser] = await Promise.all([startAppServer("sqlite"), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each([1280, 375])("renders home, search and article at %i px without sideways scrolling, saved under test-artifacts/", async (width) => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      await page.goto(`${t.base}/`);
      await page.locator(".article-card").nth(7).waitFor();
      await page.screenshot({ path: artifactPath(`reader-home-${width}.png`) });
      await page.goto(`${t.base}/?q=palmyra`);
      await page.locator(".search-results .comment-hit mark").waitFor();
      await page.screenshot({ path: artifactPath(`reader-search-${width}.png`), fullPage: true });
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);
      await page.goto(`${t.base}/a/${SEED_SLUG}`);
      await page.locator(TOP_LEVEL).nth(5).waitFor();
      await page.screenshot({ path: artifactPath(`reader-article-${width}.png`), fullPage: true });
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);
    } finally {
      await page.close();
    }
  });

  it("renders a signed-in reader's thread at 375 px (likes, their own buttons, a comment awaiting moderation), saved under test-artifacts/", async () => {
    const articleId = await importUniqueArticle(t, {
      title: "Fireworks over the river draw a record crowd",
      paragraphs: ["Thousands gathered on both banks as the new year began, despite the cold."],
      tags: ["New Year", "Fireworks"],
    });
    const ada = await readerToken({ sub: devReaderSub("Ada"), name: "Ada" });
    const first = await postComment(t, articleId, "Happy New Year from Kiev to all the readers!", { authorName: "Oksana V." });
    const own = await postAs(t, ada, articleId, "Our fireworks were just as loud, and colder.", { parentId: first.id });
    for (const fan of ["Chen", "Nikolai"]) {
      await t.data(
        `mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }`,
        { id: own.id },
        { token: await readerToken({ sub: `fan-${fan}`, name: fan }) },
      );
    }
    await t.data(`mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }`, { id: first.id }, { token: ada });
    await t.data(`mutation($id: ID!) { setArticleModeration(articleId: $id, mode: PRE) { id } }`, { id: articleId }, { token: TEST_TOKEN });
    await postAs(t, ada, articleId, "Does anyone have photos from the north bank?");

    const page = await browser.newPage({ viewport: { width: 375, height: 900 } });
    try {
      await page.goto(`${t.base}/`);
      await signInAsReader(page, "Ada");
      await page.goto(`${t.base}/a/${await slugOf(t, articleId)}#comments`);
      await page.locator(`${TOP_LEVEL}.pending`).waitFor();
      await page.locator(`[id="c-${own.id}"]`).getByRole("button", { name: "Edit" }).waitFor();
      await page.screenshot({ path: artifactPath("reader-thread-signed-in-375.png"), fullPage: true });
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    } finally {
      await page.close();
    }
  });

  it("reaches an article and its comments from the keyboard alone", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${t.base}/`);
      await page.locator(".article-card").first().waitFor();
      await page.keyboard.press("Tab");
      expect(await page.evaluate(FOCUSED_TEXT)).toBe("Skip to content");
      // Tab on until the first article's headline link has focus, then follow it.
      const firstTitle = await page.locator(".article-card h3 a").first().innerText();
      for (let i = 0; i < 20 && (await page.evaluate(FOCUSED_TEXT)) !== firstTitle; i++) await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      await page.locator("h1", { hasText: firstTitle }).waitFor();
    } finally {
      await page.close();
    }
  });

  it("says when to try again when the API refuses a post as too fast", async () => {
    const limited = await startAppServer("sqlite", { config: { abuseLimits: { ...DEFAULT_ABUSE_LIMITS, commentsPerMinute: 1 } } });
    const page = await browser.newPage();
    try {
      await page.goto(`${limited.base}/a/${SEED_SLUG}`);
      await page.locator(TOP_LEVEL).nth(5).waitFor();
      await signInAsReader(page, "Hasty Reader");
      await page.getByLabel("Add a comment").fill("First, within the limit");
      await page.getByRole("button", { name: "Post comment" }).click();
      await page.locator(TOP_LEVEL).nth(6).waitFor();
      await page.getByLabel("Add a comment").fill("Second, too soon");
      await page.getByRole("button", { name: "Post comment" }).click();
      const alert = page.locator(".comment-form .error");
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(/^Slow down: too many comments; the limit is 1 a minute\. Try again in ([1-9]|[1-5]\d|60) seconds?\.$/);
      // What was written stays in the box, to send once the minute is up.
      expect(await page.getByLabel("Add a comment").inputValue()).toBe("Second, too soon");
    } finally {
      await page.close();
      await limited.close();
    }
  });

  it("offers no sign-in and no GraphiQL link when the server runs in production", async () => {
    const production = await startAppServer("sqlite", { production: true });
    const page = await browser.newPage();
    try {
      await page.goto(`${production.base}/a/${SEED_SLUG}`);
      await page.locator(TOP_LEVEL).nth(5).waitFor();
      expect(await page.getByRole("button", { name: "Sign in (development)" }).count()).toBe(0);
      expect(await page.getByRole("link", { name: "GraphiQL" }).count()).toBe(0);
      expect(await page.locator('meta[name="threadline-development"]').getAttribute("content")).toBe("off");
    } finally {
      await page.close();
      await production.close();
    }
  });
});
