/**
 * Reporting comments and the moderators' desk (/moderate) in Chromium, against a whole server on
 * a fresh seeded database, on each engine: a reader reports, a moderator decides on the desk, and
 * the other readers' open threads follow live.
 */
import type { Browser, Page } from "playwright-core";
import { notificationTopic } from "../../src/discussion/notifications";
import { commentEventsTopic, MODERATION_TOPIC } from "../../src/events/comment-events";
import { devReaderSub } from "../../src/http/dev-sign-in.routes";
import { accessibilityProblems } from "../helpers/a11y";
import { signInAsReader } from "../helpers/app-pages";
import { AppServer, artifactPath, describeInBrowser, launchChromium, startAppServer } from "../helpers/browser";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId } from "../helpers/discussion";
import { postAs, readerToken } from "../helpers/readers";
import { observedLocalEvents } from "../helpers/subscriptions";
import { TEST_TOKEN } from "../helpers/test-server";

/** A name no other case (or engine) signs in with: per-reader rate limits count by reader. */
let readers = 0;
const readerName = (name: string) => `${name} ${++readers}`;

/** A reader's token as the development sign-in signs it, so the browser and the API agree on who they are. */
const tokenOf = (name: string) => readerToken({ sub: devReaderSub(name), name });

/**
 * Opens the desk signed in as a new moderator, its queue list loaded; `subscribed` resolves once
 * the desk listens to moderationEvents.
 */
async function openDesk(page: Page, t: AppServer, name: string, subscribed: () => Promise<void> = async () => undefined): Promise<void> {
  await page.goto(`${t.base}/`);
  await signInAsReader(page, name, "Moderator");
  await page.getByRole("link", { name: "Moderation" }).click();
  await page.waitForURL(`${t.base}/moderate`);
  await page.getByRole("tablist", { name: "Queues" }).waitFor();
  await subscribed();
}

/** The number a queue's tab shows. */
async function tabCount(page: Page, label: string): Promise<number> {
  return Number(
    await page
      .getByRole("tab", { name: new RegExp(`^${label}`) })
      .locator(".count")
      .innerText(),
  );
}

/** Waits until a queue's tab shows `count` (live: the desk asks again after each moderation event). */
async function tabShows(page: Page, label: string, count: number): Promise<void> {
  await page
    .getByRole("tab", { name: new RegExp(`^${label}`) })
    .locator(".count", { hasText: new RegExp(`^\\s*${count}$`) })
    .waitFor({ timeout: 5000 });
}

async function slugOf(t: AppServer, articleId: string): Promise<string> {
  const data = await t.data(`query Slug($id: ID!) { article(id: $id) { slug } }`, { id: articleId });
  return data.article.slug;
}

