import { DataSource } from "typeorm";
import { isPostgres } from "../../src/db/data-source";
import type { ParsedArticle } from "../../src/ingest/dump.types";
import { renderDump } from "../../src/ingest/render-dump";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, postComment, rowId, uniqueArticle } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";
import { RANK_WINDOW } from "../../src/read/ranked-matches";

const SEARCH = `query($q: String!, $scope: [SearchScope!], $first: Int, $after: String, $last: Int, $before: String, $where: ArticleWhere) {
  search(query: $q, scope: $scope, first: $first, after: $after, last: $last, before: $before, where: $where) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor score
      node { __typename ... on Article { id title } ... on Comment { id body } }
      highlights { field fragment ranges { start length } }
    }
  }
}`;

interface Hit {
  cursor: string;
  score: number;
  node: { __typename: "Article" | "Comment"; id: string; title?: string; body?: string };
  highlights: { field: string; fragment: string; ranges: { start: number; length: number }[] }[];
}

const MOSCOW: Partial<ParsedArticle> = {
  title: "Moscow votes in municipal elections",
  section: "Politics",
  tags: ["Russia", "Local government"],
  paragraphs: ["Voters in Москва went to the polls on Sunday.", "The election commission said turnout was low."],
  comments: [
    { author: "Ivan", hasAvatar: true, body: "An election without choice" },
    { author: null, hasAvatar: false, body: "Software glitches slowed the count" },
  ],
};
const SAO_PAULO: Partial<ParsedArticle> = {
  title: "Software fair opens in São Paulo",
  section: "Technology",
  tags: ["Brazil", "Software"],
  paragraphs: ["Developers from across Latin America came to Sao Paulo.", "Organisers said hiring is fierce."],
  comments: [],
};
const QUIET: Partial<ParsedArticle> = {
  title: "A quiet weekend",
  section: "World",
  tags: ["Weather"],
  paragraphs: [
    "Nothing about the war happened.",
    "The election, the election and again the election dominated talk; elections always do, said Фёдор from Łódź.",
  ],
  comments: [{ author: "Anna", hasAvatar: true, body: "🎉🎉 Москва wins the election" }],
};

/** Rows the index holds for a comment, read from the engine's own table. */
async function indexedComment(db: DataSource, id: number): Promise<number> {
  const [row] = isPostgres(db)
    ? await db.query(`SELECT COUNT(*) AS n FROM search_comment WHERE "commentId" = $1`, [id])
    : await db.query(`SELECT COUNT(*) AS n FROM search_comment WHERE rowid = ?`, [id]);
  return Number(row.n);
}

