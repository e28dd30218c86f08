/**
 * `boundedCount(atMost)` on the lists a search fills (SearchConnection, ArticleConnection): the
 * exact count while it is at most `atMost`, else `atMost` and isExact false, on both engines, for
 * any search, scope, filter and bound; and BAD_USER_INPUT naming "atMost" for a bound out of range.
 */
import fc from "fast-check";
import { MAX_COUNT_BOUND } from "../../src/resolvers/bounded-count.resolver";
import { engines } from "../helpers/databases";
import { startTestServer, TestServer } from "../helpers/test-server";

const RUNS = Number(process.env.FC_RUNS ?? 60);

/** Words of the seed corpus, common and rare. */
const WORDS = ["moscow", "syria", "army", "palmyra", "metro", "station", "arctic", "russia", "time", "new", "the", "daesh", "crew"];

const term = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.constantFrom(...WORDS).map((w) => `${w.slice(0, 3)}*`),
  fc.constantFrom(...WORDS).map((w) => `-${w}`),
  fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...WORDS)).map(([a, b]) => `"${a} ${b}"`),
);
/** A query with at least one word that is not excluded, so none is BAD_USER_INPUT. */
const searchQuery = fc.tuple(fc.constantFrom(...WORDS), fc.array(term, { maxLength: 2 })).map(([first, rest]) => [first, ...rest].join(" "));

const COUNTS = `
  query($q: String!, $scope: [SearchScope!], $section: String, $atMost: Int!) {
    search(query: $q, scope: $scope, where: { section: $section }, first: 1) { totalCount boundedCount(atMost: $atMost) { count isExact } }
    newest: articles(where: { search: $q, section: $section }, first: 1) { totalCount boundedCount(atMost: $atMost) { count isExact } }
    ranked: articles(where: { search: $q, section: $section }, orderBy: RELEVANCE, first: 1) {
      totalCount boundedCount(atMost: $atMost) { count isExact }
    }
  }`;

const LISTS = `
  query($section: String, $tag: String!, $atMost: Int!) {
    all: articles(first: 1) { totalCount boundedCount(atMost: $atMost) { count isExact } }
    inSection: articles(where: { section: $section }, first: 1) { totalCount boundedCount(atMost: $atMost) { count isExact } }
    tag(slug: $tag) { articles(first: 1) { totalCount boundedCount(atMost: $atMost) { count isExact } } }
  }`;

type Counted = { totalCount: number; boundedCount: { count: number; isExact: boolean } };

/** What boundedCount must say of a list whose totalCount is `total`. */
function expectBounded(list: Counted, atMost: number): void {
  expect(list.boundedCount).toEqual({ count: Math.min(list.totalCount, atMost), isExact: list.totalCount <= atMost });
}

describe.each(engines)("boundedCount on %s", (engine) => {
  let t: TestServer;
  let sections: string[];
  let tags: string[];
  beforeAll(async () => {
    t = await startTestServer(engine);
    const seen = await t.gql(`{ articles(first: 100) { nodes { section tags { slug } } } }`);
    const nodes = seen.data!.articles.nodes as { section: string | null; tags: { slug: string }[] }[];
    sections = [...new Set(nodes.map((n) => n.section).filter((s): s is string => s !== null))];
    tags = [...new Set(nodes.flatMap((n) => n.tags.map((tag) => tag.slug)))];
  });
  afterAll(() => t.close());

  it("is totalCount up to the bound, and the bound with isExact false past it, for any search", async () => {
    let past = 0;
    let within = 0;
    await fc.assert(
      fc.asyncProperty(
        searchQuery,
        fc.subarray(["ARTICLES", "COMMENTS"], { minLength: 1 }),
        fc.option(fc.constantFrom(...sections), { nil: null }),
        fc.integer({ min: 1, max: 40 }),
        async (q, scope, section, atMost) => {
          const result = await t.gql(COUNTS, { q, scope, section, atMost });
          expect(result.errors).toBeUndefined();
          for (const list of [result.data!.search, result.data!.newest, result.data!.ranked] as Counted[]) {
            expectBounded(list, atMost);
            if (list.totalCount > atMost) past += 1;
            else within += 1;
          }
        },
      ),
      { numRuns: RUNS, examples: [["the", ["ARTICLES", "COMMENTS"], null, 1]] },
    );
    // Both sides of the bound were tried.
    expect(past).toBeGreaterThan(0);
    expect(within).toBeGreaterThan(0);
  });

  it("agrees with totalCount on lists counted otherwise: every article, a section, a tag's articles", async () => {
    const { totalCount } = (await t.gql(`{ articles { totalCount } }`)).data!.articles;
    for (const atMost of [1, totalCount - 1, totalCount, totalCount + 1, MAX_COUNT_BOUND]) {
      if (atMost < 1) continue;
      for (const section of sections) {
        const result = await t.gql(LISTS, { section, tag: tags[0], atMost });
        expect(result.errors).toBeUndefined();
        for (const list of [result.data!.all, result.data!.inSection, result.data!.tag.articles] as Counted[]) expectBounded(list, atMost);
      }
    }
  });

  it("counts to 1,000 when no bound is given", async () => {
    const result = await t.gql(`{ search(query: "syria") { totalCount boundedCount { count isExact } } }`);
    expect(result.errors).toBeUndefined();
    expectBounded(result.data!.search, 1_000);
    expect(result.data!.search.totalCount).toBeGreaterThan(0);
    // The seeds match fewer than any bound would stop at: the bound itself is the schema's default.
    for (const type of ["SearchConnection", "ArticleConnection"]) {
      const schema = await t.gql(`query($type: String!) { __type(name: $type) { fields { name args { name defaultValue } } } }`, { type });
      const field = schema.data!.__type.fields.find((f: { name: string }) => f.name === "boundedCount");
      expect(field.args).toEqual([{ name: "atMost", defaultValue: "1000" }]);
    }
  });

  it.each([0, -1, MAX_COUNT_BOUND + 1, 2 ** 31 - 1])("refuses atMost: %d as BAD_USER_INPUT naming it", async (atMost) => {
    const result = await t.gql(`query($atMost: Int!) { search(query: "syria") { boundedCount(atMost: $atMost) { count } } }`, { atMost });
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.argumentName, e.message])).toEqual([
      ["BAD_USER_INPUT", "atMost", `"atMost" must be between 1 and ${MAX_COUNT_BOUND}, got ${atMost}`],
    ]);
  });

  it("refuses a null or non-integer atMost before any resolver runs", async () => {
    for (const atMost of [null, 1.5, "10"]) {
      const result = await t.gql(`query($atMost: Int!) { articles { boundedCount(atMost: $atMost) { count } } }`, { atMost });
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    }
  });
});