describeInBrowser.each(engines)("reporting and the moderation desk in Chromium (%s)", (engine) => {
  let t: AppServer;
  let browser: Browser;
  const events = observedLocalEvents();
  const pageErrors: string[] = [];
  const pages: Page[] = [];
  /** Desks opened so far by this server's cases: each adds a moderationEvents listener. */
  let desks = 0;
  const deskListening = () => events.listening(MODERATION_TOPIC, ++desks);

  /** A fresh tab (closed after the case); a script error in it fails the case. */
  async function newPage(width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    pages.push(page);
    return page;
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startAppServer(engine, { events: events.bus }), launchChromium()]);
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
    await page.locator('input[value="SPAM"]:focus').waitFor();
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
    await item.locator("button:focus", { hasText: "Report" }).waitFor();
    expect(await item.locator(".report-form").count()).toBe(0);
  });

  it("shows a non-moderator a clear message at /moderate, and no Moderation link", async () => {
    const page = await newPage();
    await page.goto(`${t.base}/moderate`);
    await page.getByRole("heading", { name: "Moderators only" }).waitFor();
    expect(await page.getByText("Sign in as a moderator to use it.").count()).toBe(1);
    await signInAsReader(page, readerName("Curious Cleo"));
    await page.getByText("This account is not a moderator.").waitFor();
    expect(await page.getByRole("link", { name: "Moderation" }).count()).toBe(0);
    expect(await page.getByRole("tablist").count()).toBe(0);
  });

  it("takes a reported comment from one reader to the desk's Reported queue, and its rejection to a third reader's open thread as a tombstone", async () => {
    const articleId = await importUniqueArticle(t);
    const path = `/a/${await slugOf(t, articleId)}`;
    const trollName = readerName("Troll Tom");
    const troll = await postAs(t, await tokenOf(trollName), articleId, "You are all idiots and so is the author");
    // A reply below it keeps a tombstone in the thread once it is rejected.
    await postAs(t, await tokenOf(readerName("Calm Carl")), articleId, "Please keep it civil", { parentId: troll.id });

    const reporter = await newPage();
    const moderator = await newPage();
    const bystander = await newPage();
    await bystander.goto(`${t.base}${path}`);
    await bystander.locator(`[id="c-${troll.id}"] > .comment-body`, { hasText: "You are all idiots" }).waitFor();
    await events.listening(commentEventsTopic(rowId(articleId)), 1);

    await openDesk(moderator, t, readerName("Mod Mia"), deskListening);
    await moderator.getByRole("tab", { name: /^Reported/ }).click();
    await moderator.getByRole("tab", { name: /^Reported/, selected: true }).waitFor();
    const reportedBefore = await tabCount(moderator, "Reported");

    // One reader reports it.
    await reporter.goto(`${t.base}/`);
    await signInAsReader(reporter, readerName("Reporting Rita"));
    await reporter.goto(`${t.base}${path}`);
    await reporter.locator(`[id="c-${troll.id}"] > .comment-actions`).getByRole("button", { name: "Report" }).click();
    await reporter.getByLabel("Abuse").check();
    await reporter.getByLabel("Note for the moderators (optional)").fill("Insults everyone");
    await reporter.getByRole("button", { name: "Send report" }).click();
    await reporter.getByRole("status").filter({ hasText: "Reported." }).waitFor();

    // The moderator's Reported queue shows it live, with the reason, the note, its article and its author.
    const item = moderator.locator(`[id="q-${troll.id}"]`);
    await item.waitFor({ timeout: 5000 });
    await tabShows(moderator, "Reported", reportedBefore + 1);
    expect(await item.locator(".comment-body").innerText()).toBe("You are all idiots and so is the author");
    expect(await item.locator(".flags li").innerText()).toMatch(/^Abuse: Insults everyone \(/);
    expect(await item.getByRole("heading", { level: 3 }).innerText()).toBe(trollName);
    expect(await item.locator(".standing").innerText()).toBe("In good standing");

    // Rejected from the desk: it leaves the queue, the count follows, and the bystander's thread shows a tombstone.
    await item.getByLabel(/^Reason/).fill("Personal attacks");
    await item.getByRole("button", { name: "Reject" }).click();
    await item.waitFor({ state: "detached" });
    await tabShows(moderator, "Reported", reportedBefore);
    await bystander.locator(`[id="c-${troll.id}"] > .tombstone`, { hasText: "This comment is not available." }).waitFor({ timeout: 5000 });
    expect(await bystander.locator(`[id="c-${troll.id}"] > .comment-body`).innerText()).not.toContain("idiots");

    const after = await t.data(`query($id: ID!) { comment(id: $id) { status moderationHistory { status reason } } }`, { id: troll.id }, { token: TEST_TOKEN });
    expect(after.comment.status).toBe("REJECTED");
    expect(after.comment.moderationHistory.at(-1)).toEqual({ status: "REJECTED", reason: "Personal attacks" });
    // And it is listed under Rejected.
    await moderator.getByRole("tab", { name: /^Rejected/ }).click();
    await moderator.locator(`[id="q-${troll.id}"]`).waitFor();
    // Three pages and three sign-ins: 7 s alone, and once past the default 30 s in a full run on two cores.
  }, 60_000);

  it("works the Pending queue from the keyboard: new comments arrive live, j/k move, a approves, r rejects, and typing in a field is only typing", async () => {
    const articleId = await importUniqueArticle(t);
    await t.data(`mutation($id: ID!) { setArticleModeration(articleId: $id, mode: PRE) { id } }`, { id: articleId }, { token: TEST_TOKEN });
    const page = await newPage();
    await openDesk(page, t, readerName("Mod Kim"), deskListening);
    await page.getByRole("tab", { name: /^Pending/, selected: true }).waitFor();
    await page.locator(".empty-queue, .queue-item").first().waitFor();
    const pendingBefore = await tabCount(page, "Pending");

    // Posted while the desk is open: each arrives at the end of the queue (oldest first).
    const token = await tokenOf(readerName("Held Hana"));
    const posted = [];
    for (const body of ["First held comment", "Second held comment", "Third held comment"]) {
      posted.push(await postAs(t, token, articleId, body));
      await page.locator(`[id="q-${posted[posted.length - 1].id}"]`).waitFor({ timeout: 5000 });
    }
    await tabShows(page, "Pending", pendingBefore + 3);
    const [first, second, third] = posted.map((comment) => page.locator(`[id="q-${comment.id}"]`));
    const selected = page.locator(".queue-item.selected");

    // Focus the first (a click on its text selects it), then j, j, k.
    await first.locator(".comment-body").click();
    await first.focus();
    await page.locator(`.queue-item.selected[id="q-${posted[0].id}"]`).waitFor();
    await page.keyboard.press("j");
    await page.locator(`.queue-item.selected[id="q-${posted[1].id}"]`).waitFor();
    await page.keyboard.press("j");
    await page.locator(`.queue-item.selected[id="q-${posted[2].id}"]`).waitFor();
    await page.keyboard.press("k");
    await page.locator(`.queue-item.selected[id="q-${posted[1].id}"]`).waitFor();
    expect(await selected.count()).toBe(1);

    // Typing a and r in the reason field approves and rejects nothing.
    const reason = second.getByLabel(/^Reason/);
    await reason.click();
    await page.keyboard.type("ar");
    expect(await reason.inputValue()).toBe("ar");
    expect(await second.count()).toBe(1);

    // a approves the selected comment; the selection moves on to the next one.
    await second.locator(".comment-body").click();
    await page.keyboard.press("a");
    await second.waitFor({ state: "detached" });
    await page.locator(`.queue-item.selected[id="q-${posted[2].id}"]`).waitFor();
    // r rejects it, with the reason typed in its field.
    await third.getByLabel(/^Reason/).fill("Off topic");
    await third.locator(".comment-body").click();
    await page.keyboard.press("r");
    await third.waitFor({ state: "detached" });
    expect(await first.count()).toBe(1);

    const statuses = await t.data(
      `query($a: ID!, $b: ID!, $c: ID!) { a: comment(id: $a) { status } b: comment(id: $b) { status } c: comment(id: $c) { status moderationHistory { reason } } }`,
      { a: posted[0].id, b: posted[1].id, c: posted[2].id },
      { token: TEST_TOKEN },
    );
    expect([statuses.a.status, statuses.b.status, statuses.c.status]).toEqual(["PENDING", "PUBLISHED", "REJECTED"]);
    expect(statuses.c.moderationHistory.at(-1).reason).toBe("Off topic");
    await tabShows(page, "Pending", pendingBefore + 1);
    // The shortcuts are documented on the page.
    expect(await page.locator(".shortcuts kbd").allInnerTexts()).toEqual(["j", "k", "a", "r"]);
  });

  it("approves and features reported comments from the desk: they leave Reported and are listed under Approved", async () => {
    const articleId = await importUniqueArticle(t);
    const token = await tokenOf(readerName("Fair Fiona"));
    const approved = await postAs(t, token, articleId, "A sharp but fair point about the budget");
    const featured = await postAs(t, token, articleId, "The best summary of the debate so far");
    const flagger = await tokenOf(readerName("Touchy Tim"));
    for (const comment of [approved, featured]) {
      await t.data(`mutation($id: ID!) { flagComment(id: $id, reason: OTHER, note: "I disagree") { comment { id } } }`, { id: comment.id }, { token: flagger });
    }
    const page = await newPage();
    await openDesk(page, t, readerName("Mod Pat"), deskListening);
    await page.getByRole("tab", { name: /^Reported/ }).click();
    const reportedBefore = await tabCount(page, "Reported");
    await page.locator(`[id="q-${approved.id}"]`).getByRole("button", { name: "Approve" }).click();
    await page.locator(`[id="q-${approved.id}"]`).waitFor({ state: "detached" });
    await page.locator(`[id="q-${featured.id}"]`).getByRole("button", { name: "Feature" }).click();
    await page.locator(`[id="q-${featured.id}"]`).waitFor({ state: "detached" });
    await tabShows(page, "Reported", reportedBefore - 2);

    await page.getByRole("tab", { name: /^Approved/ }).click();
    await page.locator(`[id="q-${featured.id}"] .status.featured`).waitFor();
    await page.locator(`[id="q-${approved.id}"]`).waitFor();
    const data = await t.data(`query($id: ID!) { comment(id: $id) { isFeatured status } }`, { id: featured.id }, { token: TEST_TOKEN });
    expect(data.comment).toEqual({ isFeatured: true, status: "PUBLISHED" });
  });

  it("suspends and bans an author from the desk, saying their standing, and their writes are refused", async () => {
    const articleId = await importUniqueArticle(t);
    const name = readerName("Repeat Rex");
    const token = await tokenOf(name);
    const comment = await postAs(t, token, articleId, "Spam spam spam");
    await t.data(
      `mutation($id: ID!) { flagComment(id: $id, reason: SPAM) { comment { id } } }`,
      { id: comment.id },
      { token: await tokenOf(readerName("Flagging Fay")) },
    );
    const page = await newPage();
    await openDesk(page, t, readerName("Mod Sol"), deskListening);
    await page.getByRole("tab", { name: /^Reported/ }).click();
    const item = page.locator(`[id="q-${comment.id}"]`);
    await item.waitFor();

    await item.getByLabel(/^Reason/).fill("Spamming");
    await item.getByLabel("Suspend for").selectOption({ label: "1 day" });
    await item.getByRole("button", { name: "Suspend" }).click();
    await item.locator(".standing", { hasText: /^Suspended until .* \(Spamming\)$/ }).waitFor();
    const refused = await t.gql(`mutation($id: ID!) { addComment(articleId: $id, body: "more spam") { comment { id } } }`, { id: articleId }, { token });
    expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");

    await item.getByRole("button", { name: "End suspension" }).click();
    await item.locator(".standing", { hasText: "In good standing" }).waitFor();
    await item.getByRole("button", { name: "Ban…" }).click();
    await item
      .getByRole("group", { name: `Ban ${name}` })
      .getByRole("button", { name: `Yes, ban ${name}` })
      .click();
    await item.locator(".standing", { hasText: /^Banned/ }).waitFor();
    const standing = await t.data(`query($id: ID!) { author(id: $id) { standing { status reason } } }`, { id: comment.author.id }, { token: TEST_TOKEN });
    expect(standing.author.standing).toEqual({ status: "BANNED", reason: "Spamming" });
  });

  it("edits the banned and suspect word lists", async () => {
    const page = await newPage();
    await openDesk(page, t, readerName("Mod Wes"), deskListening);
    const banned = page.getByLabel("Banned words");
    await banned.fill("  scum \n\nrotten egg\n");
    await page.getByRole("button", { name: "Save banned words" }).click();
    await page.getByRole("status").filter({ hasText: "Saved: 2 entries." }).waitFor();
    await page.getByLabel("Suspect words").fill("idiot");
    await page.getByRole("button", { name: "Save suspect words" }).click();
    await page.getByRole("status").filter({ hasText: "Saved: 1 entry." }).waitFor();
    const lists = await t.data(`{ wordLists { banned suspect } }`, {}, { token: TEST_TOKEN });
    expect(lists.wordLists.banned).toEqual(expect.arrayContaining(["scum", "rotten egg"]));
    expect(lists.wordLists.suspect).toEqual(["idiot"]);
    // A fresh desk shows the saved lists.
    await page.reload();
    expect(await page.getByLabel("Banned words").inputValue()).toMatch(/scum/);
    await t.data(
      `mutation { a: setWordList(kind: BANNED, words: []) { banned } b: setWordList(kind: SUSPECT, words: []) { suspect } }`,
      {},
      { token: TEST_TOKEN },
    );
  });

  it("tells a reader live, with the bell's count, when a moderator rejects their comment, and marks it read", async () => {
    const articleId = await importUniqueArticle(t);
    const name = readerName("Told Theo");
    const comment = await postAs(t, await tokenOf(name), articleId, "A comment the moderators will refuse");
    const page = await newPage();
    await page.goto(`${t.base}/`);
    await signInAsReader(page, name);
    const bell = page.getByRole("button", { name: /^Notifications/ });
    await bell.waitFor();
    expect(await bell.getAttribute("aria-label")).toBe("Notifications");
    // The bell's subscription reaches the server some time after the bell shows (under load, more
    // than the wait below): a notification made before it listens is, rightly, not sent live.
    await events.listening(notificationTopic(devReaderSub(name)));
    await t.data(
      `mutation($id: ID!) { setCommentStatus(id: $id, status: REJECTED, reason: "Rude") { comment { id } } }`,
      { id: comment.id },
      { token: TEST_TOKEN },
    );
    await page.getByRole("button", { name: "Notifications, 1 unread" }).waitFor({ timeout: 5000 });
    await bell.click();
    const panel = page.getByRole("region", { name: "Notifications" });
    await panel.locator(".notification.unread", { hasText: "Your comment was rejected: Rude" }).waitFor();
    await panel.getByRole("button", { name: "Mark all as read" }).click();
    await page.getByRole("button", { name: "Notifications", exact: true }).waitFor();
    expect(await panel.locator(".notification.unread").count()).toBe(0);
    await page.keyboard.press("Escape");
    expect(await panel.count()).toBe(0);
  });

  it("passes the accessibility checks on /moderate with a reported comment and its author's history", async () => {
    const articleId = await importUniqueArticle(t);
    const parent = await postAs(t, await tokenOf(readerName("Patient Pia")), articleId, "The council should fund the library");
    const comment = await postAs(t, await tokenOf(readerName("Angry Abe")), articleId, "Nobody reads books any more", { parentId: parent.id });
    await t.data(
      `mutation($id: ID!) { flagComment(id: $id, reason: OFF_TOPIC, note: "Not about the vote") { comment { id } } }`,
      { id: comment.id },
      { token: await tokenOf(readerName("Flag Flo")) },
    );
    const page = await newPage();
    await openDesk(page, t, readerName("Mod Ana"), deskListening);
    await page.getByRole("tab", { name: /^Reported/ }).click();
    const item = page.locator(`[id="q-${comment.id}"]`);
    await item.locator(".comment-body").click();
    await item.locator(".history li").first().waitFor();
    await item.getByRole("button", { name: "Ban…" }).click();
    expect(await accessibilityProblems(page)).toEqual([]);
  });
});

