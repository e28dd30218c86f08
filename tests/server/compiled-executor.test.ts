/**
 * Operations run compiled by graphql-jit (src/execution/compiled-executor.ts) answer what graphql-js
 * answers: each operation goes through the server over HTTP and through plain graphql-js
 * `execute` on the same schema with a context built the same way, and the two JSON bodies must be
 * identical (data, error messages, locations, paths and codes, null propagation). Then: a repeated
 * operation compiles once, and each operation name of a document compiles on its own.
 */
import { DocumentNode, execute, ExecutionResult, getIntrospectionQuery, GraphQLError, GraphQLFormattedError, Kind, parse } from "graphql";
import { buildSchema, GraphQLScalarType } from "graphql";
import { CompiledOperations, MAX_COMPILED_FIELDS } from "../../src/execution/compiled-executor";
import { benchQueries } from "../../bench/queries";
import { formatError, GRAPHQL_PATH } from "../../src/server";
import { engines } from "../helpers/databases";
import { itOnFastPath } from "../helpers/executor";
import { listen } from "../helpers/subscriptions";
import { startTestServer, TestServer } from "../helpers/test-server";

const SLUG = "china-could-join-russian-anti-daesh-campaign-in-syria-reports";

/** The README's deep query, as it stands there. */
const README_DEEP = `query Deep($first: Int = 20) {
  articles(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id title commentCount
      tags { name }
      relatedLinks { title article { id } }
      comments(first: 10) {
        totalCount
        nodes {
          id body replyCount author { name }
          replies(first: 5) { nodes { id body depth author { name } } }
        }
      }
    }
  }
}`;

