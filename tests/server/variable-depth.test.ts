/**
 * Variables nested deeper than QUERY_LIMITS.maxVariableDepth are the client's mistake, refused
 * with 400 BAD_USER_INPUT naming the variable, by GET, POST and WebSocket alike; before the bound,
 * a 5,000-deep value overflowed the stack and was answered 500.
 */
import { once } from "node:events";
import WebSocket from "ws";
import { QUERY_LIMITS } from "../../src/schema/limits";
import { GRAPHQL_PATH } from "../../src/server";
import { engines } from "../helpers/databases";
import { listen } from "../helpers/subscriptions";
import { startTestServer, TestServer } from "../helpers/test-server";

/**
 * The variables `{"deep": ...}` as JSON text, with `levels` objects nested inside each other in
 * $deep, written out by hand: JSON.stringify itself overflows the stack on the deep ones.
 */
function variables(levels: number): string {
  return `{"deep":${'{"where":'.repeat(levels - 1)}{"leaf":true}${"}".repeat(levels - 1)}}`;
}

const QUERY = "query Deep($deep: ArticleWhere) { articles(first: 1, where: $deep) { totalCount } }";
const REFUSAL = {
  message: `variable "$deep" is nested more than ${QUERY_LIMITS.maxVariableDepth} levels deep; the maximum is ${QUERY_LIMITS.maxVariableDepth}`,
  extensions: { code: "BAD_USER_INPUT", maxVariableDepth: QUERY_LIMITS.maxVariableDepth },
};

describe.each(engines)("deeply nested variables on %s", (engine) => {
  let t: TestServer;
  let host: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { production: true });
    host = await listen(t.server.httpServer);
  });
  afterAll(() => t.close());

  const post = (levels: number) =>
    fetch(`http://${host}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"query":${JSON.stringify(QUERY)},"variables":${variables(levels)}}`,
    });
  const get = (levels: number) =>
    fetch(`http://${host}/graphql?${new URLSearchParams({ query: QUERY, variables: variables(levels) })}`, { headers: { "apollo-require-preflight": "1" } });

  // A GET's URL holds about 900 levels before node refuses its head as too large (431).
  it.each([
    ["POST", 5_000, post],
    ["GET", 500, get],
  ] as const)("refuses them by %s (%i levels) with 400 BAD_USER_INPUT naming the variable", async (_method, levels, send) => {
    const response = await send(levels);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: unknown[] }).errors).toEqual([REFUSAL]);
  });

  it("refuses it over a WebSocket too", async () => {
    const socket = new WebSocket(`ws://${host}${GRAPHQL_PATH}`, "graphql-transport-ws");
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    const next = () =>
      new Promise<{ type: string; id?: string; payload?: unknown }>((resolve) => {
        const ready = messages.shift();
        if (ready) return resolve(ready);
        socket.once("message", () => resolve(messages.shift()!));
      });
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    try {
      await once(socket, "open");
      socket.send(JSON.stringify({ type: "connection_init" }));
      expect((await next()).type).toBe("connection_ack");
      socket.send(`{"type":"subscribe","id":"1","payload":{"query":${JSON.stringify(QUERY)},"variables":${variables(5_000)}}}`);
      expect(await next()).toEqual({ type: "error", id: "1", payload: [REFUSAL] });
    } finally {
      socket.close();
    }
  });

  it(`takes ${QUERY_LIMITS.maxVariableDepth} levels, and refuses one more`, async () => {
    const within = await post(QUERY_LIMITS.maxVariableDepth);
    // Not refused for its depth: graphql-js then names the fields ArticleWhere does not have.
    expect(((await within.json()) as { errors: { message: string }[] }).errors[0].message).not.toMatch(/nested more than/);
    const over = await post(QUERY_LIMITS.maxVariableDepth + 1);
    expect(over.status).toBe(400);
    expect(((await over.json()) as { errors: unknown[] }).errors).toEqual([REFUSAL]);
  });
});
