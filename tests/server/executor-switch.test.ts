/**
 * GRAPHQL_EXECUTOR: `jit` runs the fast path (graphql-jit, the direct POST path), `graphql-js` the
 * card's stack alone, and the two answer the same bytes. CI runs the whole suite on both.
 */
import { engines } from "../helpers/databases";
import { graphqlUrl, startTestServer, TestServer } from "../helpers/test-server";

const DEEP = `query Deep($first: Int!) { articles(first: $first) { totalCount nodes { id title tags { name } comments(first: 5) { totalCount nodes { id body author { name } replies(first: 3) { nodes { id body } } } } } } }`;

async function answers(t: TestServer, runs: number): Promise<string[]> {
  const url = await graphqlUrl(t);
  const bodies: string[] = [];
  for (let i = 0; i < runs; i++) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: DEEP, variables: { first: 8 } }),
    });
    expect(response.status).toBe(200);
    bodies.push(await response.text());
  }
  return bodies;
}

describe.each(engines)("GRAPHQL_EXECUTOR on %s", (engine) => {
  it("compiles nothing with graphql-js, and answers what jit answers", async () => {
    const jit = await startTestServer(engine, { production: true, config: { graphqlExecutor: "jit" } });
    const plain = await startTestServer(engine, { production: true, config: { graphqlExecutor: "graphql-js" } });
    try {
      const fast = await answers(jit, 3);
      const card = await answers(plain, 3);
      expect(jit.server.operations.compilations).toBe(1);
      expect(plain.server.operations.compilations).toBe(0);
      expect(new Set([...fast, ...card]).size).toBe(1);
      expect(JSON.parse(card[0]).data.articles.nodes).toHaveLength(8);
    } finally {
      await jit.close();
      await plain.close();
    }
  });
});