const FRAGMENTS = `query Fragments($slug: String!, $withComments: Boolean!, $skipTags: Boolean = false) {
  first: article(slug: $slug) { ...Head comments(first: 3) @include(if: $withComments) { nodes { ...CommentBits } } }
  again: article(slug: $slug) { headline: title ...Head @skip(if: $skipTags) }
  list: articles(first: 3, orderBy: COMMENT_COUNT_DESC) {
    edges { cursor node { ... on Article { ...Head } ... on Node { id } } }
    pageInfo { ...Page }
    total: totalCount
  }
  __typename
}
fragment Head on Article { id title section publishedAt tags @skip(if: $skipTags) { name slug articleCount } }
fragment CommentBits on Comment { id body createdAt author { name commentCount } replies(first: 2) { totalCount nodes { id depth parent { id } } } }
fragment Page on PageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;

const NODES = `query Nodes($id: ID!) {
  a: node(id: "QXJ0aWNsZTox") { __typename id ... on Article { title } }
  unknown: node(id: "QXJ0aWNsZTo5OTk5OTk=") { id }
  malformed: node(id: "not-a-global-id") { id }
  nodes: articles(first: 2) { nodes { id comments(first: 2) { nodes { id } } tags { id } } }
  byVariable: article(slug: "${SLUG}") { relatedLinks { id position article { ... on Node { __typename id } } } }
  many: search(query: "syria", first: 4) { edges { score node { __typename ... on Article { title } ... on Comment { body } ... on Node { id } } } }
  listed: tags(first: 2) { nodes { id name } }
  given: node(id: $id) { __typename ... on Tag { name } }
}`;

/** Everything node(id:) answers for ids of every kind, found from the data. */
const NODE_KINDS = `query NodeKinds($article: ID!, $comment: ID!, $tag: ID!, $author: ID!) {
  article: node(id: $article) { __typename id ... on Article { title commentCount } }
  comment: node(id: $comment) { __typename id ... on Comment { body author { name } article { title } } }
  tag: node(id: $tag) { __typename id ... on Tag { name articleCount } }
  author: node(id: $author) { __typename id ... on Author { name commentCount } }
}`;

/** Resolvers that refuse, beside fields that answer: data with an error at each path. */
const REFUSED = `query Refused($slug: String!) {
  ok: articles(first: 1) { nodes { title } }
  badCursor: article(slug: $slug) { title comments(after: "not-a-cursor") { totalCount } }
  missing: article(slug: "no-such-article") { title }
  history: comment(id: "Q29tbWVudDox") { id moderationHistory { action } }
}`;

/** A non-null root field refused: no data at all, and HTTP gives the code's status. */
const REFUSED_WHOLE = `query Queue { moderationQueue(first: 2) { nodes { id } } }`;

/** A non-null field that fails takes its nullable parent with it. */
const NULL_PROPAGATION = `query Propagation($slug: String!) {
  article(slug: $slug) { title comments(first: 1000) { totalCount nodes { id } } }
  other: article(slug: $slug) { title }
}`;

const MUTATION_REFUSED = `mutation Refused { addComment(articleId: "QXJ0aWNsZTox", body: "hello") { comment { id } } }`;

const NESTED_VARIABLE = `query Nested($search: String, $section: String) {
  articles(first: 3, where: { search: $search, section: $section }) { totalCount nodes { title section } }
}`;

const DATE_DEFAULT = `query Dated($after: DateTime = "2017-01-01T00:00:00Z", $first: Int = 3) {
  articles(first: $first, where: { publishedAfter: $after }) { nodes { title publishedAt } }
}`;

const BAD_VARIABLES = `query Bad($first: Int!, $where: ArticleWhere) { articles(first: $first, where: $where) { nodes { title } } }`;

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

interface Body {
  data?: unknown;
  errors?: GraphQLFormattedError[];
}

/** What Apollo serves for graphql-js's result: its error codes, then the server's formatError. */
function served(result: ExecutionResult): Body {
  const format = formatError(false);
  const errors = result.errors?.map((error) => {
    const code = error.extensions.code ?? (isVariableError(error) ? "BAD_USER_INPUT" : "INTERNAL_SERVER_ERROR");
    return format({ ...error.toJSON(), extensions: { ...error.extensions, code } }, error);
  });
  return JSON.parse(JSON.stringify({ data: result.data, errors })) as Body;
}

/** Apollo's test for a variable graphql-js refused, which it serves as BAD_USER_INPUT. */
function isVariableError(error: GraphQLError): boolean {
  return error.nodes?.length === 1 && error.nodes[0].kind === Kind.VARIABLE_DEFINITION && error.message.startsWith('Variable "$');
}

/** The body without what only differs by run: the statement tally and, for faults, stack traces. */
function comparable(body: Body & { extensions?: unknown }): Body {
  const errors = body.errors?.map((error) => {
    if (!error.extensions || !("stacktrace" in error.extensions)) return error;
    const { stacktrace: _stacktrace, ...extensions } = error.extensions;
    return { ...error, extensions };
  });
  return JSON.parse(JSON.stringify({ data: body.data, errors })) as Body;
}

describe.each(engines)("compiled execution on %s", (engine) => {
  let t: TestServer;
  let url: string;
  let quiet: jest.SpyInstance;

  beforeAll(async () => {
    t = await startTestServer(engine);
    url = `http://${await listen(t.server.httpServer)}${GRAPHQL_PATH}`;
    // Internal errors are logged by formatError on both paths.
    quiet = jest.spyOn(console, "error").mockImplementation(() => undefined);
  });
  afterAll(async () => {
    quiet.mockRestore();
    await t.close();
  });

  async function overHttp(c: Case): Promise<{ status: number; body: Body }> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: c.query, variables: c.variables ?? {}, operationName: c.operationName }),
    });
    return { status: response.status, body: comparable((await response.json()) as Body) };
  }

  async function overGraphqlJs(c: Case, document: DocumentNode = parse(c.query)): Promise<Body> {
    const result = await execute({
      schema: t.server.operations.schema,
      document,
      operationName: c.operationName,
      variableValues: c.variables ?? {},
      contextValue: await t.server.context(),
    });
    return served(result);
  }

  /** Sent twice: the first run is graphql-js's, the second the compiled operation's (COMPILE_ON_RUN). */
  async function expectSameAnswer(c: Case): Promise<{ status: number; body: Body }> {
    const expected = await overGraphqlJs(c);
    const first = await overHttp(c);
    const second = await overHttp(c);
    expect(first.body).toEqual(expected);
    expect(second).toEqual(first);
    return second;
  }

  it("answers the bench queries (q1-q4) and the README deep query as graphql-js does", async () => {
    for (const bench of benchQueries(SLUG)) {
      const { status, body } = await expectSameAnswer({ name: bench.name, query: bench.query, variables: bench.variables });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    const deep = await expectSameAnswer({ name: "README deep", query: README_DEEP });
    expect((deep.body.data as { articles: { nodes: unknown[] } }).articles.nodes.length).toBeGreaterThan(0);
  });

  it("answers fragments, aliases, @include and @skip as graphql-js does", async () => {
    for (const variables of [
      { slug: SLUG, withComments: true },
      { slug: SLUG, withComments: false, skipTags: true },
    ]) {
      const { body } = await expectSameAnswer({ name: "fragments", query: FRAGMENTS, variables });
      expect(body.errors).toBeUndefined();
    }
  });

  it("resolves node(id:) on the Node interface and the search union as graphql-js does", async () => {
    const { body } = await expectSameAnswer({ name: "nodes", query: NODES, variables: { id: "VGFnOjE=" } });
    expect(body.errors).toBeUndefined();
    const found = (await t.data(`{
      articles(first: 1) { nodes { id tags { id } comments(first: 1) { nodes { id author { id } } } } }
    }`)) as { articles: { nodes: { id: string; tags: { id: string }[]; comments: { nodes: { id: string; author: { id: string } }[] } }[] } };
    const article = found.articles.nodes[0];
    const comment = article.comments.nodes[0];
    const kinds = await expectSameAnswer({
      name: "node kinds",
      query: NODE_KINDS,
      variables: { article: article.id, comment: comment.id, tag: article.tags[0].id, author: comment.author.id },
    });
    expect(kinds.body.data).toMatchObject({
      article: { __typename: "Article" },
      comment: { __typename: "Comment" },
      tag: { __typename: "Tag" },
      author: { __typename: "Author" },
    });
  });

  it("serves resolver errors, with their codes and paths, beside the data that answered", async () => {
    const { status, body } = await expectSameAnswer({ name: "refused", query: REFUSED, variables: { slug: SLUG } });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ ok: { nodes: [{ title: expect.any(String) }] }, badCursor: null, missing: null });
    expect(body.errors?.[0]).toMatchObject({ path: ["badCursor", "comments"], extensions: { code: "BAD_USER_INPUT" } });
    const whole = await expectSameAnswer({ name: "refused whole", query: REFUSED_WHOLE });
    expect(whole.body.data).toBeNull();
    expect(whole.status).toBe(STATUS_OF[String(whole.body.errors?.[0].extensions?.code)]);
  });

  it("propagates a null from a failed non-null field to its nearest nullable parent", async () => {
    const { body } = await expectSameAnswer({ name: "null propagation", query: NULL_PROPAGATION, variables: { slug: SLUG } });
    expect(body.data).toEqual({ article: null, other: { title: expect.any(String) } });
    expect(body.errors?.[0]).toMatchObject({ path: ["article", "comments"], extensions: { code: "BAD_USER_INPUT" } });
  });

  it("refuses a mutation without a credential the same way, and HTTP says so", async () => {
    const { status, body } = await expectSameAnswer({ name: "mutation", query: MUTATION_REFUSED });
    expect(Object.values(body.data ?? {})).toEqual([null]);
    expect(status).toBe(STATUS_OF[String(body.errors?.[0].extensions?.code)]);
  });

  it("refuses bad variables with graphql-js's errors, as BAD_USER_INPUT and HTTP 400", async () => {
    const document = parse(BAD_VARIABLES);
    for (const variables of [
      { first: "ten" },
      {},
      { first: null },
      { first: 2 ** 31 },
      { first: 2, where: { nope: 1 } },
      { first: 2, where: { publishedAfter: "yesterday" } },
      { first: 2, where: { tagSlugIn: "syria", section: 5 } },
    ]) {
      // The executor's errors are graphql-js's, nodes and all (Apollo finds variable errors by them)...
      const compiled = await t.server.operations.execute({ document, operationName: undefined, variables, contextValue: await t.server.context() });
      const plain = await execute({ schema: t.server.operations.schema, document, variableValues: variables, contextValue: await t.server.context() });
      expect(compiled.data).toBeUndefined();
      expect(compiled.errors?.map((error) => [error.toJSON(), error.nodes?.map((node) => node.kind)])).toEqual(
        plain.errors?.map((error) => [error.toJSON(), error.nodes?.map((node) => node.kind)]),
      );
      // ...and the server serves them as it always did.
      const { status, body } = await overHttp({ name: "bad variables", query: BAD_VARIABLES, variables });
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.map((error) => [error.message, error.extensions?.code])).toEqual(plain.errors?.map((error) => [error.message, "BAD_USER_INPUT"]));
    }
    // A single value where a list is expected is a list of one, on both.
    const { body } = await expectSameAnswer({ name: "list of one", query: BAD_VARIABLES, variables: { first: 2, where: { tagSlugIn: "syria" } } });
    expect(body.errors).toBeUndefined();
  });

  it("leaves out a variable that was left out inside an input object, and takes DateTime defaults as graphql-js does", async () => {
    for (const variables of [{}, { search: null }, { search: "syria" }, { section: "Middle East" }]) {
      await expectSameAnswer({ name: "nested variable", query: NESTED_VARIABLE, variables });
    }
    for (const variables of [{}, { after: "2030-01-01T00:00:00Z" }, { after: null, first: 2 }]) {
      const { body } = await expectSameAnswer({ name: "date default", query: DATE_DEFAULT, variables });
      expect(body.errors).toBeUndefined();
    }
  });

  it("answers introspection, unknown operation names and documents of several operations as graphql-js does", async () => {
    await expectSameAnswer({ name: "introspection", query: getIntrospectionQuery() });
    const twoOperations = `query A { articles(first: 1) { nodes { title } } } query B { tags(first: 1) { nodes { name } } }`;
    await expectSameAnswer({ name: "A", query: twoOperations, operationName: "A" });
    await expectSameAnswer({ name: "B", query: twoOperations, operationName: "B" });
    const missing = await overHttp({ name: "C", query: twoOperations, operationName: "C" });
    expect(missing.body.errors?.[0].message).toBe('Unknown operation named "C".');
    const unnamed = await overHttp({ name: "none", query: twoOperations });
    expect(unnamed.body.errors?.[0].message).toBe("Must provide operation name if query contains multiple operations.");
  });

  itOnFastPath("compiles a repeated operation once", async () => {
    const query = `query Once($first: Int!) { articles(first: $first) { nodes { title } } }`;
    const before = t.server.operations.compilations;
    for (const first of [1, 2, 3]) {
      const { body } = await overHttp({ name: "once", query, variables: { first } });
      expect((body.data as { articles: { nodes: unknown[] } }).articles.nodes).toHaveLength(first);
    }
    expect(t.server.operations.compilations - before).toBe(1);
  });

  itOnFastPath("runs an operation's first sighting on graphql-js, and compiles it when it comes back", async () => {
    const query = `query Back { tags(first: 1) { nodes { slug } } }`;
    const before = t.server.operations.compilations;
    const first = await overHttp({ name: "first", query });
    expect(t.server.operations.compilations - before).toBe(0);
    const second = await overHttp({ name: "second", query });
    expect(t.server.operations.compilations - before).toBe(1);
    expect(second).toEqual(first);
  });

  itOnFastPath(`never compiles an operation of more than ${MAX_COMPILED_FIELDS} fields, and answers it the same`, async () => {
    // Within every limit (no aliases, little depth, low cost), yet costly to compile.
    const many = `fragment F on Article { title } query Many { articles(first: 2) { nodes { ${"...F ".repeat(MAX_COMPILED_FIELDS)} } } }`;
    const before = t.server.operations.compilations;
    for (let i = 0; i < 3; i++) {
      const { status, body } = await overHttp({ name: "many", query: many });
      expect(status).toBe(200);
      expect(body).toEqual(await overGraphqlJs({ name: "many", query: many }));
    }
    // Counted once, when it came back and was found too big; it then stays on graphql-js.
    expect(t.server.operations.compilations - before).toBe(1);
    const single = `query One { articles(first: 2) { nodes { ${"title ".repeat(MAX_COMPILED_FIELDS - 2)} } } }`;
    for (let i = 0; i < 2; i++) await overHttp({ name: "one", query: single });
    expect(t.server.operations.compilations - before).toBe(2);
  });

  itOnFastPath("compiles each operation name of a document on its own, once", async () => {
    const query = `query Titles { articles(first: 2) { nodes { title } } } query Tags { tags(first: 2) { nodes { name } } }`;
    const before = t.server.operations.compilations;
    const titles = await overHttp({ name: "titles", query, operationName: "Titles" });
    const tags = await overHttp({ name: "tags", query, operationName: "Tags" });
    for (const operationName of ["Titles", "Tags", "Titles", "Tags"]) await overHttp({ name: "again", query, operationName });
    expect(titles.body.data).toEqual({ articles: { nodes: [{ title: expect.any(String) }, { title: expect.any(String) }] } });
    expect(tags.body.data).toEqual({ tags: { nodes: [{ name: expect.any(String) }, { name: expect.any(String) }] } });
    expect(t.server.operations.compilations - before).toBe(2);
  });
});