describeInBrowser("the moderation desk's screenshots", () => {
  let t: AppServer;
  let browser: Browser;
  beforeAll(async () => {
    [t, browser] = await Promise.all([startAppServer("sqlite"), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each([1280, 375])("renders /moderate at %i px without sideways scrolling, saved under test-artifacts/", async (width) => {
    const articleId = await importUniqueArticle(t, {
      title: "Council votes to keep the riverside library open",
      paragraphs: ["After a long night of debate, the council kept the library open for another five years."],
    });
    const parent = await postAs(t, await tokenOf(`Maria ${width}`), articleId, "Good news. The library is the only quiet place left in the district.");
    const reported = await postAs(t, await tokenOf(`Viktor ${width}`), articleId, "Only idiots still go to libraries. Wake up, people.", {
      parentId: parent.id,
    });
    for (const [reader, reason, note] of [
      [`Lena ${width}`, "ABUSE", "Insulting the people who use it"],
      [`Omar ${width}`, "OFF_TOPIC", null],
    ] as const) {
      await t.data(
        `mutation($id: ID!, $reason: FlagReason!, $note: String) { flagComment(id: $id, reason: $reason, note: $note) { comment { id } } }`,
        { id: reported.id, reason, note },
        { token: await tokenOf(reader) },
      );
    }
    await postAs(t, await tokenOf(`Viktor ${width}`), articleId, "And the council wastes our money on it.");
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      await openDesk(page, t, `Moderator ${width}`);
      await page.getByRole("tab", { name: /^Reported/ }).click();
      const item = page.locator(`[id="q-${reported.id}"]`);
      await item.locator(".history li").nth(1).waitFor();
      await page.screenshot({ path: artifactPath(`moderation-desk-${width}.png`), fullPage: true });
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);
      // Out of the Reported queue, for the next width's picture.
      await t.data(`mutation($id: ID!) { setCommentStatus(id: $id, status: PUBLISHED) { comment { id } } }`, { id: reported.id }, { token: TEST_TOKEN });
    } finally {
      await page.close();
    }
  });
});
