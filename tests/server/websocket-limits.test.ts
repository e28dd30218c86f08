/**
 * Bounds on live connections: subscriptions per socket, sockets per client address, credentials
 * checked when the socket opens, and every listener released when a socket closes.
 */
import { setMaxListeners } from "node:events";
import { createPubSub } from "@graphql-yoga/subscription";
import type { PubSubEventTarget } from "@graphql-yoga/subscription";
import WebSocket from "ws";
import type { CommentEventMap } from "../../src/events/comment-events";
import { DEFAULT_CLIENT_SETTINGS } from "../../src/config";
import { SOCKET_LIMITS } from "../../src/schema/limits";
import { createServer, GRAPHQL_PATH, ThreadlineServer } from "../../src/server";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { eventually, listen, probe, wsClient } from "../helpers/subscriptions";
import { testConfig, TEST_TOKEN } from "../helpers/test-server";
import { importArticle } from "../../src/ingest/import";
import { generatedArticle } from "../helpers/fixtures";
import { toGlobalId } from "../../src/schema/global-id";

type Events = CommentEventMap;

/**
 * An in-process bus that counts the live listeners of subscriptions (the comment topics; not the
 * server's own standing ones, such as written keys and word lists); like the server's
 * (createLocalEvents), with no listener limit.
 */
function countingBus() {
  const target = new EventTarget();
  setMaxListeners(0, target);
  let listeners = 0;
  const counted = (type: string) => type.startsWith("commentAdded:") || type.startsWith("commentEvents:");
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  target.addEventListener = (type, listener, options) => {
    if (counted(type)) listeners += 1;
    add(type, listener, options);
  };
  target.removeEventListener = (type, listener, options) => {
    if (counted(type)) listeners -= 1;
    remove(type, listener, options);
  };
  return { bus: createPubSub<Events>({ eventTarget: target as unknown as PubSubEventTarget<Events> }), listeners: () => listeners };
}

