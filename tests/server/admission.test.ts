/**
 * Admission over HTTP (src/http/admission.ts): GET and POST take their turn the same way, so one
 * behaviour suite runs over both methods. A turn is given back once the answer is handed to node,
 * whether or not the client reads it; a response nobody drains closes its connection after
 * RESPONSE_DRAIN_SECONDS; one client has a bounded share of the queue (MAX_QUEUED_PER_CLIENT).
 */
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { connect, Socket } from "node:net";
import type { Client } from "graphql-ws";
import { commentAddedTopic } from "../../src/events/comment-events";
import { importArticle } from "../../src/ingest/import";
import { HEAVY_ANSWER_BYTES, weighRequest } from "../../src/http/admission";
import { HTTP_TIMEOUTS } from "../../src/http/http-timeouts";
import { engines } from "../helpers/databases";
import { rowId } from "../helpers/discussion";
import { generatedArticle } from "../helpers/fixtures";
import { readerToken } from "../helpers/readers";
import { observedLocalEvents, probe, wsClient } from "../helpers/subscriptions";
import { graphqlUrl, startTestServer, TestServer } from "../helpers/test-server";

type Method = "GET" | "POST";
const METHODS: Method[] = ["GET", "POST"];

/** How many articles with long paragraphs the heavy query reads, and how long their text is. */
const HEAVY_ARTICLES = 100;
const PARAGRAPH = "A long paragraph of a long story, written to make the answer large. ".repeat(8);
/** The reproduction's query: about 10 MB of answer, far more than the kernel's socket buffers hold. */
const HEAVY_QUERY = (name: string) =>
  `query ${name} { ${Array.from({ length: 25 }, (_, i) => `a${i}: articles(first: 100) { nodes { paragraphs } }`).join(" ")} }`;

interface Sent {
  name: string;
  method: Method;
  token?: string;
  signal?: AbortSignal;
}

/** An operation named `name` by `method`; `?client=name` lets the test find the request on the server. */
function send(url: string, { name, method, token, signal }: Sent, query = `query ${name} { articles(first: 1) { nodes { title } } }`): Promise<Response> {
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (method === "POST") {
    return fetch(`${url}?client=${name}`, {
      method,
      headers: { "content-type": "application/json", ...authorization },
      body: JSON.stringify({ query, operationName: name }),
      signal,
    });
  }
  const search = new URLSearchParams({ client: name, operationName: name, query });
  return fetch(`${url}?${search}`, { headers: { "apollo-require-preflight": "1", ...authorization }, signal });
}

