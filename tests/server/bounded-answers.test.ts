/**
 * What one request may cost once it runs, over real HTTP: replies nest at most MAX_THREAD_DEPTH
 * deep, `ancestors` is priced at that depth, a walk up a thread inside another is refused, and
 * every operation has a deadline and a largest answer. Each refusal is a clear 4xx or 503.
 */
import { DataSource } from "typeorm";
import { beforeEachStatement } from "../helpers/statements";
import { engines } from "../helpers/databases";
import { ADD_COMMENT, importUniqueArticle, postComment } from "../helpers/discussion";
import { wsClient } from "../helpers/subscriptions";
import { captureStderr } from "../helpers/console";
import { graphqlUrl, startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

type Body = any;

async function post(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ status: number; body: Body; headers: Headers }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** A chain of replies `length` deep under one top-level comment; answers the ids, top first. */
async function chain(t: TestServer, article: string, length: number): Promise<string[]> {
  const ids = [(await postComment(t, article, "depth 0")).id];
  for (let depth = 1; depth < length; depth++) ids.push((await postComment(t, article, `depth ${depth}`, { parentId: ids[depth - 1] })).id);
  return ids;
}

/** Makes every statement on `dataSource` wait `ms` first, as a slow database would. */
function slowStatements(dataSource: DataSource, ms: number): void {
  beforeEachStatement(dataSource, () => new Promise((resolve) => setTimeout(resolve, ms)));
}

describe.each(engines)("bounded answers on %s", (engine) => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, production: true, config: { maxThreadDepth: 4 } });
    url = await graphqlUrl(t);
  });
  afterAll(() => t.close());

  it("refuses a reply deeper than MAX_THREAD_DEPTH, naming the limit, and keeps the thread as it was", async () => {
    const article = await importUniqueArticle(t);
    const ids = await chain(t, article, 5); // depths 0 to 4
    const refused = await post(url, ADD_COMMENT, { articleId: article, body: "depth 5", parentId: ids[4] }, TEST_TOKEN);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "parentId", maxThreadDepth: 4 });
    expect(refused.body.errors[0].message).toMatch(/at most 4 levels deep/);
    const deepest = await post(url, `query($id: ID!) { comment(id: $id) { replyCount ancestors { id } } }`, { id: ids[4] });
    expect(deepest.body.data.comment).toEqual({ replyCount: 0, ancestors: ids.slice(0, 4).map((id) => ({ id })) });
  });

  it.each([
    ["ancestors inside ancestors", `{ ancestors { ancestors { id } } }`],
    ["thread inside ancestors", `{ ancestors { thread { id } } }`],
    ["ancestors inside thread", `{ thread { ancestors { id } } }`],
    ["ancestors below thread's replies", `{ thread { replies(first: 5) { nodes { ancestors { id } } } } }`],
    ["ancestors inside ancestors through a fragment", `{ ancestors { ...Up } } fragment Up on Comment { parent { ancestors { id } } }`],
  ])("refuses %s before running it (HTTP 400)", async (_name, selection) => {
    const article = await importUniqueArticle(t);
    const [top, reply] = await chain(t, article, 2);
    void top;
    const [head, ...fragments] = selection.split(" fragment ");
    const query = `query($id: ID!) { comment(id: $id) ${head} }${fragments.map((f) => ` fragment ${f}`).join("")}`;
    const refused = await post(url, query, { id: reply });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(refused.body.errors[0].message).toMatch(/asks for ancestors or thread inside it/);
  });

  it("prices ancestors as a list MAX_THREAD_DEPTH long", async () => {
    // 30 x 30 comments, each with its ancestors' bodies: 30 * 30 * (1 + 4 * 2) = 8,100 at depth 4;
    // the same at the default depth of 50 would be 30 * 30 * 101 = 90,900, over the budget.
    const query = `{ articles(first: 30) { nodes { comments(first: 30) { nodes { ancestors { id body } } } } } }`;
    const admitted = await post(url, query);
    expect(admitted.status).toBe(200);
    const deep = await startTestServer(engine, { seed: false, production: true });
    try {
      const refused = await post(await graphqlUrl(deep), query);
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", maxCost: 50_000 });
    } finally {
      await deep.close();
    }
  });
});

