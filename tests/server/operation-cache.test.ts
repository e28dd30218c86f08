/**
 * What a repeated operation skips, over real HTTP and graphql-ws: parsing and validation once per
 * distinct document whichever transport brings it, a cost verdict only for the same variables,
 * and in production no statement tally (and so no AsyncLocalStorage) around requests.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as validation from "graphql/validation/validate";
import { createLocalEvents } from "../../src/events/comment-events";
import { createServer, ThreadlineServer } from "../../src/server";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { seedGenerated } from "../helpers/fixtures";
import { httpGql, listen, probe, wsClient } from "../helpers/subscriptions";
import { testConfig } from "../helpers/test-server";

const TITLES = `query Titles($n: Int) { articles(first: $n) { nodes { title } } }`;
const NESTED = `query Nested($n: Int) { articles(first: $n) { nodes { comments(first: $n) { nodes { replies(first: $n) { nodes { body } } } } } } }`;

describe.each(engines)("operation cache on %s", (engine) => {
  let db: TestDatabase;
  let server: ThreadlineServer;
  let host: string;
  let validate: jest.SpyInstance;

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    await seedGenerated(db.dataSource, 3, 1);
    server = await createServer(testConfig({ database: db.config, production: true }), db.dataSource, createLocalEvents());
    host = await listen(server.httpServer);
    validate = jest.spyOn(validation, "validate");
  });
  afterAll(async () => {
    validate.mockRestore();
    await server.stop();
    await db.close();
  });

  const overSocket = async (query: string, variables: Record<string, unknown>) => {
    const client = wsClient(host);
    try {
      return await probe(client, query, variables).next();
    } finally {
      await client.dispose();
    }
  };

  it("validates each distinct document once, whichever transport brings it first", async () => {
    validate.mockClear();
    const first = await httpGql(host, TITLES, { n: 2 });
    expect(first.data?.articles.nodes).toHaveLength(2);
    expect((await httpGql(host, TITLES, { n: 3 })).data?.articles.nodes).toHaveLength(3);
    expect(validate).toHaveBeenCalledTimes(1);

    const overWs = await overSocket(TITLES, { n: 1 });
    expect(overWs).toMatchObject({ kind: "next", result: { data: { articles: { nodes: [{ title: expect.any(String) }] } } } });
    expect(validate).toHaveBeenCalledTimes(1);

    // A text seen first over the socket is validated there, and HTTP takes it from the cache.
    const other = `${TITLES} # from a socket`;
    expect(await overSocket(other, { n: 1 })).toMatchObject({ kind: "next" });
    expect(validate).toHaveBeenCalledTimes(2);
    expect((await httpGql(host, other, { n: 1 })).data?.articles.nodes).toHaveLength(1);
    expect(validate).toHaveBeenCalledTimes(2);

    // A refused document is not kept: it is refused again, and validated again.
    const wrong = `{ articles { nodes { nope } } }`;
    expect((await httpGql(host, wrong)).errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect((await httpGql(host, wrong)).errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(validate).toHaveBeenCalledTimes(4);
  });

  it("reuses a passed cost check only with the same variables, on both transports", async () => {
    for (let round = 0; round < 2; round++) {
      expect((await httpGql(host, NESTED, { n: 5 })).errors).toBeUndefined();
      const refused = await httpGql(host, NESTED, { n: 100 });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", maxCost: 50000 });
      expect(await overSocket(NESTED, { n: 5 })).toMatchObject({ kind: "next" });
      const refusedOverWs = await overSocket(NESTED, { n: 100 });
      expect(refusedOverWs.kind).toBe("error");
      expect((refusedOverWs as { error: { extensions: Record<string, unknown> }[] }).error[0].extensions).toMatchObject({ maxCost: 50000 });
    }
  });

  it("serves production requests without the statement tally's AsyncLocalStorage", async () => {
    const run = jest.spyOn(AsyncLocalStorage.prototype, "run");
    try {
      expect((await httpGql(host, TITLES, { n: 2 })).data?.articles.nodes).toHaveLength(2);
      expect(run).not.toHaveBeenCalled();
    } finally {
      run.mockRestore();
    }
  });
});

describe.each(engines)("statement tally outside production on %s", (engine) => {
  let db: TestDatabase;
  let server: ThreadlineServer;
  let host: string;

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    await seedGenerated(db.dataSource, 2, 1);
    server = await createServer(testConfig({ database: db.config }), db.dataSource, createLocalEvents());
    host = await listen(server.httpServer);
  });
  afterAll(async () => {
    await server.stop();
    await db.close();
  });

  it("counts a request's statements over HTTP in extensions.sqlQueries", async () => {
    const response = await fetch(`http://${host}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: TITLES, variables: { n: 2 } }),
    });
    const body = (await response.json()) as { extensions?: { sqlQueries?: number } };
    // One statement: the page reads its rows (a title list needs no second statement by id).
    expect(body.extensions?.sqlQueries).toBe(1);
  });
});
