/**
 * Display names as readers' tokens and the service token's authorName give them: invisible
 * characters (bidirectional controls, zero-width ones) are removed before the name is shown or
 * stored, and a claim that cannot be stored as sent (an unpaired surrogate) refuses the token
 * with 401, as the same text in an argument is refused.
 */
import { SignJWT } from "jose";
import { run, sql } from "../../src/db/sql";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId } from "../helpers/discussion";
import { postAs, readerToken, VIEWER } from "../helpers/readers";
import { listen } from "../helpers/subscriptions";
import { startTestServer, TEST_JWT_SECRET, TestServer } from "../helpers/test-server";
import { GRAPHQL_PATH } from "../../src/server";

/** A token whose claims JSON carries the text as given: JSON.stringify writes a lone surrogate as its \u escape. */
function tokenWithClaims(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

describe.each(engines)("readers' and commenters' names on %s", (engine) => {
  let t: TestServer;
  let articleId: string;
  let host: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    articleId = await importUniqueArticle(t);
    host = await listen(t.server.httpServer);
  });
  afterAll(() => t.close());

  async function storedName(authorId: string): Promise<string> {
    const [row] = await run<{ name: string }>(t.db.dataSource, sql`SELECT "name" FROM author WHERE "id" = ${rowId(authorId)}`);
    return row.name;
  }

  it("removes bidirectional controls and zero-width characters from a token's name", async () => {
    const token = await readerToken({ sub: "bidi-reader", name: "\u202EAnn\u200B\u2066e\u2069\uFEFF" });
    expect((await t.data(VIEWER, {}, { token })).viewer.name).toBe("Anne");
    const posted = await postAs(t, token, articleId, "Hello");
    expect(posted.author.name).toBe("Anne");
    expect(await storedName(posted.author.id)).toBe("Anne");
    // Nothing visible left: the reader's fallback name.
    expect((await t.data(VIEWER, {}, { token: await readerToken({ sub: "blank-reader", name: "\u200B\u202E " }) })).viewer.name).toBe("Reader");
  });

  it("removes them from the service token's authorName, and a name of nothing visible is anonymous", async () => {
    const desk = await postComment(t, articleId, "From the desk", { authorName: " \u200BNews\u200Ddesk\u202E " });
    expect(desk.author?.name).toBe("Newsdesk");
    expect(await storedName(desk.author!.id)).toBe("Newsdesk");
    expect((await postComment(t, articleId, "Nobody", { authorName: "\u200B\u200F" })).author).toBeNull();
  });

  it.each([
    ["name", { sub: "surrogate-reader", name: "Ann\uD800" }, `the token's "name" claim contains an unpaired UTF-16 surrogate, which cannot be stored`],
    ["sub", { sub: "reader-\uDC00", name: "Ann" }, `the token's "sub" claim contains an unpaired UTF-16 surrogate, which cannot be stored`],
  ])("refuses a token whose %s claim holds an unpaired surrogate with 401, naming the claim", async (_claim, claims, message) => {
    const response = await fetch(`http://${host}${GRAPHQL_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await tokenWithClaims(claims)}` },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors).toEqual([expect.objectContaining({ message, extensions: expect.objectContaining({ code: "UNAUTHENTICATED" }) })]);
  });
});
