/**
 * The reader app's development sign-in over real HTTP: the reader tokens it hands out are the ones
 * the API accepts, it refuses what a page elsewhere could send, and it does not exist in
 * production, without a JWT secret, or with one the operator supplied (JWT_SECRET).
 */
import { decodeJwt } from "jose";
import { AppServer, startAppServer } from "../helpers/browser";
import { engines } from "../helpers/databases";
import { TEST_TOKEN } from "../helpers/test-server";
import { DEV_READER_TOKEN_PATH, DEV_READER_TOKEN_SECONDS } from "../../src/http/dev-sign-in.routes";

async function askToken(t: AppServer, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.base}${DEV_READER_TOKEN_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, cacheControl: response.headers.get("cache-control"), body: text.startsWith("{") ? JSON.parse(text) : text };
}

async function viewerWith(t: AppServer, token: string) {
  const response = await fetch(`${t.base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "{ viewer { name role canModerate author { id name } } }" }),
  });
  return ((await response.json()) as { data: { viewer: Record<string, unknown> } }).data.viewer;
}

async function readerMeta(t: AppServer): Promise<string | undefined> {
  const html = await (await fetch(`${t.base}/`)).text();
  return /<meta name="threadline-reader-sign-in" content="([^"]*)" \/>/.exec(html)?.[1];
}

describe.each(engines)("development reader sign-in (%s)", (engine) => {
  let t: AppServer;
  beforeAll(async () => {
    t = await startAppServer(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("signs a short-lived reader token that the API accepts, for the name and role asked", async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await askToken(t, { name: "  Dev Dora  " });
    expect(answer.status).toBe(200);
    expect(answer.cacheControl).toBe("no-store");
    expect(answer.body).toEqual({
      token: expect.any(String),
      expiresAt: expect.any(String),
      reader: { sub: "dev:dev dora", name: "Dev Dora", role: "COMMENTER" },
    });
    const claims = decodeJwt(answer.body.token);
    expect(claims).toMatchObject({ sub: "dev:dev dora", name: "Dev Dora", role: "commenter" });
    expect(claims.exp! - claims.iat!).toBe(DEV_READER_TOKEN_SECONDS);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(new Date(answer.body.expiresAt).getTime()).toBe(claims.exp! * 1000);

    const viewer = await viewerWith(t, answer.body.token);
    expect(viewer).toMatchObject({ name: "Dev Dora", role: "COMMENTER", canModerate: false });

    // The same name is the same reader (one author); another name is another reader.
    const again = await askToken(t, { name: "Dev Dora", role: "moderator" });
    expect(await viewerWith(t, again.body.token)).toMatchObject({ role: "MODERATOR", canModerate: true });
    const other = await askToken(t, { name: "Dev Otto" });
    expect(other.body.reader.sub).toBe("dev:dev otto");
    const posted = async (token: string) => {
      const response = await fetch(`${t.base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { comment { author { id name } } } }`,
          variables: { articleId: (await t.data(`{ articles(first: 1) { nodes { id } } }`)).articles.nodes[0].id, body: `Hello from ${token.slice(-8)}` },
        }),
      });
      return ((await response.json()) as { data: { addComment: { comment: { author: { id: string; name: string } } } } }).data.addComment.comment.author;
    };
    const [dora1, dora2, otto] = [await posted(answer.body.token), await posted(again.body.token), await posted(other.body.token)];
    expect(dora1).toEqual(dora2);
    expect(otto.id).not.toBe(dora1.id);
    expect(otto.name).toBe("Dev Otto");
  });

  it.each([
    [{}, 400, "name: give the display name to sign in as"],
    [{ name: "   " }, 400, "name: give the display name to sign in as"],
    [{ name: 42 }, 400, "name: give the display name to sign in as"],
    [{ name: "Ann", role: "admin" }, 400, `role: expected "commenter" or "moderator", got "admin"`],
    [{ name: "x".repeat(81) }, 400, "name is 81 characters long; the limit is 80"],
    [{ name: "two\nlines" }, 400, "name must be a single line of text"],
    ["[1, 2]", 400, "name: give the display name to sign in as"],
  ])("refuses %j with %i and says why", async (body, status, message) => {
    const answer = await askToken(t, body);
    expect(answer).toMatchObject({ status, body: { error: message } });
  });

  it("refuses what a page elsewhere could send: a form post, or another origin", async () => {
    const form = await fetch(`${t.base}${DEV_READER_TOKEN_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=Mallory&role=moderator",
    });
    expect(form.status).toBe(415);
    expect(await askToken(t, { name: "Mallory", role: "moderator" }, { origin: "https://evil.example" })).toMatchObject({
      status: 403,
      body: { error: "development sign-in is for pages of this server only" },
    });
    expect(await askToken(t, { name: "Same Origin" }, { origin: t.base })).toMatchObject({ status: 200 });
    // No CORS grant: a browser elsewhere may not even ask.
    const preflight = await fetch(`${t.base}${DEV_READER_TOKEN_PATH}`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("tells the app where to sign in", async () => {
    expect(await readerMeta(t)).toBe(DEV_READER_TOKEN_PATH);
  });
});

describe("development reader sign-in where it must not exist", () => {
  it.each([
    ["in production", { production: true }],
    ["without a JWT secret", { config: { jwtSecret: null } }],
    // The operator set JWT_SECRET and forgot NODE_ENV: the host site's secret must sign nothing here.
    ["with a JWT_SECRET the operator supplied, outside production", { suppliedJwtSecret: true }],
  ])("is absent %s", async (_where, options) => {
    const t = await startAppServer("sqlite", options);
    try {
      const answer = await askToken(t, { name: "Ann", role: "moderator" });
      expect(answer.status).toBe(404);
      expect(await readerMeta(t)).toBe("off");
      // The service token still writes; the sign-in's absence takes nothing else away.
      expect((await t.data(`{ viewer { role } }`, {}, { token: TEST_TOKEN })).viewer.role).toBe("SERVICE");
    } finally {
      await t.close();
    }
  });
});