const STATUS_OF: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400 };

/**
 * What the server's resolvers cannot tell apart, shown on a probe schema whose resolvers answer
 * how their arguments arrived and throw what they are told: graphql-js leaves out a field whose
 * variable was left out (graphql-jit would pass null), passes a DateTime default as a Date
 * (graphql-jit would pass a string), and serves a plain Error as a GraphQLError with extensions
 * and the original error (graphql-jit's has no extensions, which Apollo reads).
 */
describe("compiled execution beside graphql-js, on a probe schema", () => {
  const schema = buildSchema(`
    scalar DateTime
    input Filter { search: String at: DateTime }
    type Query {
      probe(where: Filter, at: DateTime): String
      fails(kind: String!): String
      list: [Item!]!
    }
    type Item { name: String! }
  `);
  const dateTime = schema.getType("DateTime") as GraphQLScalarType;
  Object.assign(dateTime, {
    serialize: (value: unknown) => (value instanceof Date ? value.toISOString() : value),
    parseValue: (value: unknown) => new Date(String(value)),
    parseLiteral: (node: { kind: string; value?: string }) => (node.kind === Kind.STRING ? new Date(String(node.value)) : undefined),
  });
  const query = schema.getQueryType()!;
  query.getFields().probe.resolve = (_root, args: { where?: Record<string, unknown>; at?: unknown }) =>
    JSON.stringify({
      keys: args.where ? Object.keys(args.where) : null,
      whereAt: args.where?.at instanceof Date ? "Date" : typeof args.where?.at,
      at: args.at instanceof Date ? "Date" : typeof args.at,
    });
  query.getFields().fails.resolve = (_root, args: { kind: string }) => {
    if (args.kind === "plain") throw new Error("plain failure");
    if (args.kind === "coded") throw new GraphQLError("coded failure", { extensions: { code: "FORBIDDEN" } });
    return null;
  };
  query.getFields().list.resolve = () => [{ name: "a" }, { name: null }];

  const cases: Case[] = [
    { name: "left out inside an object", query: `query($s: String) { probe(where: { search: $s }) }` },
    { name: "given inside an object", query: `query($s: String) { probe(where: { search: $s }) }`, variables: { s: "x" } },
    { name: "DateTime default", query: `query($at: DateTime = "2017-01-01T00:00:00Z") { probe(at: $at) }` },
    { name: "DateTime default in an object", query: `query($w: Filter = { at: "2017-01-01T00:00:00Z" }) { probe(where: $w) }` },
    { name: "DateTime literal", query: `{ probe(at: "2017-01-01T00:00:00Z", where: { at: "2017-01-01T00:00:00Z" }) }` },
    { name: "plain error", query: `{ fails(kind: "plain") ok: fails(kind: "none") }` },
    { name: "coded error", query: `{ fails(kind: "coded") }` },
    { name: "null in a non-null list item", query: `{ list { name } }` },
  ];

  it.each(cases)("answers $name as graphql-js does", async (c) => {
    const operations = new CompiledOperations(schema, { compileOnRun: 1 });
    const document = parse(c.query);
    const request = { document, operationName: undefined, variables: c.variables ?? {}, contextValue: {} };
    const plain = await execute({ schema, document, variableValues: request.variables });
    const compiled = await operations.execute(request);
    // Twice: the second run takes the compiled operation from the cache.
    for (const result of [compiled, await operations.execute(request)]) {
      expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(JSON.stringify(plain)));
      expect(result.errors?.map((error) => [error instanceof GraphQLError, error.extensions, error.originalError?.message])).toEqual(
        plain.errors?.map((error) => [true, error.extensions, error.originalError?.message]),
      );
    }
    expect(operations.compilations).toBe(1);
  });
});