describe.each(engines)("request deadline and answer size on %s", (engine) => {
  it("answers 503 with Retry-After once an operation runs past REQUEST_TIMEOUT_SECONDS, and keeps serving", async () => {
    const t = await startTestServer(engine, { production: true, config: { requestTimeoutSeconds: 1 } });
    try {
      const url = await graphqlUrl(t);
      for (const source of t.db.dataSource.dataSources()) slowStatements(source, 400);
      // Four levels of reads, one after another: about 1.6 s of statements.
      const slow = await post(
        url,
        `{ articles(first: 3) { nodes { comments(first: 3) { nodes { author { name comments(first: 2) { nodes { replies(first: 2) { nodes { body } } } } } } } } } }`,
      );
      expect(slow.status).toBe(503);
      expect(slow.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(slow.body.errors[0]).toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE", deadlineSeconds: 1 } });
      expect(slow.body.errors[0].message).toMatch(/deadline of 1 s/);
      expect(slow.body.data).toBeUndefined();
      const cheap = await post(url, `{ __typename }`);
      expect(cheap).toMatchObject({ status: 200, body: { data: { __typename: "Query" } } });
    } finally {
      await t.close();
    }
  });

  it("on stop, lets an operation answered at its deadline finish the read it had started before its database closes", async () => {
    const t = await startTestServer(engine, { production: true, config: { requestTimeoutSeconds: 1 } });
    let open = true;
    try {
      const url = await graphqlUrl(t);
      // Every statement waits at a gate: the operation's first read is held past the deadline.
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      let reached = () => {};
      const held = new Promise<void>((resolve) => (reached = resolve));
      for (const source of t.db.dataSource.dataSources()) {
        beforeEachStatement(source, async () => {
          reached();
          await gate;
        });
      }
      const answered = await post(url, `{ articles(first: 3) { nodes { title } } }`);
      expect(answered.status).toBe(503);
      await held;
      // The held read goes on once the database has closed, or after 300 ms if stop() waits for it.
      let releasedBy: "timer" | "closed database" | null = null;
      const releaseBy = (who: "timer" | "closed database") => {
        releasedBy ??= who;
        release();
      };
      const closeDatabase = t.db.close.bind(t.db);
      t.db.close = async () => {
        await closeDatabase();
        releaseBy("closed database");
      };
      const fallback = setTimeout(() => releaseBy("timer"), 300);
      const databaseLog = captureStderr();
      try {
        open = false;
        await t.close();
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        clearTimeout(fallback);
        databaseLog.restore();
      }
      // The server waited for the read (on both engines), so nothing failed (PostgreSQL logs it).
      expect(releasedBy).toBe("timer");
      expect(databaseLog.lines()).toEqual([]);
    } finally {
      if (open) await t.close();
    }
  });

  it("refuses an answer larger than MAX_RESPONSE_MB with HTTP 400, over HTTP and WebSocket", async () => {
    const t = await startTestServer(engine, { seed: false, production: true, config: { maxResponseMb: 1 } });
    try {
      const url = await graphqlUrl(t);
      const article = await importUniqueArticle(t);
      const body = "w".repeat(9_000);
      for (let i = 0; i < 40; i++) await post(url, ADD_COMMENT, { articleId: article, body: `${i} ${body}` }, TEST_TOKEN);
      const small = await post(url, `query($id: ID!) { article(id: $id) { comments(first: 20) { nodes { body } } } }`, { id: article });
      expect(small.status).toBe(200);
      expect(small.body.data.article.comments.nodes).toHaveLength(20);
      // 40 bodies of 9 KB under each of 4 aliases: about 1.4 MB.
      const page = `comments(first: 40) { nodes { body } }`;
      const large = `query($id: ID!) { a: article(id: $id) { ${page} } b: article(id: $id) { ${page} } c: article(id: $id) { ${page} } d: article(id: $id) { ${page} } }`;
      const refused = await post(url, large, { id: article });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].extensions).toMatchObject({ code: "BAD_REQUEST", maxResponseMb: 1 });
      expect(refused.body.errors[0].message).toMatch(/larger than 1 MB/);

      const client = wsClient(new URL(url).host);
      try {
        const result = await new Promise<Body>((resolve, reject) => {
          client.subscribe({ query: large, variables: { id: article } }, { next: resolve, error: reject, complete: () => undefined });
        });
        expect(result.data).toBeUndefined();
        expect(result.errors[0].extensions).toMatchObject({ code: "BAD_REQUEST", maxResponseMb: 1 });
      } finally {
        await client.dispose();
      }
    } finally {
      await t.close();
    }
  });
});
