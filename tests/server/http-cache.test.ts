import { createHash } from "node:crypto";
import { engines } from "../helpers/databases";
import { graphqlUrl, startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

/**
 * Cache-Control through real HTTP: an anonymous GET of a query (an automatic persisted query by
 * its hash, as Apollo Client sends one) may be kept by shared caches for the shortest hint of the
 * fields it selects; anything with a credential, any mutation, POST or error is not stored.
 */
const SLUG = "china-could-join-russian-anti-daesh-campaign-in-syria-reports";
const ARTICLE_QUERY = `query ArticleText($slug: String!) { article(slug: $slug) { title paragraphs tags { name } relatedLinks { title } } }`;
const THREAD_QUERY = `query Thread($slug: String!) { article(slug: $slug) { title comments(first: 3) { nodes { body author { name } } } } }`;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A GET of an automatic persisted query: by its hash alone, or with its text (which registers it). */
function persistedUrl(base: string, query: string, variables: Record<string, unknown>, operationName: string, withText = false): string {
  const params = new URLSearchParams({
    ...(withText ? { query } : {}),
    operationName,
    variables: JSON.stringify(variables),
    extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(query) } }),
  });
  return `${base}?${params}`;
}

// Apollo's CSRF prevention lets a GET through when it carries a header a simple form cannot send.
const GET_HEADERS = { "apollo-require-preflight": "true" };

describe.each(engines)("HTTP caching of anonymous reads (%s)", (engine) => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer(engine);
    url = await graphqlUrl(t);
  });
  afterAll(() => t.close());

  async function get(target: string, headers: Record<string, string> = {}) {
    const response = await fetch(target, { headers: { ...GET_HEADERS, ...headers } });
    return { response, body: (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
  }

  it("serves a persisted query over GET: public with the hint's max-age when anonymous, private and unstored with a token", async () => {
    const hashOnly = (query: string) => persistedUrl(url, query, { slug: SLUG }, "ArticleText");
    // Unknown hash: Apollo asks for the text, and that answer is not stored.
    const unknown = await get(hashOnly(ARTICLE_QUERY));
    expect(unknown.body.errors?.[0].extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect(unknown.response.headers.get("cache-control")).toBe("no-store");

    // Registered by sending the text with its hash once.
    const registered = await get(persistedUrl(url, ARTICLE_QUERY, { slug: SLUG }, "ArticleText", true));
    expect(registered.body.data.article.title).toBe("China Could Join Russian Anti-Daesh Campaign in Syria - Reports");

    const anonymous = await get(hashOnly(ARTICLE_QUERY));
    expect(anonymous.response.status).toBe(200);
    expect(anonymous.body.errors).toBeUndefined();
    expect(anonymous.body.data.article.title).toBe("China Could Join Russian Anti-Daesh Campaign in Syria - Reports");
    // Article, Tag and RelatedLink are all hinted 300 s.
    expect(anonymous.response.headers.get("cache-control")).toBe("public, max-age=300");
    // Accept-Encoding too: a cache keeps one copy per encoding (web/compression.ts).
    expect(anonymous.response.headers.get("vary")).toBe("Authorization, Accept-Encoding");

    const withToken = await get(hashOnly(ARTICLE_QUERY), { authorization: `Bearer ${TEST_TOKEN}` });
    expect(withToken.body.data.article.title).toBe(anonymous.body.data.article.title);
    expect(withToken.response.headers.get("cache-control")).toBe("private, no-store");

    // A credential that is not valid is still a credential: nothing shared is served for it.
    const badToken = await get(hashOnly(ARTICLE_QUERY), { authorization: "Bearer not-the-token" });
    expect(badToken.response.headers.get("cache-control")).toBe("private, no-store");
  });

  it("gives a query the shortest max-age among its fields: comments are kept 30 s", async () => {
    const { response, body } = await get(persistedUrl(url, THREAD_QUERY, { slug: SLUG }, "Thread", true));
    expect(body.data.article.comments.nodes).toHaveLength(3);
    expect(response.headers.get("cache-control")).toBe("public, max-age=30");
  });

  it("keeps a list of articles 60 s, and a search 60 s or less", async () => {
    const list = await get(persistedUrl(url, "query Titles { articles(first: 3) { nodes { title } } }", {}, "Titles", true));
    expect(list.body.data.articles.nodes).toHaveLength(3);
    expect(list.response.headers.get("cache-control")).toBe("public, max-age=60");
    const search = await get(
      persistedUrl(
        url,
        `query Find { search(query: "daesh", first: 3) { totalCount nodes { ... on Article { title } ... on Comment { body } } } }`,
        {},
        "Find",
        true,
      ),
    );
    expect(search.body.data.search.totalCount).toBeGreaterThan(0);
    // The union's members: an Article (300 s) or a Comment (30 s).
    expect(search.response.headers.get("cache-control")).toBe("public, max-age=30");
  });

  it("does not store a POST, an error, introspection or a query with no hinted field", async () => {
    const post = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: ARTICLE_QUERY, variables: { slug: SLUG } }),
    });
    expect(((await post.json()) as any).data.article.title).toBeTruthy();
    expect(post.headers.get("cache-control")).toBe("no-store");

    const refused = await get(`${url}?${new URLSearchParams({ query: `query Both { article(id: "x", slug: "y") { title } }` })}`);
    expect(refused.body.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(refused.response.headers.get("cache-control")).toBe("no-store");

    const introspection = await get(`${url}?${new URLSearchParams({ query: `query Types { __schema { types { name } } }` })}`);
    expect(introspection.body.data.__schema.types.length).toBeGreaterThan(10);
    expect(introspection.response.headers.get("cache-control")).toBe("no-store");

    const typename = await get(`${url}?${new URLSearchParams({ query: `query Name { __typename }` })}`);
    expect(typename.body.data.__typename).toBe("Query");
    expect(typename.response.headers.get("cache-control")).toBe("no-store");
  });

  it("never stores a mutation, with or without its token", async () => {
    const mutation = `mutation Post($articleId: ID!) { addComment(articleId: $articleId, body: "cache test", authorName: "cache") { __typename } }`;
    const { article } = await t.data<{ article: { id: string } }>(`query Id($slug: String!) { article(slug: $slug) { id } }`, { slug: SLUG });
    const send = (headers: Record<string, string>) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query: mutation, variables: { articleId: article.id } }),
      });
    const anonymous = await send({});
    expect(((await anonymous.json()) as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(anonymous.headers.get("cache-control")).toBe("no-store");
    const signed = await send({ authorization: `Bearer ${TEST_TOKEN}` });
    expect(((await signed.json()) as any).data.addComment.__typename).toBeTruthy();
    expect(signed.headers.get("cache-control")).toBe("private, no-store");
  });
});
