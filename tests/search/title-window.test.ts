/**
 * Query.search ranks the newest RANK_WINDOW title matches first. With several looked-for terms an
 * article whose title holds one of them matches only if its document holds the rest, so on
 * PostgreSQL the window is found by walking the title candidates newest first and testing each
 * document, and, when too few of the newest TITLE_WALK pass, from the document index instead
 * (ranked-matches.ts): when the newest TITLE_SAMPLE candidates hold too few matches to be worth
 * it, or when the walk finds too few. Either way the window is the newest RANK_WINDOW real title
 * matches, on both engines.
 */
import type { ParsedArticle } from "../../src/ingest/dump.types";
import { importArticles } from "../../src/ingest/import";
import { refreshStatistics } from "../../src/db/statistics";
import { RANK_WINDOW, TITLE_SAMPLE, TITLE_WALK } from "../../src/read/ranked-matches";
import { engines } from "../helpers/databases";
import { uniqueArticle } from "../helpers/discussion";
import { startTestServer, TestServer } from "../helpers/test-server";

const SEARCH = `query($q: String!, $after: String, $where: ArticleWhere) {
  search(query: $q, scope: [ARTICLES], first: 100, after: $after, where: $where) {
    pageInfo { hasNextPage endCursor }
    edges { score node { ... on Article { title } } }
  }
}`;

/** Oldest first: every one's title names the walrus. */
const COLONY = RANK_WINDOW + 100; // "tundra", "glacier" and "steppe" in the text
const HERD = TITLE_WALK; // "tundra" in three of four texts, "glacier" in none, "steppe" in the newest few
const herdHasTundra = (i: number) => i % 4 !== 3;
const herdHasSteppe = (i: number) => i >= HERD - 2 * TITLE_SAMPLE;

/** Herds alternate between two sections; everything else is in the first. */
const herdSection = (i: number) => (i % 2 === 0 ? "Nature" : "Sport");

function article(title: string, paragraph: string, minute: number, section = "Nature"): ParsedArticle {
  return uniqueArticle({ title, section, paragraphs: [paragraph], tags: [], publishedAt: new Date(Date.UTC(2021, 0, 1, 0, minute)) });
}

describe.each(engines)("the ranked window of title matches on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    const articles = [
      ...Array.from({ length: COLONY }, (_, i) => article(`Walrus colony ${i}`, `The tundra meets the glacier and the steppe, report ${i}.`, i)),
      ...Array.from({ length: HERD }, (_, i) =>
        article(
          `Walrus herd ${i}`,
          `${herdHasTundra(i) ? "Out on the tundra" : "By the sea"}${herdHasSteppe(i) ? ", then the steppe" : ""}, report ${i}.`,
          COLONY + i,
          herdSection(i),
        ),
      ),
      article("Harbour news", "A walrus crossed the tundra and the steppe towards the glacier.", COLONY + HERD),
    ];
    for (let i = 0; i < articles.length; i += 500) {
      const results = await importArticles(t.db.dataSource, articles.slice(i, i + 500));
      expect(results.filter((result) => result instanceof Error)).toEqual([]);
    }
    await refreshStatistics(t.db.dataSource);
  }, 120_000);
  afterAll(() => t.close());

  /** Every hit of a search, in list order: title and score. */
  async function everything(q: string, where?: object): Promise<{ title: string; score: number }[]> {
    const hits: { title: string; score: number }[] = [];
    let after: string | null = null;
    for (;;) {
      const { search }: { search: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { score: number; node: { title: string } }[] } } =
        await t.data(SEARCH, { q, after, where });
      hits.push(...search.edges.map((edge) => ({ title: edge.node.title, score: edge.score })));
      if (!search.pageInfo.hasNextPage) return hits;
      after = search.pageInfo.endCursor;
    }
  }

  /**
   * Checks a search's whole list: its ranked title matches (score above 1) are exactly the newest
   * RANK_WINDOW of `matches` (its title matches, oldest first), the older ones follow at score 1,
   * and the one article that matches by its text alone comes last.
   */
  async function expectWindow(q: string, matches: string[], where?: object): Promise<void> {
    const hits = await everything(q, where);
    const titlesWhere = (keep: (score: number) => boolean) => hits.filter((hit) => keep(hit.score)).map((hit) => hit.title);
    expect(new Set(titlesWhere((score) => score > 1))).toEqual(new Set(matches.slice(-RANK_WINDOW)));
    expect(new Set(titlesWhere((score) => score === 1))).toEqual(new Set(matches.slice(0, -RANK_WINDOW)));
    expect(titlesWhere((score) => score < 1)).toEqual(["Harbour news"]);
  }

  /** Every colony's title, then the herds' that `keep` takes: oldest first. */
  const colonyAndHerds = (keep: (i: number) => boolean) => [
    ...Array.from({ length: COLONY }, (_, i) => `Walrus colony ${i}`),
    ...Array.from({ length: HERD }, (_, i) => i)
      .filter(keep)
      .map((i) => `Walrus herd ${i}`),
  ];

  it("ranks the newest title matches whose text holds the other word, skipping titles whose text does not", async () => {
    // The newest TITLE_WALK titles hold three matches in four: the window lies among them.
    await expectWindow("walrus tundra", colonyAndHerds(herdHasTundra));
  });

  it("walks only the titles that pass the search's filter", async () => {
    // Every other herd is in another section: the window is the newest RANK_WINDOW matches in this one.
    await expectWindow(
      "walrus tundra",
      colonyAndHerds((i) => herdHasTundra(i) && herdSection(i) === "Nature"),
      { section: "Nature" },
    );
  });

  it("finds the window among older titles when the newest ones hold too few matches", async () => {
    // No title of the newest TITLE_WALK matches: all the matches are in the oldest titles.
    await expectWindow(
      "walrus glacier",
      colonyAndHerds(() => false),
    );
  });

  it("finds the window among older titles when the newest ones match but too few of those after them do", async () => {
    // The newest TITLE_SAMPLE titles all match, so the walk starts; among the newest TITLE_WALK
    // only 2 * TITLE_SAMPLE do, so it gives up, and the window reaches into the oldest titles.
    await expectWindow("walrus steppe", colonyAndHerds(herdHasSteppe));
  });

  it("ranks the newest titles with the word when one word is looked for", async () => {
    await expectWindow(
      "walrus",
      colonyAndHerds(() => true),
    );
  });
});
