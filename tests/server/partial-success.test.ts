/**
 * Several mutations in one operation: each reports its own result or error, and the HTTP status is
 * 200 whenever any of them wrote. A client that retries only the ones that failed posts nothing twice.
 */
import { DEFAULT_ABUSE_LIMITS } from "../../src/config";
import { engines } from "../helpers/databases";
import { importUniqueArticle } from "../helpers/discussion";
import { readerToken } from "../helpers/readers";
import { graphqlUrl, startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

type Body = any;

async function post(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<{ status: number; body: Body }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

/** `count` aliases of addComment on one article, c0 … c{count-1}, each with its own body. */
function aliasedComments(count: number, body: (i: number) => string): string {
  const fields = Array.from({ length: count }, (_, i) => `c${i}: addComment(articleId: $articleId, body: ${JSON.stringify(body(i))}) { comment { id body } }`);
  return `mutation($articleId: ID!) { ${fields.join(" ")} }`;
}

async function storedBodies(t: TestServer, articleId: string): Promise<string[]> {
  const data = await t.data(`query($id: ID!) { article(id: $id) { comments(first: 100) { nodes { body } } } }`, { id: articleId });
  return data.article.comments.nodes.map((node: { body: string }) => node.body);
}

describe.each(engines)("several mutations in one operation on %s", (engine) => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, config: { abuseLimits: { ...DEFAULT_ABUSE_LIMITS, commentsPerMinute: 5, addressPerMinute: 0 } } });
    url = await graphqlUrl(t);
  });
  afterAll(() => t.close());

  it("answers the five a reader's rate allows with their comments, and the other 25 with RATE_LIMITED each (HTTP 200)", async () => {
    const article = await importUniqueArticle(t);
    const token = await readerToken({ sub: "reader-partial", name: "Pat Partial" });
    const answer = await post(
      url,
      aliasedComments(30, (i) => `comment number ${i}`),
      { articleId: article },
      token,
    );
    expect(answer.status).toBe(200);
    const written = Object.entries(answer.body.data).filter(([, value]) => value !== null);
    expect(written).toHaveLength(5);
    expect(answer.body.errors).toHaveLength(25);
    for (const error of answer.body.errors) {
      expect(error.extensions.code).toBe("RATE_LIMITED");
      expect(answer.body.data[error.path[0]]).toBeNull();
    }
    const stored = await storedBodies(t, article);
    expect(stored.sort()).toEqual(written.map(([, value]) => (value as { comment: { body: string } }).comment.body).sort());
  });

  it("answers a blank body next to a good one with its own BAD_USER_INPUT, and the good one with its comment (HTTP 200)", async () => {
    const article = await importUniqueArticle(t);
    const answer = await post(
      url,
      aliasedComments(2, (i) => (i === 0 ? "a good comment" : "   ")),
      { articleId: article },
      TEST_TOKEN,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data.c0.comment.body).toBe("a good comment");
    expect(answer.body.data.c1).toBeNull();
    expect(answer.body.errors).toEqual([expect.objectContaining({ path: ["c1"], extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) })]);
    expect(await storedBodies(t, article)).toEqual(["a good comment"]);
  });

  it("still answers a write refused alone with its 4xx", async () => {
    const article = await importUniqueArticle(t);
    const answer = await post(
      url,
      aliasedComments(1, () => "  "),
      { articleId: article },
      TEST_TOKEN,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.data).toEqual({ c0: null });
    expect(answer.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });
});