describe.each(engines)("search on %s", (engine) => {
  let t: TestServer;
  const ids: Record<string, string> = {};

  async function importArticle(overrides: Partial<ParsedArticle>, publishedAt = new Date(Date.UTC(2020, 0, 1))): Promise<string> {
    const text = renderDump(uniqueArticle({ publishedAt, ...overrides }));
    const data = await t.data(IMPORT_DUMP, { text }, { token: TEST_TOKEN });
    return data.importDump.article.id;
  }

  async function search(q: string, extra: Record<string, unknown> = {}): Promise<{ totalCount: number; pageInfo: any; edges: Hit[] }> {
    return (await t.data(SEARCH, { q, ...extra })).search;
  }

  const titles = (edges: Hit[]) => edges.map((e) => e.node.title ?? `comment: ${e.node.body}`);

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    ids.moscow = await importArticle(MOSCOW, new Date(Date.UTC(2020, 0, 1)));
    ids.saoPaulo = await importArticle(SAO_PAULO, new Date(Date.UTC(2020, 0, 2)));
    ids.quiet = await importArticle(QUIET, new Date(Date.UTC(2020, 0, 3)));
  });
  afterAll(() => t.close());

  it("matches whole words: war does not find software", async () => {
    const war = await search("war");
    expect(titles(war.edges)).toEqual(["A quiet weekend"]);
    const articles = await t.data(`{ articles(where: { search: "war" }) { totalCount nodes { title } } }`);
    expect(articles.articles).toEqual({ totalCount: 1, nodes: [{ title: "A quiet weekend" }] });
    expect(titles((await search("soft")).edges)).toEqual([]);
  });

  it("lists a search newest first with the articles and the count of its relevance order, alone and beside another filter", async () => {
    const LIST = `query($where: ArticleWhere, $orderBy: ArticleOrder) { articles(where: $where, orderBy: $orderBy, first: 100) { totalCount nodes { id publishedAt } } }`;
    for (const q of ["election", "moscow", "elections -turnout", "the", `"election commission"`, "sao*", "nosuchword"]) {
      for (const where of [{ search: q }, { search: q, section: "World" }, { search: q, section: "Sport" }]) {
        const newest = (await t.data(LIST, { where })).articles;
        const ranked = (await t.data(LIST, { where, orderBy: "RELEVANCE" })).articles;
        expect({ q, where, total: newest.totalCount }).toEqual({ q, where, total: ranked.totalCount });
        expect(newest.nodes.length).toBe(newest.totalCount);
        expect(new Set(newest.nodes.map((node: { id: string }) => node.id))).toEqual(new Set(ranked.nodes.map((node: { id: string }) => node.id)));
        const times = newest.nodes.map((node: { publishedAt: string }) => node.publishedAt);
        expect(times).toEqual([...times].sort().reverse());
      }
    }
    // Something to compare: the words above find articles.
    expect((await t.data(LIST, { where: { search: "moscow" } })).articles.totalCount).toBeGreaterThan(0);
  });

  it("ANDs words, matches phrases, excludes and takes prefixes", async () => {
    expect(titles((await search("election turnout")).edges)).toEqual(["Moscow votes in municipal elections"]);
    expect(titles((await search(`"election commission"`)).edges)).toEqual(["Moscow votes in municipal elections"]);
    expect(titles((await search(`"commission election"`)).edges)).toEqual([]);
    const excluded = titles((await search("election -moscow", { scope: ["ARTICLES"] })).edges);
    expect(excluded).toEqual(["A quiet weekend"]);
    expect(titles((await search(`election -"election commission"`, { scope: ["ARTICLES"] })).edges)).toEqual(["A quiet weekend"]);
    expect(titles((await search("develop*")).edges)).toEqual(["Software fair opens in São Paulo"]);
    expect(titles((await search("softw*")).edges).sort()).toEqual(["Software fair opens in São Paulo", "comment: Software glitches slowed the count"].sort());
    // The prefix is compared with the word as written too, not only with its stem ("electi" is no prefix of "elect").
    expect(titles((await search("electi*", { scope: ["ARTICLES"] })).edges).sort()).toEqual(["A quiet weekend", "Moscow votes in municipal elections"]);
  });

  it("folds case and diacritics in Latin, Cyrillic and accented text", async () => {
    expect(titles((await search("москва", { scope: ["ARTICLES"] })).edges)).toEqual(["Moscow votes in municipal elections"]);
    expect(titles((await search("МОСКВА", { scope: ["COMMENTS"] })).edges)).toEqual(["comment: 🎉🎉 Москва wins the election"]);
    expect(titles((await search("sao paulo")).edges)).toEqual(["Software fair opens in São Paulo"]);
    expect(titles((await search("SÃO PAULO")).edges)).toEqual(["Software fair opens in São Paulo"]);
    expect(titles((await search("федор lodz")).edges)).toEqual(["A quiet weekend"]);
    expect(titles((await search("ФЁДОР ŁÓDŹ")).edges)).toEqual(["A quiet weekend"]);
  });

  it("matches English inflections", async () => {
    expect(titles((await search("elections", { scope: ["COMMENTS"] })).edges).sort()).toEqual(
      ["comment: 🎉🎉 Москва wins the election", "comment: An election without choice"].sort(),
    );
    expect(titles((await search("voter")).edges)).toEqual(["Moscow votes in municipal elections"]);
    expect(titles((await search("organiser")).edges)).toEqual(["Software fair opens in São Paulo"]);
  });

  it("ranks title matches first, with scores in descending order", async () => {
    const { edges } = await search("election");
    // QUIET says "election" five times in its body; MOSCOW says it once in its title.
    expect(edges[0].node.title).toBe("Moscow votes in municipal elections");
    expect(edges[0].score).toBeGreaterThanOrEqual(1);
    expect(edges.slice(1).every((e) => e.score < 1)).toBe(true);
    for (let i = 1; i < edges.length; i++) expect(edges[i].score).toBeLessThanOrEqual(edges[i - 1].score);
    expect(titles(edges).sort()).toEqual(
      ["A quiet weekend", "Moscow votes in municipal elections", "comment: 🎉🎉 Москва wins the election", "comment: An election without choice"].sort(),
    );

    const ranked = await t.data(`{ articles(where: { search: "election" }, orderBy: RELEVANCE) { nodes { title } } }`);
    expect(ranked.articles.nodes.map((n: { title: string }) => n.title)).toEqual(["Moscow votes in municipal elections", "A quiet weekend"]);
    const asSearch = await search("election", { scope: ["ARTICLES"] });
    expect(titles(asSearch.edges)).toEqual(["Moscow votes in municipal elections", "A quiet weekend"]);
    const page = await t.data(`{ articles(where: { search: "election" }, orderBy: RELEVANCE, first: 1) { totalCount pageInfo { endCursor } } }`);
    expect(page.articles.totalCount).toBe(2);
    const next = await t.data(
      `query($a: String) { articles(where: { search: "election" }, orderBy: RELEVANCE, first: 1, after: $a) { nodes { title } pageInfo { hasNextPage } } }`,
      {
        a: page.articles.pageInfo.endCursor,
      },
    );
    expect(next.articles).toEqual({ nodes: [{ title: "A quiet weekend" }], pageInfo: { hasNextPage: false } });
    const unranked = await t.gql(`{ articles(orderBy: RELEVANCE) { nodes { title } } }`);
    expect(unranked.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "orderBy" });
  });

  it("highlights matched words with UTF-16 ranges into each fragment", async () => {
    const [paulo] = (await search("sao paulo")).edges;
    const title = "Software fair opens in São Paulo";
    const paragraph = "Developers from across Latin America came to Sao Paulo.";
    expect(paulo.highlights).toEqual([
      {
        field: "title",
        fragment: title,
        ranges: [
          { start: title.indexOf("São"), length: 3 },
          { start: title.indexOf("Paulo"), length: 5 },
        ],
      },
      {
        field: "paragraphs",
        fragment: paragraph,
        ranges: [
          { start: paragraph.indexOf("Sao"), length: 3 },
          { start: paragraph.indexOf("Paulo"), length: 5 },
        ],
      },
    ]);
    const [party] = (await search("москва", { scope: ["COMMENTS"] })).edges;
    // Two emoji are four UTF-16 units.
    expect(party.highlights).toEqual([{ field: "body", fragment: "🎉🎉 Москва wins the election", ranges: [{ start: 5, length: 6 }] }]);
    const [phrase] = (await search(`"election commission" -war`)).edges;
    const said = "The election commission said turnout was low.";
    expect(phrase.highlights).toEqual([{ field: "paragraphs", fragment: said, ranges: [{ start: 4, length: "election commission".length }] }]);
    const [tagged] = (await search("local", { scope: ["ARTICLES"] })).edges;
    expect(tagged.highlights).toEqual([{ field: "tags", fragment: "Local government", ranges: [{ start: 0, length: 5 }] }]);
  });

  it("cuts long texts to a fragment around the first match, ranges shifted into it", async () => {
    const long = `${"Lorem ipsum dolor sit amet. ".repeat(20)}The zeppelin landed. ${"More filler text follows here. ".repeat(20)}`;
    await importArticle({ title: "Filler", paragraphs: [long] }, new Date(Date.UTC(2020, 1, 1)));
    const [hit] = (await search("zeppelin")).edges;
    const { fragment, ranges } = hit.highlights[0];
    expect(fragment.length).toBeLessThanOrEqual(200);
    expect(fragment.startsWith("…")).toBe(true);
    expect(fragment.endsWith("…")).toBe(true);
    expect(fragment.slice(ranges[0].start, ranges[0].start + ranges[0].length)).toBe("zeppelin");
  });

  it("pages both ways with cursors bound to the search", async () => {
    const article = await importArticle({ title: "Paging story", paragraphs: ["Nothing to see."] }, new Date(Date.UTC(2020, 2, 1)));
    for (let i = 0; i < 7; i++) await postComment(t, article, `Kumquat number ${i}${" kumquat".repeat(i % 3)}`);
    const all = await search("kumquat", { first: 100 });
    expect(all.totalCount).toBe(7);
    const everything = all.edges.map((e) => e.node.id);

    const forward: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: { edges: Hit[]; pageInfo: any } = await search("kumquat", { first: 3, after });
      forward.push(...page.edges.map((e) => e.node.id));
      pages += 1;
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(forward).toEqual(everything);

    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: { edges: Hit[]; pageInfo: any } = await search("kumquat", { last: 3, before });
      backward.unshift(...page.edges.map((e) => e.node.id));
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(everything);

    const other = await t.gql(SEARCH, { q: "kumquats", after: all.edges[0].cursor });
    expect(other.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "after" });
    const list = await t.gql(`query($a: String) { articles(after: $a) { totalCount } }`, { a: all.edges[0].cursor });
    expect(list.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "after" });
  });

  it("ranks the newest RANK_WINDOW matches, lists older ones after them unranked, and pages through all of them both ways", async () => {
    const count = RANK_WINDOW + 150;
    const comments = Array.from({ length: count }, (_, i) => ({
      author: null,
      hasAvatar: false,
      body: `Quokka sighting ${i}${i % 7 === 0 ? " quokka quokka" : ""}`,
    }));
    await importArticle({ title: "Island wildlife", paragraphs: ["Rottnest has many animals."], comments }, new Date(Date.UTC(2020, 5, 1)));

    const walk = async (forward: boolean) => {
      const seen: Hit[] = [];
      let cursor: string | null = null;
      for (;;) {
        const page: { edges: Hit[]; pageInfo: any } = await search("quokka", forward ? { first: 100, after: cursor } : { last: 100, before: cursor });
        if (forward) seen.push(...page.edges);
        else seen.unshift(...page.edges);
        if (!(forward ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage)) return seen;
        cursor = forward ? page.pageInfo.endCursor : page.pageInfo.startCursor;
      }
    };
    const forward = await walk(true);
    expect(forward).toHaveLength(count);
    expect(new Set(forward.map((e) => e.node.id)).size).toBe(count);
    for (let i = 1; i < forward.length; i++) expect(forward[i].score).toBeLessThanOrEqual(forward[i - 1].score);
    // The ranked window first (the newest comments, scores above 0), then the oldest, newest first, at 0.
    const ranked = forward.filter((e) => e.score > 0);
    expect(ranked).toHaveLength(RANK_WINDOW);
    const ids = (edges: Hit[]) => edges.map((e) => rowId(e.node.id));
    expect(Math.min(...ids(ranked))).toBeGreaterThan(Math.max(...ids(forward.slice(RANK_WINDOW))));
    const older = ids(forward.slice(RANK_WINDOW));
    expect(older).toEqual([...older].sort((a, b) => b - a));
    // Among the ranked, a comment that says it three times comes before one that says it once.
    expect(ranked[0].node.body).toMatch(/quokka quokka$/);
    expect((await walk(false)).map((e) => e.node.id)).toEqual(forward.map((e) => e.node.id));
    expect((await search("quokka", { first: 0 })).totalCount).toBe(count);
  });

  it("keeps the index in step with comments posted, edited and deleted", async () => {
    const comment = await postComment(t, ids.saoPaulo, "Pineapple belongs on pizza");
    const id = rowId(comment.id);
    expect((await search("pineapple")).edges.map((e) => e.node.id)).toEqual([comment.id]);
    expect(await indexedComment(t.db.dataSource, id)).toBe(1);

    await t.data(`mutation($id: ID!) { editComment(id: $id, body: "Mango salsa instead") { comment { id } } }`, { id: comment.id }, { token: TEST_TOKEN });
    expect((await search("pineapple")).edges).toEqual([]);
    expect((await search("mango")).edges.map((e) => e.node.id)).toEqual([comment.id]);
    expect(await indexedComment(t.db.dataSource, id)).toBe(1);

    await t.data(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: comment.id }, { token: TEST_TOKEN });
    expect((await search("mango")).edges).toEqual([]);
    expect(await indexedComment(t.db.dataSource, id)).toBe(0);
  });

  it("keeps the index in step with imports and re-imports", async () => {
    const base = uniqueArticle({
      publishedAt: new Date(Date.UTC(2020, 3, 1)),
      title: "Harbour reopens",
      paragraphs: ["The harbour reopened after the storm."],
      tags: ["Shipping"],
      comments: [
        { author: "Olga", hasAvatar: true, body: "Finally the ferries run" },
        { author: "Pavel", hasAvatar: true, body: "Lighthouse keepers cheered" },
      ],
    });
    await t.data(IMPORT_DUMP, { text: renderDump(base) }, { token: TEST_TOKEN });
    expect(titles((await search("storm")).edges)).toEqual(["Harbour reopens"]);
    expect(titles((await search("ferries")).edges)).toEqual(["comment: Finally the ferries run"]);

    const changed: ParsedArticle = {
      ...base,
      paragraphs: ["The harbour reopened after the typhoon."],
      tags: ["Ports"],
      comments: [
        { author: "Olga", hasAvatar: true, body: "Finally the ferries run" },
        { author: "Boris", hasAvatar: false, body: "Dockworkers went back to work" },
      ],
    };
    const reimported = await t.data(IMPORT_DUMP, { text: renderDump(changed) }, { token: TEST_TOKEN });
    expect(reimported.importDump.status).toBe("UPDATED");
    expect((await search("storm")).edges).toEqual([]);
    expect((await search("shipping")).edges).toEqual([]);
    expect(titles((await search("typhoon ports")).edges)).toEqual(["Harbour reopens"]);
    expect((await search("lighthouse")).edges).toEqual([]);
    expect(titles((await search("dockworkers")).edges)).toEqual(["comment: Dockworkers went back to work"]);
    expect(titles((await search("ferries")).edges)).toEqual(["comment: Finally the ferries run"]);

    // The removed comment comes back with a later dump that has it again.
    await t.data(IMPORT_DUMP, { text: renderDump({ ...changed, comments: [...changed.comments, base.comments[1]] }) }, { token: TEST_TOKEN });
    expect(titles((await search("lighthouse")).edges)).toEqual(["comment: Lighthouse keepers cheered"]);
  });

  it("filters with where and scope, and counts what it finds", async () => {
    const politics = await search("election", { where: { section: "politics" } });
    expect(titles(politics.edges).sort()).toEqual(["Moscow votes in municipal elections", "comment: An election without choice"].sort());
    expect(politics.totalCount).toBe(2);
    const onlyComments = await search("election", { scope: ["COMMENTS"], where: { search: "weekend" } });
    expect(titles(onlyComments.edges)).toEqual(["comment: 🎉🎉 Москва wins the election"]);
    const empty = await t.gql(SEARCH, { q: "election", scope: [] });
    expect(empty.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "scope" });
  });

  it("refuses long and wordy queries and pure exclusions, naming query; finds nothing for no words", async () => {
    const long = await t.gql(SEARCH, { q: "a".repeat(201) });
    expect(long.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "query" });
    const wordy = await t.gql(SEARCH, { q: Array.from({ length: 13 }, (_, i) => `w${i}`).join(" ") });
    expect(wordy.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "query" });
    expect(wordy.errors?.[0].message).toMatch(/13 words; the limit is 12/);
    const negative = await t.gql(SEARCH, { q: "-war" });
    expect(negative.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "query" });
    const filter = await t.gql(`{ articles(where: { search: "-war" }) { totalCount } }`);
    expect(filter.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "where" });
    expect(await search("!!! ...")).toMatchObject({ totalCount: 0, edges: [] });
    expect((await t.data(`{ articles(where: { search: "%" }) { totalCount } }`)).articles.totalCount).toBe(0);
    expect((await t.data(`{ articles(where: { search: "  " }) { totalCount } }`)).articles.totalCount).toBeGreaterThan(3);
  });

  it("prices a search by its words", async () => {
    const aliases = (q: string) =>
      t.gql(`query($q: String!) { ${Array.from({ length: 30 }, (_, i) => `a${i}: search(query: $q, first: 1) { totalCount }`).join(" ")} }`, { q });
    const wordy = await aliases(Array.from({ length: 12 }, (_, i) => `w${i}`).join(" "));
    expect(wordy.errors?.[0].message).toMatch(/^query cost \d+ exceeds the limit of 50000/);
    const short = await aliases("election");
    expect(short.errors).toBeUndefined();
  });

  it("treats engine syntax as plain words", async () => {
    // Raw, these would be a column filter, an OR, a NEAR group and a bare prefix.
    expect((await search("title:software")).edges).toEqual([]);
    expect((await search("war OR software")).edges).toEqual([]);
    expect((await search("NEAR(war software)")).edges).toEqual([]);
    expect(titles((await search("war*")).edges)).toEqual(["A quiet weekend"]);
    expect(titles((await search(`"war`)).edges)).toEqual(["A quiet weekend"]);
    expect(titles((await search("war & !software | (x <-> y)")).edges)).toEqual([]);
  });

  it("compares words by stem in every column: a stem that is another word's spelling finds only that stem", async () => {
    // "embedded" stems to "embed", while the word "embed" stems to "emb": a search for "embedded"
    // must not find a text that only says "embed", even where the index keeps "embed" as written.
    const stemmed = await postComment(t, ids.saoPaulo, "The reporter was embedded with the troops");
    const written = await postComment(t, ids.saoPaulo, "Feel free to embed this video");
    expect((await search("embedded", { scope: ["COMMENTS"] })).edges.map((e) => e.node.id)).toEqual([stemmed.id]);
    expect((await search("embedding", { scope: ["COMMENTS"] })).edges.map((e) => e.node.id)).toEqual([stemmed.id]);
    expect((await search("embed", { scope: ["COMMENTS"] })).edges.map((e) => e.node.id)).toEqual([written.id]);
    expect((await search("embe*", { scope: ["COMMENTS"] })).edges.map((e) => e.node.id).sort()).toEqual([stemmed.id, written.id].sort());
    expect((await search(`"reporter was embedded"`, { scope: ["COMMENTS"] })).totalCount).toBe(1);
    expect((await search("reporter -embed", { scope: ["COMMENTS"] })).totalCount).toBe(1);
    await t.data(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: stemmed.id }, { token: TEST_TOKEN });
    await t.data(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: written.id }, { token: TEST_TOKEN });
  });
});