/** The same request on a raw socket that never reads its answer (paused from the start). */
function sendWithoutReading(host: string, method: Method, name: string, query: string): Socket {
  const socket = connect({ host: host.split(":")[0], port: Number(host.split(":")[1]) });
  socket.pause();
  const head = `Host: ${host}\r\napollo-require-preflight: 1\r\n`;
  if (method === "GET") {
    const search = new URLSearchParams({ client: name, operationName: name, query });
    socket.write(`GET /graphql?${search} HTTP/1.1\r\n${head}\r\n`);
  } else {
    const body = JSON.stringify({ query, operationName: name });
    socket.write(`POST /graphql?client=${name} HTTP/1.1\r\n${head}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  return socket;
}

/** A promise with its resolve exposed. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * Watches the operations run over HTTP, by name, where every one runs (Apollo's executor and the
 * query lane both run them through `operations`): which ran, in order; `held` ones wait for
 * `release` before running.
 */
function watchOperations(t: TestServer, held: string[] = []) {
  const operations = t.server.operations;
  const original = operations.execute.bind(operations);
  const ran: string[] = [];
  const waiters: { name: string; wake: () => void }[] = [];
  const hold = gate();
  const spy = jest.spyOn(operations, "execute").mockImplementation(async (request) => {
    // The tests name every operation they send over HTTP; the ones they run in-process (t.data) have no name.
    if (request.operationName == null) return original(request);
    const name = request.operationName;
    ran.push(name);
    for (const waiter of waiters.filter((w) => w.name === name)) waiter.wake();
    if (held.includes(name)) await hold.opened;
    return original(request);
  });
  return {
    ran,
    /** Resolves once an operation of that name has started. */
    started: (name: string) => (ran.includes(name) ? Promise.resolve() : new Promise<void>((wake) => waiters.push({ name, wake }))),
    release: hold.open,
    restore() {
      hold.open();
      spy.mockRestore();
    },
  };
}

/** Resolves with the server's request whose URL carries `?client=name`, once it arrives. */
function serverRequest(t: TestServer, name: string): Promise<IncomingMessage> {
  return new Promise((resolve) => {
    const listener = (req: IncomingMessage) => {
      if (!new URLSearchParams((req.url ?? "").split("?")[1] ?? "").getAll("client").includes(name)) return;
      t.server.httpServer.off("request", listener);
      resolve(req);
    };
    t.server.httpServer.on("request", listener);
  });
}

const json = (response: Response): Promise<any> => response.json();

describe.each(engines)("admission over HTTP on %s", (engine) => {
  let t: TestServer;
  let url: string;
  let host: string;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestServer(engine, {
      production: true,
      config: { maxConcurrentOperations: 1, maxQueuedOperations: 3, maxQueuedPerClient: 2, responseDrainSeconds: 1 },
    });
    for (let i = 0; i < HEAVY_ARTICLES; i++) {
      await importArticle(t.db.dataSource, { ...generatedArticle(1000 + i, 0), paragraphs: Array.from({ length: 8 }, () => PARAGRAPH) });
    }
    url = await graphqlUrl(t);
    host = new URL(url).host;
    for (const sub of ["holder", "flooder", "victim", "q1", "q2", "q3", "q4"]) tokens[sub] = await readerToken({ sub, name: sub, role: "commenter" });
  });
  afterAll(() => t.close());

  it("weighs a POSTed text by its last answer: a large one makes it heavy, a small one leaves it light", async () => {
    // What is learnt is kept per process, by text: names of this engine's own.
    const [heavyName, lightName] = [`Weighed_${engine}`, `Light_${engine}`];
    const weight = (query: string, operationName: string) => weighRequest({ method: "POST", body: { query, operationName } } as never).heavy;
    expect(weight(HEAVY_QUERY(heavyName), heavyName)).toBe(false);
    const heavy = await send(url, { name: heavyName, method: "POST" }, HEAVY_QUERY(heavyName));
    expect((await heavy.text()).length).toBeGreaterThan(HEAVY_ANSWER_BYTES);
    expect(weight(HEAVY_QUERY(heavyName), heavyName)).toBe(true);
    const light = `query ${lightName} { articles(first: 1) { nodes { title } } }`;
    const answer = (await (await send(url, { name: lightName, method: "POST" }, light)).json()) as { data: { articles: { nodes: unknown[] } } };
    expect(answer.data.articles.nodes).toHaveLength(1);
    expect(weight(light, lightName)).toBe(false);
  });

  it("bounds how long node's http server waits for a request's head, its whole request, and an idle kept-alive connection", () => {
    const { httpServer } = t.server;
    expect([httpServer.headersTimeout, httpServer.requestTimeout, httpServer.keepAliveTimeout]).toEqual([
      HTTP_TIMEOUTS.headersMs,
      HTTP_TIMEOUTS.requestMs,
      HTTP_TIMEOUTS.keepAliveMs,
    ]);
  });

  describe.each(METHODS)("by %s", (method) => {
    it("gives its turn back once the answer is handed over, so clients that never read hold up nobody, and closes their connections", async () => {
      // The reproduction: with one operation at a time, two clients ask for about 10 MB each and never read it.
      const watch = watchOperations(t);
      const onServer = [serverRequest(t, "SlowOne"), serverRequest(t, "SlowTwo")];
      const slow = [sendWithoutReading(host, method, "SlowOne", HEAVY_QUERY("SlowOne")), sendWithoutReading(host, method, "SlowTwo", HEAVY_QUERY("SlowTwo"))];
      try {
        const requests = await Promise.all(onServer);
        const closed = requests.map((req) => (req.socket.destroyed ? Promise.resolve() : once(req.socket, "close")));
        await Promise.all([watch.started("SlowOne"), watch.started("SlowTwo")]);
        const other = await send(url, { name: "Other", method: "POST", token: tokens.victim }, "query Other { __typename }");
        expect(other.status).toBe(200);
        expect(await json(other)).toEqual({ data: { __typename: "Query" } });
        // Neither read its answer; the server closes each connection once RESPONSE_DRAIN_SECONDS have passed.
        await Promise.all(closed);
        expect(watch.ran).toEqual(["SlowOne", "SlowTwo", "Other"]);
        expect(t.server.admission.active).toBe(0);
      } finally {
        for (const socket of slow) socket.destroy();
        watch.restore();
      }
    });

    it("refuses an operation that finds the queue full with 503 and Retry-After, and answers the others", async () => {
      const watch = watchOperations(t, ["Holder"]);
      try {
        const holder = send(url, { name: "Holder", method, token: tokens.holder });
        await watch.started("Holder");
        const waiting = ["q1", "q2", "q3"].map((sub) => send(url, { name: `Waiting${sub}`, method, token: tokens[sub] }));
        while (t.server.admission.queued < 3) await new Promise((r) => setTimeout(r, 5));
        const refused = await send(url, { name: "Refused", method, token: tokens.q4 });
        expect(refused.status).toBe(503);
        expect(refused.headers.get("retry-after")).toBe("1");
        expect(await json(refused)).toEqual({
          errors: [
            {
              message: "the server is busy: its queue of operations waiting their turn is full (3); try again shortly",
              extensions: { code: "SERVICE_UNAVAILABLE", retryAfter: 1 },
            },
          ],
        });
        watch.release();
        for (const answer of await Promise.all([holder, ...waiting])) {
          expect(answer.status).toBe(200);
          expect((await json(answer)).data.articles.nodes).toHaveLength(1);
        }
        expect(watch.ran).not.toContain("Refused");
      } finally {
        watch.restore();
      }
    });

    it("does not run an operation whose client left while it waited its turn, and gives its place back", async () => {
      const watch = watchOperations(t, ["Holder"]);
      try {
        const holder = send(url, { name: "Holder", method, token: tokens.holder });
        await watch.started("Holder");
        const leaving = new AbortController();
        const arrived = serverRequest(t, "Left");
        const left = send(url, { name: "Left", method, token: tokens.q1, signal: leaving.signal }).catch((error: Error) => error.name);
        const req = await arrived;
        while (t.server.admission.queued < 1) await new Promise((r) => setTimeout(r, 5));
        const closed = once(req.socket, "close");
        leaving.abort();
        await closed;
        const stayed = send(url, { name: "Stayed", method, token: tokens.q2 });
        while (t.server.admission.queued < 2) await new Promise((r) => setTimeout(r, 5));
        watch.release();
        expect(await left).toBe("AbortError");
        for (const answer of await Promise.all([holder, stayed])) expect(answer.status).toBe(200);
        expect(watch.ran).toEqual(["Holder", "Stayed"]);
        // The left one's place in its client's share was given back too.
        const again = await Promise.all([send(url, { name: "AgainOne", method, token: tokens.q1 }), send(url, { name: "AgainTwo", method, token: tokens.q1 })]);
        expect(again.map((answer) => answer.status)).toEqual([200, 200]);
      } finally {
        watch.restore();
      }
    });

    it("runs a mutation in its own lane while reads fill theirs, running and waiting", async () => {
      const watch = watchOperations(t, ["Holder"]);
      try {
        const holder = send(url, { name: "Holder", method, token: tokens.holder });
        await watch.started("Holder");
        const waiting = ["q1", "q2", "q3"].map((sub) => send(url, { name: `Waiting${sub}`, method, token: tokens[sub] }));
        while (t.server.admission.queuedIn("read") < 3) await new Promise((r) => setTimeout(r, 5));
        // The read lane is full (one running, three waiting: a fourth read would be refused); the write goes ahead.
        const { articles } = await t.data(`{ articles(first: 1) { nodes { id } } }`);
        const written = await send(
          url,
          { name: "Write", method: "POST", token: tokens.victim },
          `mutation Write { addComment(articleId: "${articles.nodes[0].id}", body: "Not behind the reads") { comment { body } } }`,
        );
        expect(written.status).toBe(200);
        expect((await json(written)).data.addComment.comment.body).toBe("Not behind the reads");
        expect(watch.ran).toEqual(["Holder", "Write"]);
        expect(t.server.admission.queuedIn("read")).toBe(3);
        watch.release();
        for (const answer of await Promise.all([holder, ...waiting])) expect(answer.status).toBe(200);
      } finally {
        watch.restore();
      }
    });

    it("answers 429 with Retry-After to a client beyond its share (MAX_QUEUED_PER_CLIENT), and another client is still answered", async () => {
      const watch = watchOperations(t, ["Holder"]);
      try {
        const holder = send(url, { name: "Holder", method, token: tokens.holder });
        await watch.started("Holder");
        // An anonymous client is counted by its address; it may have two running or waiting.
        const admitted = [send(url, { name: "FloodOne", method }), send(url, { name: "FloodTwo", method })];
        while (t.server.admission.queued < 2) await new Promise((r) => setTimeout(r, 5));
        const refused = await Promise.all([send(url, { name: "FloodThree", method }), send(url, { name: "FloodFour", method })]);
        for (const answer of refused) {
          expect(answer.status).toBe(429);
          expect(answer.headers.get("retry-after")).toBe("1");
          expect((await json(answer)).errors).toEqual([
            {
              message: "too many operations of yours are running or waiting; the maximum is 2 at a time: wait for their answers, then try again",
              extensions: { code: "RATE_LIMITED", retryAfter: 1 },
            },
          ]);
        }
        // A signed-in reader is counted by their sub: the flood from this address leaves them their share.
        const victim = send(url, { name: "Victim", method, token: tokens.victim });
        while (t.server.admission.queued < 3) await new Promise((r) => setTimeout(r, 5));
        watch.release();
        for (const answer of await Promise.all([holder, ...admitted, victim])) expect(answer.status).toBe(200);
        expect(watch.ran).toEqual(["Holder", "FloodOne", "FloodTwo", "Victim"]);
      } finally {
        watch.restore();
      }
    });
  });
});

describe.each(engines)("admission over WebSocket on %s", (engine) => {
  let t: TestServer;
  let url: string;
  let host: string;
  let articleId: string;
  const events = observedLocalEvents();
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestServer(engine, { production: true, events: events.bus, config: { maxConcurrentOperations: 1, maxQueuedPerClient: 2 } });
    url = await graphqlUrl(t);
    host = new URL(url).host;
    for (const sub of ["holder", "flooder", "victim"]) tokens[sub] = await readerToken({ sub, name: sub, role: "commenter" });
    articleId = (await t.data(`{ articles(first: 1) { nodes { id } } }`)).articles.nodes[0].id;
  });
  afterAll(() => t.close());

  /** A query over a socket, resolved with its one result (or its error). */
  const wsQuery = (client: Client, query: string) => probe(client, query).next(20_000);

  it("runs queries and mutations in their turn and the client's share, and subscriptions outside them", async () => {
    const watch = watchOperations(t, ["Holder"]);
    const flooder = wsClient(host, { authorization: `Bearer ${tokens.flooder}` });
    const victim = wsClient(host, { authorization: `Bearer ${tokens.victim}` });
    try {
      const holder = send(url, { name: "Holder", method: "POST", token: tokens.holder });
      await watch.started("Holder");
      // Two of the flooder's queries wait their turn; a third is beyond its share.
      const waiting = [
        wsQuery(flooder, "query One { articles(first: 1) { totalCount } }"),
        wsQuery(flooder, "query Two { articles(first: 1) { totalCount } }"),
      ];
      while (t.server.admission.queued < 2) await new Promise((r) => setTimeout(r, 5));
      const refused = await wsQuery(flooder, "query Three { articles(first: 1) { totalCount } }");
      expect(refused).toEqual({
        kind: "next",
        result: {
          errors: [
            {
              message: "too many operations of yours are running or waiting; the maximum is 2 at a time: wait for their answers, then try again",
              extensions: { code: "RATE_LIMITED", retryAfter: 1 },
            },
          ],
        },
      });
      // A subscription starts at once, while the only turn is taken.
      probe(victim, `subscription($id: ID!) { commentAdded(articleId: $id) { id } }`, { id: articleId });
      await events.listening(commentAddedTopic(rowId(articleId)));
      expect(t.server.admission.queued).toBe(2);
      expect(t.server.admission.active).toBe(1);
      watch.release();
      expect((await holder).status).toBe(200);
      for (const outcome of await Promise.all(waiting)) {
        expect(outcome.kind).toBe("next");
        expect(outcome.kind === "next" && outcome.result.data?.articles.totalCount).toBeGreaterThan(0);
      }
    } finally {
      watch.restore();
      await flooder.dispose();
      await victim.dispose();
    }
  });

  it("runs a mutation over a socket in its own lane while a read holds the read lane's only turn", async () => {
    const watch = watchOperations(t, ["Holder"]);
    const victim = wsClient(host, { authorization: `Bearer ${tokens.victim}` });
    try {
      const holder = send(url, { name: "Holder", method: "POST", token: tokens.holder });
      await watch.started("Holder");
      const written = await wsQuery(
        victim,
        `mutation { addComment(articleId: "${articleId}", body: "Over the socket, not behind the read") { comment { body } } }`,
      );
      expect(written.kind === "next" && written.result.data?.addComment.comment.body).toBe("Over the socket, not behind the read");
      expect(t.server.admission.activeIn("read")).toBe(1);
      watch.release();
      expect((await holder).status).toBe(200);
    } finally {
      watch.restore();
      await victim.dispose();
    }
  });
});

describe.each(engines)("admission when the server stops on %s", (engine) => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { production: true, config: { maxConcurrentOperations: 1 } });
    url = await graphqlUrl(t);
  });
  afterAll(() => t.close());

  it("answers what still waits with 503, Retry-After and Connection: close, keeps answering 503 while the running one finishes, then closes", async () => {
    const watch = watchOperations(t, ["Holder"]);
    try {
      const holder = send(url, { name: "Holder", method: "POST" });
      await watch.started("Holder");
      const waiting = METHODS.map((method) => send(url, { name: `Waiting${method}`, method }));
      while (t.server.admission.queued < 2) await new Promise((r) => setTimeout(r, 5));
      const stopping = t.server.stop();
      const late = await send(url, { name: "Late", method: "POST" });
      for (const answer of [...(await Promise.all(waiting)), late]) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get("retry-after")).toBe("1");
        expect(answer.headers.get("connection")).toBe("close");
        expect(await json(answer)).toEqual({
          errors: [{ message: "the server is shutting down; try again shortly", extensions: { code: "SERVICE_UNAVAILABLE", retryAfter: 1 } }],
        });
      }
      expect((await fetch(url.replace("/graphql", "/health"))).status).toBe(503);
      watch.release();
      const finished = await holder;
      expect(finished.status).toBe(200);
      expect((await json(finished)).data.articles.nodes).toHaveLength(1);
      await stopping;
      expect(watch.ran).toEqual(["Holder"]);
      await expect(send(url, { name: "AfterStop", method: "POST" })).rejects.toThrow();
    } finally {
      watch.restore();
    }
  });
});