/** A raw graphql-ws socket; resolves when open, or with the HTTP status that refused the upgrade. */
export function openSocket(host: string, headers: Record<string, string> = {}): Promise<{ socket: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${host}${GRAPHQL_PATH}`, "graphql-transport-ws", { headers });
    socket.once("open", () => resolve({ socket }));
    socket.once("unexpected-response", (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.once("error", reject);
  });
}

describe.each(engines)("WebSocket limits on %s", (engine) => {
  let db: TestDatabase;
  let server: ThreadlineServer;
  let host: string;
  let articleId: string;
  const events = countingBus();

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    articleId = toGlobalId("Article", (await importArticle(db.dataSource, generatedArticle(1))).articleId);
    server = await createServer(testConfig({ database: db.config, production: true }), db.dataSource, events.bus);
    host = await listen(server.httpServer);
  });
  afterAll(async () => {
    await server.stop();
    await db.close();
  });

  it(`takes ${SOCKET_LIMITS.subscriptionsPerSocket} subscriptions on one socket, refuses the next, and releases all on close`, async () => {
    const client = wsClient(host);
    const probes = Array.from({ length: SOCKET_LIMITS.subscriptionsPerSocket }, () =>
      probe(client, `subscription($id: ID!) { commentAdded(articleId: $id) { id } }`, { id: articleId }),
    );
    await eventually(async () => events.listeners() === SOCKET_LIMITS.subscriptionsPerSocket, "every subscription to listen");
    const refused = await probe(client, `subscription($id: ID!) { commentAdded(articleId: $id) { id } }`, { id: articleId }).next();
    expect(refused.kind).toBe("error");
    expect((refused as { error: { extensions: Record<string, unknown> }[] }).error[0].extensions).toMatchObject({
      code: "RATE_LIMITED",
      maxSubscriptions: SOCKET_LIMITS.subscriptionsPerSocket,
    });
    expect(probes).toHaveLength(SOCKET_LIMITS.subscriptionsPerSocket);
    await client.dispose();
    await eventually(async () => events.listeners() === 0, "every listener to be released");
  });

  it(`takes ${DEFAULT_CLIENT_SETTINGS.socketsPerAddress} sockets from one address and refuses the next with HTTP 429`, async () => {
    const opened: WebSocket[] = [];
    try {
      for (let i = 0; i < DEFAULT_CLIENT_SETTINGS.socketsPerAddress; i++) {
        const result = await openSocket(host);
        if (!("socket" in result)) throw new Error(`socket ${i + 1} was refused with ${result.status}`);
        opened.push(result.socket);
      }
      expect(await openSocket(host)).toEqual({ status: 429 });
      opened.pop()!.close();
      await eventually(async () => {
        const result = await openSocket(host);
        if ("socket" in result) opened.push(result.socket);
        return "socket" in result;
      }, "a closed socket's place to be free again");
    } finally {
      for (const socket of opened) socket.terminate();
    }
  });

  it("refuses a socket whose credential is wrong when it opens, and accepts the right one or none", async () => {
    const closed = await new Promise<number>((resolve) => {
      const client = wsClient(host, { authorization: "Bearer wrong-token" });
      client.on("closed", (event) => resolve((event as { code: number }).code));
      probe(client, `subscription($id: ID!) { commentAdded(articleId: $id) { id } }`, { id: articleId });
    });
    expect(closed).toBe(4403);

    for (const params of [{ authorization: `Bearer ${TEST_TOKEN}` }, undefined]) {
      const client = wsClient(host, params);
      const sub = probe(client, `subscription($id: ID!) { commentAdded(articleId: $id) { id } }`, { id: articleId });
      await eventually(async () => events.listeners() === 1, "the subscription to listen");
      sub.unsubscribe();
      await eventually(async () => events.listeners() === 0, "the listener to be released");
      await client.dispose();
    }
  });
});

describe.each(engines)("WebSocket limits per address, as configured, on %s", (engine) => {
  let db: TestDatabase;
  let server: ThreadlineServer;
  let host: string;
  let articleId: string;
  const events = countingBus();
  const SUBSCRIBE = `subscription($id: ID!) { commentAdded(articleId: $id) { id } }`;

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    articleId = toGlobalId("Article", (await importArticle(db.dataSource, generatedArticle(1))).articleId);
    const clients = { ...DEFAULT_CLIENT_SETTINGS, socketsPerAddress: 3, subscriptionsPerAddress: 3 };
    server = await createServer(testConfig({ database: db.config, clients }), db.dataSource, events.bus);
    host = await listen(server.httpServer);
  });
  afterAll(async () => {
    await server.stop();
    await db.close();
  });

  it("takes SOCKETS_PER_ADDRESS sockets from one address and refuses the next with HTTP 429", async () => {
    const opened: WebSocket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const result = await openSocket(host);
        if (!("socket" in result)) throw new Error(`socket ${i + 1} was refused with ${result.status}`);
        opened.push(result.socket);
      }
      expect(await openSocket(host)).toEqual({ status: 429 });
    } finally {
      for (const socket of opened) socket.terminate();
    }
    await eventually(async () => {
      const result = await openSocket(host);
      if ("socket" in result) result.socket.terminate();
      return "socket" in result;
    }, "the closed sockets' places to be free again");
  });

  it("counts SUBSCRIPTIONS_PER_ADDRESS over all of an address's sockets, refuses the excess clearly, and frees places as they end", async () => {
    const first = wsClient(host);
    const second = wsClient(host);
    try {
      const held = [probe(first, SUBSCRIBE, { id: articleId }), probe(first, SUBSCRIBE, { id: articleId }), probe(second, SUBSCRIBE, { id: articleId })];
      await eventually(async () => events.listeners() === 3, "three subscriptions to listen");
      const refused = await probe(second, SUBSCRIBE, { id: articleId }).next();
      expect(refused.kind).toBe("error");
      const [error] = (refused as { error: { message: string; extensions: Record<string, unknown> }[] }).error;
      expect(error.message).toBe("too many subscriptions from your address; the maximum is 3 over all its connections");
      expect(error.extensions).toEqual({ code: "RATE_LIMITED", maxSubscriptionsPerAddress: 3 });

      // An unsubscribed place is free again; so are those of a socket that closes.
      held[2].unsubscribe();
      await eventually(async () => events.listeners() === 2, "the subscription to end");
      probe(second, SUBSCRIBE, { id: articleId });
      await eventually(async () => events.listeners() === 3, "the new subscription to listen");
      await first.dispose();
      await eventually(async () => events.listeners() === 1, "the closed socket's subscriptions to end");
      const third = wsClient(host);
      try {
        probe(third, SUBSCRIBE, { id: articleId });
        probe(third, SUBSCRIBE, { id: articleId });
        await eventually(async () => events.listeners() === 3, "the freed places to be taken");
      } finally {
        await third.dispose();
      }
    } finally {
      await first.dispose();
      await second.dispose();
    }
    await eventually(async () => events.listeners() === 0, "every listener to be released");
  });
});
