/**
 * Any query string at all gives results or BAD_USER_INPUT on both engines, and what reaches the
 * engine is only ever the query our code built: FTS5 strings and operators, tsquery lexemes and
 * operators. With PostgreSQL at hand, both engines find the same results on the seed corpus, for
 * generated queries in the search language.
 */
import fc from "fast-check";
import { DataSource } from "typeorm";
import { engines } from "../helpers/databases";
import { GqlResult, startTestServer, TestServer } from "../helpers/test-server";

// FC_RUNS=2000 for a longer hunt; the default keeps the suite fast.
const RUNS = Number(process.env.FC_RUNS ?? 150);

const SEARCH = `query($q: String!) { search(query: $q, first: 5) { totalCount edges { score node { __typename } highlights { field fragment ranges { start length } } } } }`;
const ARTICLES = `query($q: String!) { articles(where: { search: $q }, orderBy: RELEVANCE, first: 5) { totalCount nodes { id } } }`;

/** Pieces of FTS5 and tsquery syntax, and words the seed corpus holds. */
const SYNTAX = [
  '"',
  "'",
  "*",
  "-",
  "(",
  ")",
  ":",
  "^",
  "{",
  "}",
  "+",
  "&",
  "|",
  "!",
  "<->",
  "<2>",
  ":*",
  ":A",
  "\\",
  ",",
  ".",
  "NEAR",
  "NEAR(",
  "AND",
  "OR",
  "NOT",
  "title:",
  "body:",
  "{title}",
  "rowid",
  "rank",
  "bm25",
  "'a':*",
  "\u00A0",
  "\t",
];
const WORDS = [
  "moscow",
  "Москва",
  "syria",
  "syrian",
  "army",
  "palmyra",
  "metro",
  "stations",
  "arctic",
  "shipping",
  "time",
  "the",
  "a",
  "é",
  "São",
  "北京",
  "🎉",
];

const syntaxQuery = fc
  .array(fc.oneof(fc.constantFrom(...SYNTAX), fc.constantFrom(...WORDS), fc.constantFrom(" ", " ", " ")), { maxLength: 30 })
  .map((parts) => parts.join(""));

const anyQuery = fc.oneof(
  syntaxQuery,
  fc.string({ maxLength: 250 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 60 }),
);

/** What an FTS5 MATCH parameter may hold: column filters, quoted strings of words, prefix stars, AND/OR/NOT, parentheses. */
function isOurFtsQuery(text: string): boolean {
  const rest = text
    .replace(/"[\p{L}\p{N} ]+"( \*)?/gu, "S")
    .replace(/\{[a-z_ ]+\} : /g, "")
    .replace(/ (AND|OR|NOT) /g, " ")
    .replace(/[()]/g, "");
  return /^[S ]+$/.test(rest);
}

/** What a tsquery parameter may hold: quoted lexemes of words (forms marked ~), weights, prefixes and operators. */
function isOurTsQuery(text: string): boolean {
  const rest = text.replace(/'~?[\p{L}\p{N}]+'(:\*?A?)?/gu, "L").replace(/<->|[&|!()]/g, "");
  return /^[L ]+$/.test(rest);
}

