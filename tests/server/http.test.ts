import { AddressInfo, createServer as createNetServer } from "node:net";
import { graphqlUrl, startTestServer, TestServer } from "../helpers/test-server";
import { captureStderr } from "../helpers/console";

// Response bodies are checked field by field; `any` keeps those checks short.

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
    url = await graphqlUrl(t);
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

  it("answers a plain GET without a query with a short hint, and no stack trace", async () => {
    for (const accept of [undefined, "*/*", "application/json"]) {
      const response = await fetch(url, { headers: accept ? { accept } : {} });
      expect(response.status).toBe(400);
      const body = await json(response);
      expect(body).toEqual({ errors: [{ message: expect.stringContaining("This is Threadline's GraphQL endpoint."), extensions: { code: "BAD_REQUEST" } }] });
      expect(body.errors[0].message).toContain("/graphiql");
    }
  });

  it("carries a stack trace only on INTERNAL_SERVER_ERROR", async () => {
    const invalid = await json(await post(url, { query: "{ nope }" }));
    expect(invalid.errors[0].extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED" });
    const badInput = await json(await post(url, { query: "{ articles(first: 1000) { totalCount } }" }));
    expect(badInput.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", argumentName: "first" });
    const noQuery = await json(await post(url, {}));
    expect(noQuery.errors[0].extensions).toEqual({ code: "BAD_REQUEST" });
    const getWithQuery = await json(await fetch(`${url}?query=${encodeURIComponent("{ nope }")}`, { headers: { "apollo-require-preflight": "1" } }));
    expect(getWithQuery.errors[0].extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED" });
  });

  it("answers introspection outside production", async () => {
    const body = await json(await post(url, { query: "{ __schema { queryType { name } } }" }));
    expect(body.data.__schema.queryType.name).toBe("Query");
  });
});

describe("a port already in use", () => {
  it("is reported by listen alone, not logged again as a WebSocket internal error", async () => {
    const holder = createNetServer();
    await new Promise<void>((listening) => holder.listen(0, "127.0.0.1", listening));
    const t = await startTestServer("sqlite", { seed: false });
    const log = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const failed = new Promise<void>((resolve, reject) => {
        t.server.httpServer.once("error", reject);
        t.server.httpServer.listen((holder.address() as AddressInfo).port, "127.0.0.1", resolve);
      });
      await expect(failed).rejects.toMatchObject({ code: "EADDRINUSE" });
      await new Promise((settle) => setImmediate(settle));
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
      holder.close();
      await t.close();
    }
  });
});

describe("unexpected errors outside production", () => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
    url = await graphqlUrl(t);
  });
  afterAll(() => t.close());

  it("keep their message and carry the stack trace that finds the fault", async () => {
    const log = jest.spyOn(console, "error").mockImplementation(() => undefined);
    const databaseLog = captureStderr();
    await t.db.dataSource.query("DROP TABLE related_link");
    const body = await json(await post(url, { query: `{ articles(first: 1) { nodes { title relatedLinks { title } } } }` }));
    databaseLog.restore();
    log.mockRestore();
    expect(databaseLog.lines()).toContain("[db query-error] error: Error: SQLITE_ERROR: no such table: related_link");
    expect(body.errors[0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
    expect(body.errors[0].message).toContain("related_link");
    expect(body.errors[0].extensions.stacktrace.length).toBeGreaterThan(1);
  });
});

describe("production mode", () => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer("sqlite", { production: true });
    url = await graphqlUrl(t);
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

  it("answers a plain GET, from a browser too, with the hint and no explorer", async () => {
    const response = await fetch(url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.errors[0].message).toContain("This is Threadline's GraphQL endpoint.");
    expect(body.errors[0].message).not.toContain("graphiql");
  });

  it("keeps client errors readable without stack traces", async () => {
    const body = await json(await post(url, { query: `{ articles(first: 1000) { totalCount } }` }));
    expect(body.errors[0].message).toBe(`"first" must be between 0 and 100, got 1000`);
    expect(body.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", argumentName: "first" });
  });

  it("masks unexpected errors as INTERNAL_SERVER_ERROR and logs them in full", async () => {
    const log = jest.spyOn(console, "error").mockImplementation(() => undefined);
    const databaseLog = captureStderr();
    await t.db.dataSource.query("DROP TABLE related_link");
    const body = await json(await post(url, { query: `{ articles(first: 1) { nodes { title relatedLinks { title } } } }` }));
    databaseLog.restore();
    expect(databaseLog.lines()).toContain("[db query-error] error: Error: SQLITE_ERROR: no such table: related_link");
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
