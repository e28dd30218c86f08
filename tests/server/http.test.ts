import { AddressInfo } from "node:net";
import { startTestServer, TestServer } from "../helpers/test-server";

async function listen(t: TestServer): Promise<string> {
  await new Promise<void>((resolve) => t.server.httpServer.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(t.server.httpServer.address() as AddressInfo).port}/graphql`;
}

// Response bodies are checked field by field; `any` keeps those checks short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(response: Response): Promise<any> {
  return response.json();
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

describe("HTTP round trip through express (development)", () => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
    url = await listen(t);
  });
  afterAll(() => t.close());

  it("answers a query with data and extensions.sqlQueries", async () => {
    const response = await post(url, {
      query: `query($slug: String!) { article(slug: $slug) { title comments(first: 6) { nodes { author { name } } } } }`,
      variables: { slug: "china-could-join-russian-anti-daesh-campaign-in-syria-reports" },
    });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.data.article.title).toBe("China Could Join Russian Anti-Daesh Campaign in Syria - Reports");
    expect(body.data.article.comments.nodes[4].author.name).toBe("teddy j");
    expect(body.extensions.sqlQueries).toBeGreaterThanOrEqual(3);
    expect(body.extensions.sqlQueries).toBeLessThan(10);
  });

  it("serves Apollo Sandbox to a browser GET", async () => {
    const response = await fetch(url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<!DOCTYPE html>");
    expect(html.toLowerCase()).toContain("sandbox");
  });

  it("refuses a body over the size limit with a clear error", async () => {
    const response = await post(url, { query: "{ articles { totalCount } }", variables: { padding: "x".repeat(3 * 1024 * 1024) } });
    expect(response.status).toBe(413);
    const body = await json(response);
    expect(body.errors[0].message).toBe("request body is larger than 2mb");
  });

  it("answers introspection outside production", async () => {
    const body = await json(await post(url, { query: "{ __schema { queryType { name } } }" }));
    expect(body.data.__schema.queryType.name).toBe("Query");
  });
});

describe("production mode", () => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer("sqlite", { production: true });
    url = await listen(t);
  });
  afterAll(() => t.close());

  it("serves no Sandbox, no introspection and no sqlQueries extension", async () => {
    const page = await fetch(url, { headers: { accept: "text/html" } });
    expect((await page.text()).toLowerCase()).not.toContain("sandbox");
    const introspection = await json(await post(url, { query: "{ __schema { queryType { name } } }" }));
    expect(introspection.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const plain = await json(await post(url, { query: "{ articles(first: 1) { totalCount } }" }));
    expect(plain.data.articles.totalCount).toBeGreaterThan(0);
    expect(plain.extensions?.sqlQueries).toBeUndefined();
  });

  it("keeps client errors readable without stack traces", async () => {
    const body = await json(await post(url, { query: `{ articles(first: 1000) { totalCount } }` }));
    expect(body.errors[0].message).toBe(`"first" must be between 0 and 100, got 1000`);
    expect(body.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", argumentName: "first" });
  });

  it("masks unexpected errors as INTERNAL_SERVER_ERROR and logs them in full", async () => {
    const log = jest.spyOn(console, "error").mockImplementation(() => undefined);
    await t.db.dataSource.query("DROP TABLE related_link");
    const body = await json(await post(url, { query: `{ articles(first: 1) { nodes { title relatedLinks { title } } } }` }));
    expect(body.errors[0]).toEqual({
      message: "Internal server error",
      locations: [{ line: 1, column: 38 }],
      path: ["articles", "nodes", 0, "relatedLinks"],
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
    expect(String(log.mock.calls[0]?.[1])).toContain("related_link");
    log.mockRestore();
  });
});
