/**
 * The moderators' word lists and PREMODERATE_LINKS through GraphQL: who may read and set the
 * lists, banned words rejecting and suspect words holding readers' comments and edits, with
 * Threadline's folding and whole-word edges, phrases, the reason the author sees, the limits, and
 * a change reaching a second instance through the event bus.
 */
import { containsLink } from "../../src/text/links";
import { WordMatcher } from "../../src/discussion/word-matcher";
import { engines } from "../helpers/databases";
import { renderDump } from "../../src/ingest/render-dump";
import { IMPORT_DUMP as IMPORT, importUniqueArticle, uniqueArticle } from "../helpers/discussion";
import { postAs, readerToken } from "../helpers/readers";
import { observedLocalEvents } from "../helpers/subscriptions";
import { createServer } from "../../src/server";
import { InstancePair, startInstancePair } from "../helpers/instances";
import { redisSuite, redisUrl } from "../helpers/redis";
import { eventually, httpGql } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const LISTS = `{ wordLists { banned suspect } }`;
const SET = `mutation($kind: WordListKind!, $words: [String!]!) { setWordList(kind: $kind, words: $words) { banned suspect } }`;
const POST = `mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { comment { id status statusReason } } }`;
const EDIT = `mutation($id: ID!, $body: String!) { editComment(id: $id, body: $body) { comment { id status statusReason body } } }`;
const ONE = `query($id: ID!) { comment(id: $id) { id status statusReason moderationHistory { action status reason actorRole } } }`;
const COUNT = `query($id: ID!) { article(id: $id) { commentCount } }`;

describe("word matching (pure)", () => {
  const matcher = new WordMatcher({ banned: ["cunt", "Buy now", "Scheiße"], suspect: ["ёлка", "crypto"] });
  it.each([
    ["Greetings from Scunthorpe", null],
    ["what a CUNT.", "BANNED"],
    ["buy, NOW!", "BANNED"],
    ["buy\nnow", "BANNED"],
    ["buy nowhere", null],
    ["so buy", null],
    ["das ist SCHEISSE", "BANNED"],
    ["Елка стоит", "SUSPECT"],
    ["Ёлка", "SUSPECT"],
    ["cryptocurrency", null],
    ["Crypto buy now", "BANNED"],
  ])("%j -> %s", (text, kind) => {
    expect(matcher.match(text)?.kind ?? null).toBe(kind);
  });

  it.each([
    ["see https://example.com", true],
    ["HTTP://x.io", true],
    ["go to www.example.org today", true],
    ["example.com/offer", true],
    ["shop.example.co.uk/", true],
    ["пример.рф/путь", true],
    ["I like Node.js and e.g. this", false],
    ["pi is 3.14/2", false],
    ["and/or", false],
    ["mail me at a@example.com", false],
    ["example.com", false],
  ])("link in %j: %s", (text, held) => {
    expect(containsLink(text)).toBe(held);
  });
});

