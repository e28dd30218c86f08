/**
 * POST /graphql with a JSON body is served on node's http request straight to Apollo
 * (src/http/graphql-post.ts); everything else goes through express. Over real HTTP: the direct
 * path answers what express's path answers, reads and refuses bodies as express.json() did, and
 * sends the same CORS headers.
 */
import { gzipSync } from "node:zlib";
import { engines } from "../helpers/databases";
import { itOnFastPath } from "../helpers/executor";
import { graphqlUrl, startTestServer, TestServer } from "../helpers/test-server";

/** A response body as the tests read it. */

const json = (response: Response): Promise<any> => response.json();

const QUERY = `query Titles { articles(first: 3) { totalCount nodes { title tags { slug } } } }`;

describe.each(engines)("POST /graphql on %s", (engine) => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { production: true });
    url = await graphqlUrl(t);
  });
  afterAll(() => t.close());

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  itOnFastPath("answers as the express path answers the same operation (a GET), with the same CORS header", async () => {
    const throughExpress = jest.spyOn(t.server.app as unknown as { handle: () => void }, "handle");
    const direct = await post(JSON.stringify({ query: QUERY }), { origin: "https://news.example" });
    expect(throughExpress).not.toHaveBeenCalled();
    const viaExpress = await fetch(`${url}?query=${encodeURIComponent(QUERY)}`, {
      headers: { "apollo-require-preflight": "true", origin: "https://news.example" },
    });
    expect(throughExpress).toHaveBeenCalledTimes(1);
    throughExpress.mockRestore();
    expect(direct.status).toBe(200);
    expect(viaExpress.status).toBe(200);
    const [directBody, expressBody] = [await direct.text(), await viaExpress.text()];
    expect(directBody).toBe(expressBody);
    expect(JSON.parse(directBody).data.articles.nodes).toHaveLength(3);
    expect(direct.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(direct.headers.get("content-length")).toBe(String(Buffer.byteLength(directBody)));
    expect(direct.headers.get("access-control-allow-origin")).toBe("*");
    expect(viaExpress.headers.get("access-control-allow-origin")).toBe("*");
    expect(direct.headers.get("x-powered-by")).toBeNull();
    expect(viaExpress.headers.get("x-powered-by")).toBeNull();
  });

  it("takes a charset parameter and a gzip-compressed body, as express.json() did", async () => {
    const expected = await json(await post(JSON.stringify({ query: QUERY })));
    const withCharset = await post(JSON.stringify({ query: QUERY }), { "content-type": "application/json; charset=utf-8" });
    expect(await json(withCharset)).toEqual(expected);
    const compressed = await post(gzipSync(JSON.stringify({ query: QUERY })), { "content-encoding": "gzip" });
    expect(compressed.status).toBe(200);
    expect(await json(compressed)).toEqual(expected);
  });

  it("refuses a body that is not JSON, too large, or in another charset, with BAD_REQUEST and the reason", async () => {
    const broken = await post(`{"query": "{ articles { totalCount } }"`);
    expect(broken.status).toBe(400);
    expect((await json(broken)).errors).toEqual([{ message: expect.stringMatching(/^request body is not valid JSON: /), extensions: { code: "BAD_REQUEST" } }]);
    const large = await post(JSON.stringify({ query: QUERY, variables: { padding: "x".repeat(3 * 1024 * 1024) } }));
    expect(large.status).toBe(413);
    expect((await json(large)).errors).toEqual([{ message: "request body is larger than 2mb", extensions: { code: "BAD_REQUEST" } }]);
    const latin1 = await post(JSON.stringify({ query: QUERY }), { "content-type": "application/json; charset=latin1" });
    expect(latin1.status).toBe(415);
    expect((await json(latin1)).errors).toEqual([{ message: 'request body refused: unsupported charset "LATIN1"', extensions: { code: "BAD_REQUEST" } }]);
  });

  it("leaves other content types to express and Apollo, which refuse them as before", async () => {
    const text = await post(JSON.stringify({ query: QUERY }), { "content-type": "text/plain" });
    expect(text.status).toBe(400);
    expect((await json(text)).errors[0].message).toMatch(/CSRF/);
  });

  it("answers a refused credential and a bad variable as Apollo does, with their HTTP status", async () => {
    const stranger = await post(JSON.stringify({ query: QUERY }), { authorization: "Bearer not-a-token" });
    expect(stranger.status).toBe(401);
    expect((await json(stranger)).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const badVariable = await post(JSON.stringify({ query: `query($n: Int) { articles(first: $n) { totalCount } }`, variables: { n: "ten" } }));
    expect(badVariable.status).toBe(400);
    expect((await json(badVariable)).errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("refuses a persisted query whose hash does not match its text as BAD_REQUEST, not as our fault", async () => {
    const wrongHash = "0".repeat(64);
    const response = await post(JSON.stringify({ query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: wrongHash } } }));
    expect(response.status).toBe(400);
    expect((await json(response)).errors).toEqual([{ message: "provided sha does not match query", extensions: { code: "BAD_REQUEST" } }]);
  });
});
