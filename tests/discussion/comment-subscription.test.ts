import { Client } from "graphql-ws";
import { commentAddedTopic } from "../../src/events/comment-events";
import { renderDump } from "../../src/ingest/render-dump";
import { toGlobalId } from "../../src/schema/global-id";
import { createServer, ThreadlineServer } from "../../src/server";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { ADD_COMMENT, IMPORT_DUMP, rowId, uniqueArticle } from "../helpers/discussion";
import { httpGql, listen, observedLocalEvents, probe, wsClient } from "../helpers/subscriptions";
import { TEST_TOKEN, testConfig } from "../helpers/test-server";

const COMMENT_ADDED = `subscription($id: ID!) {
  commentAdded(articleId: $id) { id body depth author { name } parent { id } article { id commentCount } }
}`;

describe.each(engines)("Subscription.commentAdded over WebSocket on %s", (engine) => {
  let db: TestDatabase;
  let server: ThreadlineServer;
  let host: string;
  let client: Client;
  const events = observedLocalEvents();

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    server = await createServer(testConfig({ database: db.config }), db.dataSource, events.bus);
    host = await listen(server.httpServer);
    client = wsClient(host);
  });
  afterAll(async () => {
    await client.dispose();
    await server.stop();
    await db.close();
  });

  async function newArticle(): Promise<string> {
    const result = await httpGql(host, IMPORT_DUMP, { text: renderDump(uniqueArticle()) }, TEST_TOKEN);
    return result.data!.importDump.article.id;
  }

  async function post(articleId: string, body: string, extra: Record<string, unknown> = {}) {
    const result = await httpGql(host, ADD_COMMENT, { articleId, body, ...extra }, TEST_TOKEN);
    expect(result.errors).toBeUndefined();
    return result.data!.addComment.comment;
  }

  it("delivers each comment posted on the article, and only those, with fresh counts", async () => {
    const story = await newArticle();
    const elsewhere = await newArticle();
    // Anyone may subscribe: this client sends no token.
    const sub = probe(client, COMMENT_ADDED, { id: story });
    await events.listening(commentAddedTopic(rowId(story)));

    await post(elsewhere, "Not for this subscriber");
    const first = await post(story, "Hello, subscribers", { authorName: "Ivy" });
    expect(await sub.next()).toEqual({
      kind: "next",
      result: {
        data: {
          commentAdded: { id: first.id, body: "Hello, subscribers", depth: 0, author: { name: "Ivy" }, parent: null, article: { id: story, commentCount: 1 } },
        },
      },
    });
    const reply = await post(story, "A reply", { parentId: first.id });
    expect(await sub.next()).toEqual({
      kind: "next",
      result: {
        data: {
          commentAdded: { id: reply.id, body: "A reply", depth: 1, author: null, parent: { id: first.id }, article: { id: story, commentCount: 2 } },
        },
      },
    });
    sub.unsubscribe();
  });

  it("answers an unknown article with NOT_FOUND and a malformed id with BAD_USER_INPUT", async () => {
    for (const [id, code] of [
      [toGlobalId("Article", 987_654), "NOT_FOUND"],
      ["junk!!", "BAD_USER_INPUT"],
      [toGlobalId("Tag", 1), "BAD_USER_INPUT"],
    ]) {
      const sub = probe(client, COMMENT_ADDED, { id });
      const outcome = await sub.next();
      expect(outcome.kind).toBe("next");
      if (outcome.kind !== "next") continue;
      expect({ id, code: outcome.result.errors?.[0].extensions?.code }).toEqual({ id, code });
      expect(await sub.next()).toEqual({ kind: "complete" });
    }
  });

  it("refuses an over-deep subscription before it starts", async () => {
    const story = await newArticle();
    const deep = `subscription($id: ID!) { commentAdded(articleId: $id) { ${"parent { ".repeat(14)}id${" }".repeat(14)} } }`;
    const sub = probe(client, deep, { id: story });
    const outcome = await sub.next();
    expect(outcome.kind).toBe("error");
    if (outcome.kind !== "error") return;
    const errors = outcome.error as { message: string; extensions?: { code?: string } }[];
    expect(errors[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(errors[0].message).toMatch(/maximum query depth/);
  });
});
