/**
 * Compression over real HTTP, on each engine: brotli or gzip as the client's Accept-Encoding
 * asks, for the app's built files (compressed at build time), its HTML page, GraphQL answers on
 * both methods and the crawler files; nothing for a client that asks for nothing; and the decoded
 * bytes are the plain ones.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { engines } from "../helpers/databases";
import { WEB_ROOT } from "../helpers/browser";
import { rawRequest, RawResponse } from "../helpers/raw-http";
import { listen } from "../helpers/subscriptions";
import { startTestServer, TestServer } from "../helpers/test-server";

/** Enough text for an answer well above the 1 KB below which nothing is compressed. */
const QUERY = `{ articles(first: 8) { nodes { title slug paragraphs tags { name } } } }`;

/** Requests of one resource, each as a client with that Accept-Encoding would send it. */
type Fetch = (acceptEncoding: string | null) => Promise<RawResponse>;

const varies = (response: RawResponse) =>
  String(response.headers.vary ?? "")
    .toLowerCase()
    .split(/,\s*/)
    .includes("accept-encoding");

/** br and gzip when asked, none when not asked or refused, and the same bytes every way. */
async function expectNegotiated(fetch: Fetch): Promise<void> {
  const plain = await fetch(null);
  expect(plain.status).toBe(200);
  expect(plain.headers["content-encoding"]).toBeUndefined();
  expect(plain.raw.length).toBeGreaterThan(1024);
  expect(varies(plain)).toBe(true);
  for (const [accept, expected] of [
    ["br", "br"],
    ["gzip", "gzip"],
    ["gzip, deflate, br", "br"],
    ["br;q=0.5, gzip", "gzip"],
    ["*", "br"],
  ] as const) {
    const response = await fetch(accept);
    expect([accept, response.headers["content-encoding"]]).toEqual([accept, expected]);
    expect(varies(response)).toBe(true);
    expect(response.raw.length).toBeLessThan(plain.raw.length);
    expect(response.body.equals(plain.body)).toBe(true);
  }
  for (const accept of ["identity", "br;q=0, gzip;q=0", "deflate"]) {
    const response = await fetch(accept);
    expect([accept, response.headers["content-encoding"]]).toEqual([accept, undefined]);
    expect(response.raw.equals(plain.raw)).toBe(true);
  }
}

const withEncoding = (acceptEncoding: string | null, headers: Record<string, string> = {}) =>
  acceptEncoding === null ? headers : { ...headers, "accept-encoding": acceptEncoding };

describe.each(engines)("compression (%s)", (engine) => {
  let t: TestServer;
  let base: string;

  beforeAll(async () => {
    // Production: answers carry no per-request statement tally, so two answers are the same bytes.
    t = await startTestServer(engine, { webRoot: WEB_ROOT, production: true });
    base = `http://${await listen(t.server.httpServer)}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("sends the app's script as compressed at build time, cached for a year", async () => {
    const html = readFileSync(join(WEB_ROOT, "index.html"), "utf8");
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    await expectNegotiated((accept) => rawRequest(`${base}${script}`, { headers: withEncoding(accept) }));
    const br = await rawRequest(`${base}${script}`, { headers: { "accept-encoding": "br" } });
    expect(br.raw.equals(readFileSync(join(WEB_ROOT, `${script}.br`)))).toBe(true);
    expect(br.headers["content-type"]).toMatch(/^text\/javascript|^application\/javascript/);
    expect(br.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const plain = await rawRequest(`${base}${script}`);
    expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("compresses the app's HTML page", async () => {
    await expectNegotiated((accept) => rawRequest(`${base}/`, { headers: withEncoding(accept) }));
  });

  it("compresses GraphQL answers to GET", async () => {
    const url = `${base}/graphql?query=${encodeURIComponent(QUERY)}`;
    await expectNegotiated((accept) => rawRequest(url, { headers: withEncoding(accept, { "apollo-require-preflight": "true" }) }));
  });

  it("compresses GraphQL answers to POST", async () => {
    const body = JSON.stringify({ query: QUERY });
    await expectNegotiated((accept) =>
      rawRequest(`${base}/graphql`, { method: "POST", body, headers: withEncoding(accept, { "content-type": "application/json" }) }),
    );
  });

  it("compresses the sitemap, streamed, and the feeds", async () => {
    await expectNegotiated((accept) => rawRequest(`${base}/sitemap.xml`, { headers: withEncoding(accept) }));
    await expectNegotiated((accept) => rawRequest(`${base}/feed.xml`, { headers: withEncoding(accept) }));
  });

  it("leaves an answer below 1 KB as it is", async () => {
    const response = await rawRequest(`${base}/robots.txt`, { headers: { "accept-encoding": "br, gzip" } });
    expect(response.status).toBe(200);
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(varies(response)).toBe(true);
  });
});
