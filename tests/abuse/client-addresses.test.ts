/**
 * Where a client's address comes from (TRUST_PROXY: express's `trust proxy` rule, over HTTP and on
 * the WebSocket upgrade alike) and how addresses are grouped for every limit (addressKey: an
 * IPv6 /64 is one client, an IPv4-mapped address is its IPv4 one).
 */
import WebSocket from "ws";
import { addressKey } from "../../src/abuse/address-key";
import { DEFAULT_CLIENT_SETTINGS, NO_ABUSE_LIMITS } from "../../src/config";
import { GRAPHQL_PATH } from "../../src/server";
import { engines } from "../helpers/databases";
import { importUniqueArticle } from "../helpers/discussion";
import { POST, readerToken } from "../helpers/readers";
import { eventually, listen } from "../helpers/subscriptions";
import { startTestServer, TestServer } from "../helpers/test-server";

describe("addressKey", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002:0:0:0:1", "2001:db8:1:2::/64"],
    ["2001:db8:1:3::1", "2001:db8:1:3::/64"],
    ["::1", "::/64"],
    ["not an address", "not an address"],
  ])("counts %s as %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

/** Opens a graphql-ws socket that says it comes from `forwardedFor`; the upgrade's HTTP status when refused. */
function openSocket(host: string, forwardedFor: string): Promise<{ socket: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${host}${GRAPHQL_PATH}`, "graphql-transport-ws", { headers: { "x-forwarded-for": forwardedFor } });
    socket.once("open", () => resolve({ socket }));
    socket.once("unexpected-response", (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.once("error", reject);
  });
}

describe.each(engines)("client addresses behind a proxy on %s", (engine) => {
  /** Trusts the loopback proxy (TRUST_PROXY=loopback): the test client stands in for nginx. */
  let behindProxy: TestServer;
  /** No TRUST_PROXY: X-Forwarded-For is the client's own say-so, and ignored. */
  let direct: TestServer;
  const hosts = new Map<TestServer, string>();
  const articles = new Map<TestServer, string>();
  let readers = 0;

  const start = async (trustProxy: string[] | null) => {
    const t = await startTestServer(engine, {
      seed: false,
      config: { abuseLimits: { ...NO_ABUSE_LIMITS, addressPerMinute: 2 }, clients: { ...DEFAULT_CLIENT_SETTINGS, trustProxy, socketsPerAddress: 2 } },
    });
    hosts.set(t, await listen(t.server.httpServer));
    articles.set(t, await importUniqueArticle(t));
    return t;
  };
  beforeAll(async () => {
    behindProxy = await start(["loopback"]);
    direct = await start(null);
  });
  afterAll(async () => {
    await behindProxy?.close();
    await direct?.close();
  });

  /** A comment by a reader no other write used, over real HTTP, "forwarded for" the address given; the HTTP status. */
  async function write(t: TestServer, forwardedFor: string): Promise<number> {
    const token = await readerToken({ sub: `address-reader-${++readers}`, name: `Reader ${readers}` });
    const response = await fetch(`http://${hosts.get(t)}${GRAPHQL_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ query: POST, variables: { articleId: articles.get(t), body: `Comment ${readers}` } }),
    });
    await response.text();
    return response.status;
  }

  it("with TRUST_PROXY=loopback, gives two forwarded addresses separate write limits over HTTP", async () => {
    expect([await write(behindProxy, "198.51.100.1"), await write(behindProxy, "198.51.100.1"), await write(behindProxy, "198.51.100.1")]).toEqual([
      200, 200, 429,
    ]);
    expect([await write(behindProxy, "198.51.100.2"), await write(behindProxy, "198.51.100.2")]).toEqual([200, 200]);
  });

  it("groups IPv6 addresses by /64 and an IPv4-mapped address with its IPv4 one, for the HTTP write limit", async () => {
    expect([
      await write(behindProxy, "2001:db8:7:7::1"),
      await write(behindProxy, "2001:db8:7:7:abcd::2"),
      await write(behindProxy, "2001:db8:7:7::3"),
    ]).toEqual([200, 200, 429]);
    expect(await write(behindProxy, "2001:db8:7:8::1")).toBe(200);
    expect([await write(behindProxy, "198.51.100.9"), await write(behindProxy, "::ffff:198.51.100.9")]).toEqual([200, 200]);
    expect(await write(behindProxy, "::ffff:c633:6409")).toBe(429);
  });

  it("without TRUST_PROXY ignores X-Forwarded-For: every write counts against the TCP peer", async () => {
    expect([await write(direct, "198.51.100.1"), await write(direct, "198.51.100.2"), await write(direct, "198.51.100.3")]).toEqual([200, 200, 429]);
  });

  it("applies the same rule to the WebSocket upgrade: separate socket limits behind the proxy, one without it", async () => {
    const opened: WebSocket[] = [];
    const open = async (t: TestServer, forwardedFor: string) => {
      const result = await openSocket(hosts.get(t)!, forwardedFor);
      if ("socket" in result) opened.push(result.socket);
      return "socket" in result ? "open" : result.status;
    };
    try {
      expect([await open(behindProxy, "198.51.100.1"), await open(behindProxy, "198.51.100.1"), await open(behindProxy, "198.51.100.1")]).toEqual([
        "open",
        "open",
        429,
      ]);
      expect([await open(behindProxy, "198.51.100.2"), await open(behindProxy, "::ffff:198.51.100.2"), await open(behindProxy, "198.51.100.2")]).toEqual([
        "open",
        "open",
        429,
      ]);
      expect([await open(direct, "198.51.100.1"), await open(direct, "198.51.100.2"), await open(direct, "198.51.100.3")]).toEqual(["open", "open", 429]);
    } finally {
      for (const socket of opened) socket.terminate();
    }
    // Closed sockets give their places back.
    await eventually(async () => (await open(direct, "198.51.100.4")) === "open", "the direct server's places to be free");
    for (const socket of opened) socket.terminate();
  });
});