describe.each(engines)("word lists on %s", (engine) => {
  let t: TestServer;
  let anna: string;
  let mod: string;
  let articleId: string;
  const events = observedLocalEvents();

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, events: events.bus, config: { premoderateLinks: true } });
    anna = await readerToken({ sub: "anna", name: "Anna" });
    mod = await readerToken({ sub: "mo", name: "Mo", role: "moderator" });
    articleId = await importUniqueArticle(t);
  });
  afterAll(() => t.close());

  it("are for moderators and the service token only", async () => {
    expect((await t.gql(LISTS)).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect((await t.gql(LISTS, {}, { token: anna })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(SET, { kind: "BANNED", words: ["x"] }, { token: anna })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(SET, { kind: "BANNED", words: ["x"] })).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(await t.data(LISTS, {}, { token: mod })).toEqual({ wordLists: { banned: [], suspect: [] } });
  });

  it("store what was set, cleaned and without duplicates under folding", async () => {
    const set = await t.data(SET, { kind: "BANNED", words: ["  cunt ", "Buy   now", "BUY NOW", "Scheiße"] }, { token: mod });
    expect(set.setWordList).toEqual({ banned: ["cunt", "Buy now", "Scheiße"], suspect: [] });
    await t.data(SET, { kind: "SUSPECT", words: ["ёлка", "crypto"] }, { token: TEST_TOKEN });
    expect(await t.data(LISTS, {}, { token: TEST_TOKEN })).toEqual({ wordLists: { banned: ["cunt", "Buy now", "Scheiße"], suspect: ["ёлка", "crypto"] } });
  });

  it("refuse bad lists with BAD_USER_INPUT naming the entry", async () => {
    const blank = await t.gql(SET, { kind: "SUSPECT", words: ["ok", " -- "] }, { token: mod });
    expect(blank.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "words[1]" });
    const long = await t.gql(SET, { kind: "SUSPECT", words: ["x".repeat(101)] }, { token: mod });
    expect(long.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "words[0]" });
    const many = await t.gql(SET, { kind: "SUSPECT", words: Array.from({ length: 10_001 }, (_, i) => `w${i}`) }, { token: mod });
    expect(many.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "words" });
    expect((await t.data(LISTS, {}, { token: mod })).wordLists.suspect).toEqual(["ёлка", "crypto"]);
  });

  it("reject a reader's comment with a banned word at once, and tell its author why", async () => {
    const before = (await t.data(COUNT, { id: articleId })).article.commentCount;
    const posted = (await t.data(POST, { articleId, body: "You absolute CUNT!" }, { token: anna })).addComment.comment;
    expect(posted.status).toBe("REJECTED");
    expect(posted.statusReason).toBe('the comment contains "CUNT", which is on the banned word list');
    const seen = await t.data(ONE, { id: posted.id }, { token: mod });
    expect(seen.comment.moderationHistory).toEqual([{ action: "AUTO_REJECT", status: "REJECTED", reason: posted.statusReason, actorRole: null }]);
    expect((await t.data(COUNT, { id: articleId })).article.commentCount).toBe(before);
    // The public may not know why.
    expect((await t.data(ONE.replace(" moderationHistory { action status reason actorRole }", ""), { id: posted.id })).comment).toBeNull();
  });

  it("match whole words with Threadline's folding, and phrases across punctuation", async () => {
    const cases: [string, string][] = [
      ["Greetings from Scunthorpe", "PUBLISHED"],
      ["das ist SCHEISSE", "REJECTED"],
      ["buy... NOW", "REJECTED"],
      ["buy nowhere", "PUBLISHED"],
      ["Красивая Елка", "PENDING"],
      ["cryptocurrency talk", "PUBLISHED"],
      ["CRYPTO", "PENDING"],
    ];
    for (const [body, status] of cases) {
      const posted = (await t.data(POST, { articleId, body }, { token: anna })).addComment.comment;
      expect([body, posted.status]).toEqual([body, status]);
    }
  });

  it("hold comments with links, and leave moderators' and the service token's alone", async () => {
    const linked = (await t.data(POST, { articleId, body: "cheap stuff at www.example.com" }, { token: anna })).addComment.comment;
    expect(linked).toMatchObject({ status: "PENDING", statusReason: "the comment contains a link: a moderator will review it" });
    expect((await t.data(POST, { articleId, body: "Node.js is fine, e.g. here" }, { token: anna })).addComment.comment.status).toBe("PUBLISHED");
    expect((await t.data(POST, { articleId, body: "crypto at https://example.com" }, { token: mod })).addComment.comment.status).toBe("PUBLISHED");
    expect((await t.data(POST, { articleId, body: "cunt" }, { token: TEST_TOKEN })).addComment.comment.status).toBe("PUBLISHED");
  });

  it("screen edits: a banned word rejects, a suspect word or a link holds, and an edit never publishes", async () => {
    const before = (await t.data(COUNT, { id: articleId })).article.commentCount;
    const clean = await postAs(t, anna, articleId, "A perfectly fine remark");
    expect((await t.data(COUNT, { id: articleId })).article.commentCount).toBe(before + 1);
    const held = (await t.data(EDIT, { id: clean.id, body: "about crypto" }, { token: anna })).editComment.comment;
    expect(held).toMatchObject({ status: "PENDING", body: "about crypto" });
    expect((await t.data(COUNT, { id: articleId })).article.commentCount).toBe(before);
    const back = (await t.data(EDIT, { id: clean.id, body: "fine again" }, { token: anna })).editComment.comment;
    expect(back.status).toBe("PENDING");
    const rejected = (await t.data(EDIT, { id: clean.id, body: "buy now" }, { token: anna })).editComment.comment;
    expect(rejected).toMatchObject({ status: "REJECTED", statusReason: 'the comment contains "buy now", which is on the banned word list' });

    const other = await postAs(t, anna, articleId, "Another fine remark");
    expect((await t.data(EDIT, { id: other.id, body: "see example.com/deal" }, { token: anna })).editComment.comment.status).toBe("PENDING");
    const history = (await t.data(ONE, { id: other.id }, { token: mod })).comment.moderationHistory;
    expect(history).toEqual([{ action: "AUTO_HOLD", status: "PENDING", reason: "the comment contains a link: a moderator will review it", actorRole: null }]);
  });

  it("reach another instance through the event bus", async () => {
    // A second instance on the same database and bus.
    const second = await createServer(t.config, t.db.dataSource, events.bus);
    const ask = async (query: string, variables: Record<string, unknown>, token: string) => {
      const response = await second.apollo.executeOperation({ query, variables }, { contextValue: await second.context(`Bearer ${token}`) });
      if (response.body.kind !== "single" || response.body.singleResult.errors) throw new Error(JSON.stringify(response.body));
      return response.body.singleResult.data as any;
    };
    try {
      expect((await ask(LISTS, {}, mod)).wordLists.suspect).toEqual(["ёлка", "crypto"]);
      await t.data(SET, { kind: "SUSPECT", words: ["moonshot"] }, { token: mod });
      expect((await ask(LISTS, {}, mod)).wordLists.suspect).toEqual(["moonshot"]);
      expect((await ask(POST, { articleId, body: "a MOONSHOT" }, anna)).addComment.comment.status).toBe("PENDING");
    } finally {
      await second.stop();
    }
  });
});

redisSuite(true)("word lists between two instances on PostgreSQL and Redis", () => {
  let pair: InstancePair;
  afterAll(() => pair?.close());

  it("a change on one instance screens comments on the other", async () => {
    pair = await startInstancePair(redisUrl());
    const mod = await readerToken({ sub: "mo", name: "Mo", role: "moderator" });
    const anna = await readerToken({ sub: "anna", name: "Anna" });
    // B reads the (empty) lists first, so it holds a copy that the change must replace.
    expect((await httpGql(pair.b.host, LISTS, {}, mod)).data).toEqual({ wordLists: { banned: [], suspect: [] } });
    expect((await httpGql(pair.a.host, SET, { kind: "BANNED", words: ["Spamword"] }, mod)).errors).toBeUndefined();
    await eventually(async () => (await httpGql(pair.b.host, LISTS, {}, mod)).data?.wordLists.banned[0] === "Spamword", "B to hear of the change");
    const articleId = (await httpGql(pair.a.host, IMPORT, { text: renderDump(uniqueArticle()) }, TEST_TOKEN)).data!.importDump.article.id;
    const posted = await httpGql(pair.b.host, POST, { articleId, body: "SPAMWORD!" }, anna);
    expect(posted.data?.addComment.comment.status).toBe("REJECTED");
  });
});
