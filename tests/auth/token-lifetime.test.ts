/**
 * How long a reader's token may live (JWT_MAX_AGE_SECONDS) and how far its clock may be ahead of
 * ours: a token signed for a century, or issued a year from now, is refused with UNAUTHENTICATED
 * naming the problem, over GraphQL and HTTP (401).
 */
import { engines } from "../helpers/databases";
import { readerToken, testClock, VIEWER } from "../helpers/readers";
import { listen } from "../helpers/subscriptions";
import { startTestServer, TestServer } from "../helpers/test-server";
import { CLOCK_TOLERANCE_SECONDS } from "../../src/auth/verify-token";
import { GRAPHQL_PATH } from "../../src/server";

const HOUR = 3600;
const DAY = 86_400;
const YEAR = 365 * DAY;

describe.each(engines)("readers' token lifetime on %s", (engine) => {
  let t: TestServer;
  const time = testClock();
  const token = (claims: Parameters<typeof readerToken>[0]) => readerToken({ sub: "lifetime-reader", name: "Liv", ...claims }, { now: time.now() });
  const viewer = async (claims: Parameters<typeof readerToken>[0]) => t.gql(VIEWER, {}, { token: await token(claims) });

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, clock: time.clock, config: { jwtMaxAgeSeconds: DAY } });
  });
  afterAll(() => t.close());

  it("accepts a token that lives up to JWT_MAX_AGE_SECONDS, with iat or without", async () => {
    for (const claims of [{ expiresIn: DAY }, { expiresIn: HOUR, issuedIn: -HOUR }, { expiresIn: DAY, noIat: true }, { issuedIn: CLOCK_TOLERANCE_SECONDS }]) {
      const result = await viewer(claims);
      expect({ claims, errors: result.errors, viewer: result.data?.viewer?.name }).toEqual({ claims, errors: undefined, viewer: "Liv" });
    }
  });

  it.each([
    [
      "exp 100 years after iat",
      { expiresIn: 100 * YEAR },
      `the token lives ${100 * YEAR} seconds from its "iat" to its "exp"; this server accepts at most ${DAY} (JWT_MAX_AGE_SECONDS)`,
    ],
    [
      "exp a second more than the limit after iat",
      { expiresIn: DAY + 1 },
      `the token lives ${DAY + 1} seconds from its "iat" to its "exp"; this server accepts at most ${DAY} (JWT_MAX_AGE_SECONDS)`,
    ],
    [
      "no iat and exp 100 years ahead",
      { expiresIn: 100 * YEAR, noIat: true },
      `the token has no "iat" and expires ${100 * YEAR} seconds from now; this server accepts at most ${DAY} (JWT_MAX_AGE_SECONDS)`,
    ],
    ["iat a year ahead", { issuedIn: YEAR }, `the token's "iat" claim (2027-05-01T12:00:00.000Z) is in the future; check the host site's clock`],
    [
      "iat beyond the clock tolerance",
      { issuedIn: CLOCK_TOLERANCE_SECONDS + 1 },
      `the token's "iat" claim (2026-05-01T12:00:31.000Z) is in the future; check the host site's clock`,
    ],
    [
      "issued longer ago than the limit",
      { issuedIn: -2 * DAY, expiresIn: HOUR },
      `the token was issued more than ${DAY} seconds ago (JWT_MAX_AGE_SECONDS); ask the host site for a new one`,
    ],
  ])("refuses a token with %s", async (_label, claims, message) => {
    const result = await viewer(claims);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([expect.objectContaining({ message, extensions: expect.objectContaining({ code: "UNAUTHENTICATED" }) })]);
  });

  it("answers a token signed for a century with HTTP 401 over HTTP", async () => {
    const host = await listen(t.server.httpServer);
    const response = await fetch(`http://${host}${GRAPHQL_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await token({ expiresIn: 100 * YEAR })}` },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0].message).toMatch(/^the token lives \d+ seconds from its "iat"/);
  });

  it("takes a token up to the clock tolerance past its exp, and not after", async () => {
    expect((await viewer({ expiresIn: -CLOCK_TOLERANCE_SECONDS + 1 })).errors).toBeUndefined();
    expect((await viewer({ expiresIn: -CLOCK_TOLERANCE_SECONDS })).errors?.[0].message).toMatch(/^the token expired at /);
  });
});