/** Records the parameters of every statement that matches text against the index. */
function recordMatches(dataSources: DataSource[]): { fts: string[]; ts: string[]; restore(): void } {
  const fts: string[] = [];
  const ts: string[] = [];
  const spies = dataSources.map((ds) => {
    const original = ds.query.bind(ds);
    return jest.spyOn(ds, "query").mockImplementation((query: string, parameters?: unknown[], ...rest: unknown[]) => {
      if (/ MATCH \?/.test(query)) {
        // Each MATCH placeholder's parameter: count the placeholders before it.
        const before = query.split(" MATCH ?");
        let offset = 0;
        for (let i = 0; i < before.length - 1; i++) {
          offset += (before[i].match(/\?/g) ?? []).length;
          fts.push(String(parameters?.[offset]));
          offset += 1;
        }
      }
      for (const match of query.matchAll(/CAST\(\$(\d+) AS tsquery\)/g)) ts.push(String(parameters?.[Number(match[1]) - 1]));
      return (original as (...args: unknown[]) => Promise<unknown>)(query, parameters, ...rest);
    });
  });
  return { fts, ts, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

function expectOnlyBadInput(result: GqlResult): void {
  for (const error of result.errors ?? []) {
    expect({ message: error.message, code: error.extensions?.code }).toEqual({ message: error.message, code: "BAD_USER_INPUT" });
  }
}

describe.each(engines)("any search query on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t.close());

  it("gives results or BAD_USER_INPUT, and only our own query reaches the engine", async () => {
    const recorded = recordMatches(t.db.dataSource.dataSources());
    let searches = 0;
    try {
      await fc.assert(
        fc.asyncProperty(anyQuery, async (q) => {
          const search = await t.gql(SEARCH, { q });
          expectOnlyBadInput(search);
          if (!search.errors) searches += 1;
          for (const edge of search.data?.search.edges ?? []) {
            for (const h of edge.highlights) for (const r of h.ranges) expect(r.start + r.length).toBeLessThanOrEqual(h.fragment.length);
          }
          expectOnlyBadInput(await t.gql(ARTICLES, { q }));
        }),
        { numRuns: RUNS, examples: [['NEAR(a b) "x'], ["title:war OR body:*"], ["-"], ["*"], ['""'], ["'"], ["a:*"], ["\\'"], ["- -a"]] },
      );
    } finally {
      recorded.restore();
    }
    expect(searches).toBeGreaterThan(RUNS / 2);
    const sent = engine === "sqlite" ? recorded.fts : recorded.ts;
    expect(sent.length).toBeGreaterThan(0);
    const check = engine === "sqlite" ? isOurFtsQuery : isOurTsQuery;
    expect(sent.filter((text) => !check(text))).toEqual([]);
  });
});

const both = engines.length === 2 ? describe : describe.skip;

both("search parity between SQLite and PostgreSQL", () => {
  const servers: TestServer[] = [];
  beforeAll(async () => {
    servers.push(await startTestServer("sqlite"), await startTestServer("postgres"));
  });
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  const results = `query($q: String!) { search(query: $q, first: 100) { totalCount edges { score node { __typename ... on Article { title } ... on Comment { body } } } } }`;
  /** Queries in the search language, from the seed corpus's own words. */
  const vocabulary = [
    "moscow",
    "syria",
    "army",
    "palmyra",
    "metro",
    "station",
    "arctic",
    "route",
    "time",
    "russia",
    "putin",
    "isis",
    "ice",
    "space",
    "crew",
    "new",
    "year",
    "daesh",
  ];
  const term = fc.oneof(
    fc.constantFrom(...vocabulary),
    fc.constantFrom(...vocabulary).map((w) => `-${w}`),
    fc.constantFrom(...vocabulary).map((w) => `${w.slice(0, 3)}*`),
    fc.tuple(fc.constantFrom(...vocabulary), fc.constantFrom(...vocabulary)).map(([a, b]) => `"${a} ${b}"`),
    fc.constantFrom('"northern sea route"', '"six-hour"', '"new year"', "MOSCOW", "Москва", "saving*", "elections"),
  );
  const query = fc.array(term, { minLength: 1, maxLength: 3 }).map((terms) => terms.join(" "));

  it("finds the same results on both engines, title matches first on each", async () => {
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const [lite, pg] = await Promise.all(servers.map((s) => s.gql(results, { q })));
        expect(pg.errors?.map((e) => e.extensions?.code)).toEqual(lite.errors?.map((e) => e.extensions?.code));
        if (lite.errors) return;
        const names = (r: GqlResult) =>
          (r.data!.search.edges as { node: { title?: string; body?: string } }[]).map((e) => e.node.title ?? `comment: ${e.node.body}`).sort();
        expect({ q, found: names(pg) }).toEqual({ q, found: names(lite) });
        expect(pg.data!.search.totalCount).toBe(lite.data!.search.totalCount);
        const titleHits = (r: GqlResult) =>
          (r.data!.search.edges as { score: number; node: { title?: string } }[])
            .filter((e) => e.score >= 1)
            .map((e) => e.node.title)
            .sort();
        expect({ q, titleHits: titleHits(pg) }).toEqual({ q, titleHits: titleHits(lite) });
        if (names(lite).length > 0) nonEmpty += 1;
        for (const r of [lite, pg]) {
          const scores = (r.data!.search.edges as { score: number }[]).map((e) => e.score);
          // Title matches (score >= 1) form the head of the list.
          const firstBelow = scores.findIndex((s) => s < 1);
          if (firstBelow >= 0) expect(scores.slice(firstBelow).every((s) => s < 1)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    expect(nonEmpty).toBeGreaterThan(RUNS / 10);
  });
});
