import { startTestServer, TestServer } from "../helpers/test-server";
import { MAX_DEPTH } from "../../src/schema/limits";
import { DEEP_QUERY } from "../../scripts/deep-query";

describe("query limits", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
  });
  afterAll(() => t.close());

  it("lets the README's deep query through", async () => {
    const result = await t.gql(DEEP_QUERY, { first: 50 });
    expect(result.errors).toBeUndefined();
  });

  it("refuses a query nested deeper than the limit, before any resolver runs", async () => {
    let query = "id";
    for (let i = 0; i < MAX_DEPTH; i++) query = `replies { nodes { ${query} } }`;
    const result = await t.gql(`{ comment(id: "x") { ${query} } }`);
    expect(result.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(result.errors?.[0].message).toContain(`maximum query depth is ${MAX_DEPTH}`);
    expect(result.extensions?.sqlQueries).toBe(0);
  });

  it("counts fields only: a fragment spread or an inline fragment adds no level of depth", async () => {
    // comment, five replies { nodes } pairs through five named fragments each wrapped in an inline
    // fragment, then the leaf: 12 levels of fields with `id`, 13 with `parent { id }`.
    const nested = (leaf: string) => {
      const fragments: string[] = [];
      for (let i = 1; i <= 5; i++) {
        fragments.push(`fragment R${i} on Comment { ... on Comment { replies(first: 2) { nodes { ${i < 5 ? `...R${i + 1}` : leaf} } } } }`);
      }
      return `query Nested { comment(id: "x") { ...R1 } } ${fragments.join(" ")}`;
    };
    const atLimit = await t.gql(nested("id"));
    expect(atLimit.errors).toBeUndefined();
    expect(atLimit.data).toEqual({ comment: null });
    const over = await t.gql(nested("parent { id }"));
    expect(over.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(over.errors?.[0].message).toBe(`the query is nested 13 levels deep: the maximum query depth is ${MAX_DEPTH}`);
  });

  it("refuses a query whose cost is over budget, counting variables", async () => {
    const query = `query($n: Int) { articles(first: $n) { nodes { comments(first: $n) { nodes { replies(first: $n) { nodes { body } } } } } } }`;
    const result = await t.gql(query, { n: 100 });
    expect(result.errors?.[0].extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", maxCost: 50000 });
    expect(result.errors?.[0].message).toMatch(/^query cost \d+ exceeds the limit of 50000/);
    expect(result.extensions?.sqlQueries).toBe(0);
    const small = await t.gql(query, { n: 5 });
    expect(small.errors).toBeUndefined();
  });
});
