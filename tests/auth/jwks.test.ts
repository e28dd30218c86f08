/**
 * RS256 and ES256 tokens checked against a key set served over HTTP (JWKS_URL), as an identity
 * provider serves it: a local server with freshly generated keys.
 */
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, KeyLike, SignJWT } from "jose";
import { engines } from "../helpers/databases";
import { VIEWER } from "../helpers/readers";
import { startTestServer, TestServer } from "../helpers/test-server";
import { captureConsole } from "../helpers/console";

interface SigningKey {
  alg: "RS256" | "ES256";
  kid: string;
  privateKey: KeyLike;
}

async function signingKey(alg: "RS256" | "ES256", kid: string): Promise<SigningKey & { jwk: Record<string, unknown> }> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

function sign(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid }).setSubject(String(claims.sub)).setExpirationTime("1h").sign(key.privateKey);
}

describe.each(engines)("readers' tokens against JWKS_URL on %s", (engine) => {
  let keyServer: Server;
  let t: TestServer;
  let rsa: SigningKey;
  let ec: SigningKey;
  let stranger: SigningKey;
  let fetches = 0;

  beforeAll(async () => {
    const [rsaKey, ecKey, strangerKey] = await Promise.all([signingKey("RS256", "rsa-1"), signingKey("ES256", "ec-1"), signingKey("RS256", "not-published")]);
    [rsa, ec, stranger] = [rsaKey, ecKey, strangerKey];
    keyServer = createServer((_req, res) => {
      fetches += 1;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [rsaKey.jwk, ecKey.jwk] }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, "127.0.0.1", resolve));
    const jwksUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    t = await startTestServer(engine, { seed: false, config: { jwksUrl } });
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => keyServer.close(() => resolve()));
  });

  it("accepts RS256 and ES256 tokens signed with a published key, fetching the key set once", async () => {
    const viaRsa = await t.data(VIEWER, {}, { token: await sign(rsa, { sub: "rsa-reader", name: "Rosa", role: "moderator" }) });
    expect(viaRsa.viewer).toEqual({ role: "MODERATOR", canModerate: true, name: "Rosa", author: null });
    const viaEc = await t.data(VIEWER, {}, { token: await sign(ec, { sub: "ec-reader", name: "Ed" }) });
    expect(viaEc.viewer).toEqual({ role: "COMMENTER", canModerate: false, name: "Ed", author: null });
    expect(fetches).toBe(1);
  });

  it("refuses a token signed with a key the set does not hold, or whose kid names another key", async () => {
    const unknown = await t.gql(VIEWER, {}, { token: await sign(stranger, { sub: "x" }) });
    expect(unknown.errors?.[0]).toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    expect(unknown.errors?.[0].message).toMatch(/no key in the key set at JWKS_URL matches/);
    const swapped = await t.gql(VIEWER, {}, { token: await sign({ ...stranger, kid: "rsa-1" }, { sub: "x" }) });
    expect(swapped.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(swapped.errors?.[0].message).toMatch(/signature does not verify/);
  });

  it("answers SERVICE_UNAVAILABLE when the key set cannot be fetched", async () => {
    const down = await startTestServer(engine, { seed: false, config: { jwksUrl: "http://127.0.0.1:9/jwks.json" } });
    const log = captureConsole("error");
    try {
      const result = await down.gql(VIEWER, {}, { token: await sign(rsa, { sub: "rsa-reader" }) });
      expect(result.errors?.[0].extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryAfter: 5 });
      // The operator is told why, in one line.
      expect(log.lines()).toEqual([expect.stringMatching(/^\[threadline\] JWKS_URL: connect ECONNREFUSED 127\.0\.0\.1:9$/)]);
    } finally {
      log.restore();
      await down.close();
    }
  });
});
