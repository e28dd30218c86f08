/**
 * The query lane (src/execution/query-lane.ts): a query whose text Apollo validated before is
 * answered around Apollo's pipeline when all goes well, and handed to Apollo otherwise. Over real
 * HTTP on each engine, in production and in development (where a plugin adds
 * extensions.sqlQueries): each request is sent twice, the first time to Apollo (the text is new)
 * and the second through the lane, and the two answers must be the same status, headers and bytes.
 * A handed-over request whose operation ran in the lane is not run again: its second answer counts
 * the same statements as its first. Then fast-check sends random mixes of operations, variables,
 * credentials and Accept headers the same way.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import fc from "fast-check";
import type { Context } from "../../src/context";
import { engines } from "../helpers/databases";
import { itOnFastPath } from "../helpers/executor";
import { readerToken } from "../helpers/readers";
import { graphqlUrl, startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";
import { postComment } from "../helpers/discussion";

const SEED_SLUG = "china-could-join-russian-anti-daesh-campaign-in-syria-reports";

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that say when and how the bytes travelled, not what the answer is. */
const TRANSPORT = new Set(["date", "connection", "keep-alive"]);

interface Sent {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Record<string, string>;
}

let cases = 0;

describe.each(engines)("the query lane on %s", (engine) => {
  for (const production of [true, false]) {
    describe(production ? "in production" : "in development", () => {
      let t: TestServer;
      let url: string;
      let reader: string;
      beforeAll(async () => {
        t = await startTestServer(engine, { production });
        url = await graphqlUrl(t);
        reader = await readerToken({ sub: "lane-reader", name: "Lane Reader" });
      });
      afterAll(() => t?.close());

      async function send({ query, variables, operationName, headers = {} }: Sent): Promise<Answer> {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ query, variables, operationName }),
        });
        const kept: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          if (!TRANSPORT.has(name)) kept[name] = value;
        });
        return { status: response.status, headers: kept, body: await response.text() };
      }

      /**
       * The request twice, its text made new (a comment numbers it) so that the first goes to
       * Apollo; the two answers, and what the lane did with the second.
       */
      async function twice(sent: Sent): Promise<{ first: Answer; second: Answer; lane: "answered" | "handed over" | "left to Apollo" }> {
        const request = { ...sent, query: `${sent.query}\n# case ${++cases}` };
        const lane = t.server.lane!;
        const first = await send(request);
        const before = { ...lane.counts };
        const second = await send(request);
        const answered = lane.counts.answered - before.answered;
        const handed = lane.counts.handedOver - before.handedOver;
        return { first, second, lane: answered === 1 ? "answered" : handed === 1 ? "handed over" : "left to Apollo" };
      }

      itOnFastPath("answers queries exactly as Apollo does: lists, an article page, several operations, a search, a reader's viewer", async () => {
        const asked: Sent[] = [
          {
            query: `query Titles($n: Int!) { articles(first: $n) { totalCount nodes { id title publishedAt tags { slug } } pageInfo { endCursor } } }`,
            variables: { n: 3 },
          },
          {
            query: `query Page($slug: String!) { article(slug: $slug) { title commentCount comments(first: 5) { totalCount nodes { body author { name } replies(first: 2) { nodes { body } } } } relatedLinks { title } } }`,
            variables: { slug: SEED_SLUG },
          },
          { query: `query A { articles(first: 1) { nodes { title } } } query B { tags(first: 2) { nodes { name } } }`, operationName: "B" },
          {
            query: `{ search(query: "syria", first: 3) { totalCount boundedCount(atMost: 2) { count isExact } edges { cursor highlights { field fragment } } } }`,
          },
          { query: `{ viewer { role name unreadNotificationCount } }`, headers: { authorization: `Bearer ${reader}` } },
          { query: `{ articles(first: 1) { nodes { title } } }`, headers: { authorization: `Bearer ${TEST_TOKEN}` } },
          { query: `{ articles(first: 2) { nodes { id } } }`, headers: { accept: "application/graphql-response+json, application/json;q=0.9" } },
          { query: `{ articles(first: 2) { nodes { id } } }`, headers: { accept: "*/*", origin: "https://news.example" } },
        ];
        for (const sent of asked) {
          const { first, second, lane } = await twice(sent);
          expect({ sent, lane }).toEqual({ sent, lane: "answered" });
          expect(second).toEqual(first);
          expect(first.status).toBe(200);
          expect(JSON.parse(first.body).errors).toBeUndefined();
        }
      });

      itOnFastPath("hands Apollo what goes wrong, which answers it as before, and runs no operation twice", async () => {
        const forged = await readerToken({ sub: "forger" }, { secret: "not-the-secret-0123456789-abcdefghij" });
        const handed: Sent[] = [
          // An error from a resolver: the lane ran the operation, Apollo formats the answer.
          { query: `query List($n: Int!) { tags(first: 2) { nodes { name } } articles(first: $n) { nodes { title } } }`, variables: { n: -1 } },
          { query: `query($after: String) { articles(first: 2, after: $after) { nodes { title } } }`, variables: { after: "not-a-cursor" } },
          // Variables graphql-jit refuses, then graphql-js: 400.
          { query: `query Titles($n: Int!) { articles(first: $n) { nodes { title } } }`, variables: { n: "three" } },
          // A refusal before the operation runs: a credential, a cost.
          { query: `{ articles(first: 1) { nodes { title } } }`, headers: { authorization: `Bearer ${forged}` } },
          {
            query: `query($n: Int!) { articles(first: $n) { nodes { comments(first: $n) { nodes { replies(first: $n) { nodes { body } } } } } } }`,
            variables: { n: 100 },
          },
        ];
        for (const sent of handed) {
          const { first, second, lane } = await twice(sent);
          expect({ sent, lane }).toEqual({ sent, lane: "handed over" });
          // In development the answer counts its statements: the same count says it ran once.
          expect(second).toEqual(first);
          expect(first.status === 200 ? JSON.parse(first.body).errors : "refused").toBeDefined();
        }
        expect((await twice(handed[2])).first.status).toBe(400);
        expect((await twice(handed[3])).first.status).toBe(401);
      });

      itOnFastPath("hands Apollo what a run threw, which Apollo answers as it answers its own executor's failure, without a second run", async () => {
        const operations = t.server.operations;
        const original = operations.execute.bind(operations);
        let runs = 0;
        const spy = jest.spyOn(operations, "execute").mockImplementation(async (request) => {
          if (!String(request.operationName).startsWith("Thrown")) return original(request);
          runs += 1;
          throw new Error("the run failed");
        });
        const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
        try {
          const { first, second, lane } = await twice({ query: `query Thrown { articles(first: 1) { nodes { title } } }`, operationName: "Thrown" });
          expect(lane).toBe("handed over");
          // In development the error carries its stack, which differs by where Apollo's executor was called from.
          const withoutStack = (answer: Answer) => ({
            status: answer.status,
            body: JSON.parse(answer.body, (key, value) => (key === "stacktrace" ? undefined : value)),
          });
          expect(withoutStack(second)).toEqual(withoutStack(first));
          expect(runs).toBe(2);
          expect(JSON.parse(first.body).errors[0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
        } finally {
          spy.mockRestore();
          errors.mockRestore();
        }
      });

      itOnFastPath("leaves mutations, persisted queries, batches and an Accept header it cannot answer to Apollo", async () => {
        const articleId = (await t.data(`{ articles(first: 1) { nodes { id } } }`)).articles.nodes[0].id;
        const post = await twice({
          query: `mutation($articleId: ID!) { addComment(articleId: $articleId, body: "Through the lane?", authorName: "Lane") { comment { body } } }`,
          variables: { articleId },
          headers: { authorization: `Bearer ${TEST_TOKEN}` },
        });
        expect(post.lane).toBe("left to Apollo");
        expect(post.second.status).toBe(200);
        const html = await twice({ query: `{ articles(first: 1) { nodes { title } } }`, headers: { accept: "text/html" } });
        expect(html.lane).toBe("left to Apollo");
        expect(html.second).toEqual(html.first);
        expect(html.first.status).toBe(406);

        const before = { ...t.server.lane!.counts };
        const text = `{ articles(first: 1) { nodes { title } } } # persisted ${++cases}`;
        await send({ query: text });
        const persisted = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: text, extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }),
        });
        expect(persisted.status).toBe(400);
        const batch = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ query: text }]) });
        expect(batch.status).toBe(400);
        expect(t.server.lane!.counts).toEqual(before);
      });

      itOnFastPath("calls the very plugins Apollo runs, its own included (an upgrade that copied the array would fail here)", () => {
        const apolloPlugins = (t.server.apollo as unknown as { internals: { plugins: unknown[] } }).internals.plugins;
        const lanePlugins = (t.server.lane as unknown as { options: { plugins: unknown[] } }).options.plugins;
        expect(lanePlugins).toBe(apolloPlugins);
        // In production Apollo adds the plugin that cleans suggestions from validation errors.
        expect(apolloPlugins.some((plugin) => (plugin as { __internal_plugin_id__?: string }).__internal_plugin_id__ === "DisableSuggestions")).toBe(
          production,
        );
      });

      itOnFastPath("hands Apollo a request whose plugins have a hook the lane does not call (executionDidStart), which Apollo calls", async () => {
        const own = await startTestServer(engine, { production });
        try {
          let executions = 0;
          const plugins = (own.server.apollo as unknown as { internals: { plugins: ApolloServerPlugin<Context>[] } }).internals.plugins;
          plugins.push({
            async requestDidStart() {
              return {
                async executionDidStart() {
                  executions += 1;
                },
              };
            },
          });
          const ownUrl = await graphqlUrl(own);
          const body = JSON.stringify({ query: `{ articles(first: 2) { nodes { title } } }` });
          const ask = async () => (await fetch(ownUrl, { method: "POST", headers: { "content-type": "application/json" }, body })).text();
          const first = await ask();
          expect(await ask()).toBe(first);
          expect(executions).toBe(2);
          expect(own.server.lane!.counts).toEqual({ answered: 0, handedOver: 1 });
        } finally {
          await own.close();
        }
      });

      itOnFastPath("answers the same as Apollo for random mixes of operations, variables, credentials and Accept headers (fast-check)", async () => {
        const operations: { query: string; variables: fc.Arbitrary<Record<string, unknown> | undefined> }[] = [
          {
            query: `query($n: Int!, $after: String) { articles(first: $n, after: $after) { nodes { title } pageInfo { hasNextPage } } }`,
            variables: fc.record({ n: fc.oneof(fc.integer({ min: -2, max: 120 }), fc.constant("x")), after: fc.option(fc.string({ maxLength: 12 })) }),
          },
          {
            query: `query($slug: String!) { article(slug: $slug) { title comments(first: 3) { nodes { body } } } }`,
            variables: fc.record({ slug: fc.constantFrom(SEED_SLUG, "missing", "") }),
          },
          {
            query: `query($q: String!) { search(query: $q, first: 2) { totalCount edges { highlights { fragment } } } }`,
            variables: fc.record({ q: fc.constantFrom("syria", "moscow metro", '"prime minister"', "-", "zzzz*", "") }),
          },
          { query: `{ viewer { role name } }`, variables: fc.constant(undefined) },
          {
            query: `query($id: ID!) { node(id: $id) { id ... on Article { title } } }`,
            variables: fc.record({ id: fc.oneof(fc.constant("QXJ0aWNsZTox"), fc.string({ maxLength: 10 })) }),
          },
        ];
        const forged = await readerToken({ sub: "forger" }, { secret: "not-the-secret-0123456789-abcdefghij" });
        const credentials = [undefined, `Bearer ${reader}`, `Bearer ${TEST_TOKEN}`, `Bearer ${forged}`, "Basic abc"];
        const accepts = [
          undefined,
          "application/json",
          "application/graphql-response+json",
          "*/*",
          "text/html",
          "application/json;q=0, application/graphql-response+json;q=0.5",
        ];
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 0, max: operations.length - 1 }).chain((index) => fc.tuple(fc.constant(index), operations[index].variables)),
            fc.constantFrom(...credentials),
            fc.constantFrom(...accepts),
            async ([index, variables], authorization, accept) => {
              const headers: Record<string, string> = {};
              if (authorization) headers.authorization = authorization;
              if (accept) headers.accept = accept;
              const { first, second } = await twice({ query: operations[index].query, variables, headers });
              expect(second).toEqual(first);
              expect(first.status).toBeLessThan(500);
            },
          ),
          { numRuns: 40 },
        );
      });

      itOnFastPath("stores in the response cache and tags what it answers, as Apollo does", async () => {
        const cached = await startTestServer(engine, { production, config: { responseCache: { megabytes: 16, purgeUrl: null } } });
        try {
          const cachedUrl = await graphqlUrl(cached);
          const query = `query Page($slug: String!) { article(slug: $slug) { id title comments(first: 2) { nodes { body } } } }`;
          const ask = async () => {
            const response = await fetch(cachedUrl, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ query, variables: { slug: SEED_SLUG } }),
            });
            return { xCache: response.headers.get("x-cache"), surrogateKey: response.headers.get("surrogate-key"), body: await response.text() };
          };
          const missed = await ask();
          expect(missed.xCache).toBe("MISS");
          expect((await ask()).xCache).toBe("HIT");
          // A comment on the article drops the entry: the next read misses, through the lane, and is stored again.
          const articleId = JSON.parse(missed.body).data.article.id;
          await postComment(cached, articleId, "A new comment drops the page");
          const before = cached.server.lane!.counts.answered;
          const again = await ask();
          expect(cached.server.lane!.counts.answered).toBe(before + 1);
          expect(again.xCache).toBe("MISS");
          expect(again.surrogateKey).toBe(missed.surrogateKey);
          expect((await ask()).xCache).toBe("HIT");
        } finally {
          await cached.close();
        }
      });
    });
  }
});
