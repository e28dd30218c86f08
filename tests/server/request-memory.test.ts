/**
 * What a request keeps in memory, and for how long: HTTP operations take turns
 * (MAX_CONCURRENT_OPERATIONS, src/http/admission.ts; its behaviour over HTTP, by both methods, is
 * tests/server/admission.test.ts), and a finished request lets go of its loaders and its result
 * (releaseLoaders, releaseResult), which Apollo's gateway interface would otherwise keep
 * reachable for young-generation collections.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { Context, releaseLoaders } from "../../src/context";
import { Admission } from "../../src/http/admission";
import { engines } from "../helpers/databases";
import { graphqlUrl, startTestServer, TestServer } from "../helpers/test-server";

/** A promise with its resolve exposed, to hold an operation open. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("Admission: how many operations run at once", () => {
  it("runs at most `limit` at once and admits the waiting first come, first served", async () => {
    const admission = new Admission(2);
    const gates = Array.from({ length: 5 }, () => gate());
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      admission.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await g.opened;
        running -= 1;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(admission.queued).toBe(3);
    gates[1].open();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates.forEach((g) => g.open());
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(admission.queued).toBe(0);
  });

  it("frees the place of an operation that failed", async () => {
    const admission = new Admission(1);
    await expect(admission.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(admission.run(async () => "next")).resolves.toBe("next");
  });

  it("is full when `maxQueued` operations wait, and never with no bound or no limit", async () => {
    const admission = new Admission(1, 2);
    const g = gate();
    const runs = Array.from({ length: 3 }, () => admission.run(() => g.opened));
    await new Promise((r) => setImmediate(r));
    expect(admission.queued).toBe(2);
    expect(admission.full).toBe(true);
    g.open();
    await Promise.all(runs);
    expect(admission.full).toBe(false);

    const unbounded = new Admission(1, 0);
    const h = gate();
    const waiting = Array.from({ length: 50 }, () => unbounded.run(() => h.opened));
    await new Promise((r) => setImmediate(r));
    expect(unbounded.full).toBe(false);
    h.open();
    await Promise.all(waiting);
    expect(new Admission(0, 1).full).toBe(false);
  });

  it("counts a client's operations running or waiting, refuses the one beyond its share, and gives places back", async () => {
    const admission = new Admission(1, 0, 2);
    const g = gate();
    const mine = [admission.run(() => g.opened, "address:a"), admission.run(() => g.opened, "address:a")];
    await expect(admission.run(async () => "third", "address:a")).rejects.toMatchObject({ extensions: { code: "RATE_LIMITED", retryAfter: 1 } });
    // Another client, and the service token (no share), still wait their turn.
    const others = [admission.run(async () => "b", "address:b"), admission.run(async () => "service", null)];
    expect(admission.queued).toBe(3);
    g.open();
    await Promise.all(mine);
    expect(await Promise.all(others)).toEqual(["b", "service"]);
    await expect(admission.run(async () => "again", "address:a")).resolves.toBe("again");
  });

  it("refuses what waits and anything new once closed, and resolves when the running ones are done", async () => {
    const admission = new Admission(1);
    const g = gate();
    const running = admission.run(() => g.opened.then(() => "ran"));
    const waiting = admission.run(async () => "never");
    let closed = false;
    const closing = admission.close().then(() => (closed = true));
    await expect(waiting).rejects.toMatchObject({ message: "the server is shutting down; try again shortly", extensions: { code: "SERVICE_UNAVAILABLE" } });
    await expect(admission.run(async () => "late")).rejects.toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE" } });
    expect(closed).toBe(false);
    g.open();
    expect(await running).toBe("ran");
    await closing;
    expect(closed).toBe(true);
  });

  it("runs everything at once with limit 0", async () => {
    const admission = new Admission(0);
    const g = gate();
    let running = 0;
    const runs = Array.from({ length: 20 }, () => admission.run(async () => ((running += 1), await g.opened)));
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(20);
    expect(admission.queued).toBe(0);
    g.open();
    await Promise.all(runs);
  });
});

describe.each(engines)("over HTTP on %s, one operation at a time (MAX_CONCURRENT_OPERATIONS=1)", (engine) => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { production: true, config: { maxConcurrentOperations: 1 } });
    url = await graphqlUrl(t);
  });
  afterAll(() => t.close());

  it("answers every one of many parallel requests in full, running one operation at a time", async () => {
    // Counts the operations running at any moment, by POST (direct path, Apollo or the query lane) and GET (express).
    const operations = t.server.operations;
    const original = operations.execute.bind(operations);
    let running = 0;
    let most = 0;
    let runs = 0;
    const spy = jest.spyOn(operations, "execute").mockImplementation(async (request) => {
      running += 1;
      runs += 1;
      most = Math.max(most, running);
      try {
        return await original(request);
      } finally {
        running -= 1;
      }
    });
    const query = "query Titles($first: Int!) { articles(first: $first) { totalCount nodes { title } } }";
    const post = (first: number) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables: { first } }) }).then(
        async (res) => ({ status: res.status, body: (await res.json()) as any }),
      );
    const get = () =>
      fetch(`${url}?query=${encodeURIComponent("{ articles(first: 1) { nodes { title } } }")}`, { headers: { "apollo-require-preflight": "1" } }).then(
        async (res) => ({ status: res.status, body: (await res.json()) as any }),
      );
    const [posts, gets] = await Promise.all([Promise.all(Array.from({ length: 12 }, (_, i) => post((i % 3) + 1))), Promise.all([get(), get(), get()])]);
    spy.mockRestore();
    for (const [i, answer] of posts.entries()) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.articles.nodes).toHaveLength((i % 3) + 1);
      expect(answer.body.data.articles.totalCount).toBeGreaterThan(3);
    }
    for (const answer of gets) expect(answer.body.data.articles.nodes).toHaveLength(1);
    expect(runs).toBe(15);
    expect(most).toBe(1);
  });

  it("drops the context's loaders and empties the result's data once the answer is sent, and answers in full", async () => {
    // What Apollo's request context still holds after the response: its copy of our context, and the result.
    const held: { contextValue: Context; data: Record<string, unknown> | null | undefined }[] = [];
    const apollo = t.server.apollo as unknown as { internals: { plugins: ApolloServerPlugin<Context>[] } };
    apollo.internals.plugins.push({
      async requestDidStart() {
        return {
          async willSendResponse({ contextValue, response }) {
            if (response.body.kind === "single") held.push({ contextValue, data: response.body.singleResult.data });
          },
        };
      },
    });
    const query = "{ articles(first: 2) { nodes { title comments(first: 2) { nodes { body author { name } } } } } }";
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as { data: { articles: { nodes: { title: string; comments: { nodes: unknown[] } }[] } } };
    apollo.internals.plugins.pop();
    expect(body.data.articles.nodes).toHaveLength(2);
    expect(body.data.articles.nodes[0].comments.nodes.length).toBeGreaterThan(0);
    expect(held).toHaveLength(1);
    const [{ contextValue, data }] = held;
    // The answer was sent whole; what the request context holds is emptied.
    expect(data).toEqual({ articles: null });
    expect((contextValue as unknown as { made: unknown }).made).toBeNull();
    // Anything that asks for loaders later (work a resolver left running) gets new, empty ones.
    const later = contextValue.loaders;
    expect(later).toBeDefined();
    expect(contextValue.loaders).toBe(later);
  });

  it("gives Apollo's copy of a context loaders of its own, made when first asked for", async () => {
    const ctx = await t.server.context(undefined);
    expect((ctx as unknown as { made: unknown }).made).toBeNull();
    // As Apollo copies a context for each operation.
    const copy = Object.assign(Object.create(Object.getPrototypeOf(ctx)), ctx) as Context;
    const loaders = copy.loaders;
    expect(copy.loaders).toBe(loaders);
    expect(ctx.loaders).not.toBe(loaders);
    releaseLoaders(copy);
    expect(copy.loaders).not.toBe(loaders);
  });
});
