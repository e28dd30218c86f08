/**
 * Queries built to make the server work hard, sent over real HTTP and WebSocket to a production
 * server. Each is refused before execution as a client error (HTTP 400) while a cheap read sent at
 * the same time is still answered. How long each takes is measured by `npm run bench:hostile`
 * (scripts/bench-hostile.ts), not asserted here.
 */
import { Client } from "graphql-ws";
import { engines } from "../helpers/databases";
import { listen, probe, wsClient } from "../helpers/subscriptions";
import { startTestServer, TestServer } from "../helpers/test-server";
import { QUERY_LIMITS } from "../../src/schema/limits";
import { renderDump } from "../../src/ingest/render-dump";
import { IMPORT_DUMP, uniqueArticle } from "../helpers/discussion";

// Response bodies are checked field by field; `any` keeps those checks short.

type Body = any;

interface Answer {
  status: number;
  body: Body;
}

async function post(url: string, body: unknown): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await response.text();
  let parsed: Body;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, body: parsed };
}

/** Fragments F0..F{n-1}, each spreading the next one twice: 2^n selections once spread out. */
function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) =>
    i === levels - 1 ? `fragment F${i} on Article { id title }` : `fragment F${i} on Article { ...F${i + 1} ...F${i + 1} }`,
  );
  return `{ articles(first: 1) { nodes { ...F0 } } }\n${fragments.join("\n")}`;
}

function aliases(count: number, field = "a: tags(first: 0) { totalCount }"): string {
  return `{ ${Array.from({ length: count }, (_, i) => field.replace(/^a:/, `a${i}:`)).join(" ")} }`;
}

const CHEAP = { query: "{ articles(first: 1) { totalCount } }" };

describe.each(engines)("hostile queries against a production server on %s", (engine) => {
  let t: TestServer;
  let host: string;
  let url: string;
  let ws: Client | null = null;
  beforeAll(async () => {
    t = await startTestServer(engine, { production: true });
    host = await listen(t.server.httpServer);
    url = `http://${host}/graphql`;
  });
  afterEach(async () => {
    await ws?.dispose();
    ws = null;
  });
  afterAll(() => t.close());

  /** Sends the attack and a cheap read together; the read must not wait on the attack. */
  async function attack(body: unknown): Promise<{ hostile: Answer; cheap: Answer }> {
    const hostile = post(url, body);
    const cheap = post(url, CHEAP);
    return { hostile: await hostile, cheap: await cheap };
  }

  /** The cheap read sent beside an attack was answered in full. */
  function expectAnswered(cheap: Answer): void {
    expect(cheap.status).toBe(200);
    expect(cheap.body.errors).toBeUndefined();
    expect(cheap.body.data.articles.totalCount).toBeGreaterThan(0);
  }

  function expectRefused(answer: Answer, pattern: RegExp): void {
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(answer.body.errors[0].message).toMatch(pattern);
  }

  it("refuses 24 fragments that each spread the next twice, and answers a read sent beside them", async () => {
    const query = fragmentBomb(24);
    expect(query.length).toBeLessThan(1500);
    const { hostile, cheap } = await attack({ query });
    // Its fields are 3 levels deep (fragments add none); spread out, it is 2^23 selections.
    expectRefused(hostile, /too large once its fragments are spread out/);
    expectAnswered(cheap);
  });

  it("refuses a wide fragment fan-out within the depth limit by its expanded size", async () => {
    // Five levels (within the depth limit), each spreading the next 40 times: 40^5 selections.
    const levels = 5;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Query { __typename }` : `fragment F${i} on Query { ${Array.from({ length: 40 }, () => `...F${i + 1}`).join(" ")} }`,
    );
    const { hostile, cheap } = await attack({ query: `{ ...F0 }\n${fragments.join("\n")}` });
    expectRefused(hostile, /too large once its fragments are spread out/);
    expectAnswered(cheap);
  });

  it(`allows ${QUERY_LIMITS.maxAliases} aliases and refuses one more (graphql-cop's 101 too)`, async () => {
    const ok = await post(url, { query: aliases(QUERY_LIMITS.maxAliases) });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    expectRefused(await post(url, { query: aliases(QUERY_LIMITS.maxAliases + 1) }), /aliases; the maximum is 30/);
    expectRefused(await post(url, { query: aliases(101) }), /the query uses 101 aliases/);
    // graphql-cop aliases __typename: that counts too.
    expectRefused(await post(url, { query: aliases(101, "a: __typename") }), /the query uses 101 aliases/);
  });

  it("refuses 80,000 aliases (1.4 MB) at the token limit, before building a document", async () => {
    const query = aliases(80_000, "a: __typename");
    expect(query.length).toBeGreaterThan(1_400_000);
    const { hostile, cheap } = await attack({ query });
    expect(hostile.status).toBe(400);
    expect(hostile.body.errors[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(hostile.body.errors[0].message).toMatch(/Document contains more tha[nt] 5000 tokens/);
    expectAnswered(cheap);
  });

  it("refuses a directive repeated at one place, known or not (graphql-cop's directive overloading)", async () => {
    const answer = await post(url, { query: `query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }` });
    expect(answer.status).toBe(400);
    const messages: string[] = answer.body.errors.map((error: Body) => error.message);
    expect(messages).toContain("the directive @aa is repeated at one place; give each directive once");
    const known = await post(url, { query: `{ __typename @include(if: true) @include(if: true) }` });
    expect(known.status).toBe(400);
    expect(known.body.errors.map((error: Body) => error.message)).toContain("the directive @include is repeated at one place; give each directive once");
  });

  it("refuses too many directives", async () => {
    const query = `{ __typename ${Array.from({ length: QUERY_LIMITS.maxDirectives + 1 }, () => `@include(if: true)`).join(" ")} }`;
    expectRefused(await post(url, { query }), /directives; the maximum is 30/);
  });

  it("answers depth and cost refusals with HTTP 400, and runs no statement", async () => {
    let nested = "id";
    for (let i = 0; i < QUERY_LIMITS.maxDepth; i++) nested = `replies { nodes { ${nested} } }`;
    expectRefused(await post(url, { query: `{ comment(id: "x") { ${nested} } }` }), /maximum query depth is 12/);
    const costly = await post(url, {
      query: `query($n: Int) { articles(first: $n) { nodes { comments(first: $n) { nodes { replies(first: $n) { nodes { body } } } } } } }`,
      variables: { n: 100 },
    });
    expectRefused(costly, /^query cost \d+ exceeds the limit of 50000/);
  });

  it("answers a variable of the wrong type with HTTP 400 and a client error code", async () => {
    const answer = await post(url, { query: `query($n: Int) { articles(first: $n) { totalCount } }`, variables: { n: "ten" } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].message).toMatch(/Variable "\$n" got invalid value "ten"/);
    expect(answer.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("suggests no field, argument or type names in production", async () => {
    const answer = await post(url, { query: `{ articles(frist: 1) { totalCont } }` });
    expect(answer.status).toBe(400);
    const messages = answer.body.errors.map((error: Body) => error.message).join("\n");
    expect(messages).toMatch(/Unknown argument "frist"/);
    expect(messages).not.toMatch(/Did you mean/);
    expect(messages).not.toMatch(/"first"|totalCount/);
  });

  it("refuses NUL and unpaired surrogates in any text argument alike on both engines, naming it, and writes nothing", async () => {
    const before = await t.data(`{ articles { totalCount } tags { totalCount } authors { totalCount } }`);
    const cases: [string, Record<string, unknown>, string][] = [
      [`query($s: String) { articles(where: { search: $s }) { totalCount } }`, { s: "a\u0000b" }, "where.search"],
      [`{ articles(where: { section: "x\u0000" }) { totalCount } }`, {}, "where.section"],
      [`query($slug: String!) { tag(slug: $slug) { id } }`, { slug: "\u0000" }, "slug"],
      [`query($slug: String) { article(slug: $slug) { id } }`, { slug: "\ud800" }, "slug"],
      [`{ author(name: "\u0000") { id } }`, {}, "name"],
      [`query($t: [String!]) { articles(where: { tagSlugIn: $t }) { totalCount } }`, { t: ["ok", "x\u0000"] }, "where.tagSlugIn"],
    ];
    for (const [query, variables, argument] of cases) {
      const answer = await post(url, { query, variables });
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: argument });
    }
    const write = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.config.apiToken}` },
      body: JSON.stringify({
        query: `mutation($a: ID!) { addComment(articleId: $a, body: "hi\u0000there", authorName: "x") { comment { id } } }`,
        variables: { a: "QXJ0aWNsZTox" },
      }),
    });
    expect(write.status).toBe(400);
    expect(await t.data(`{ articles { totalCount } tags { totalCount } authors { totalCount } }`)).toEqual(before);
  });

  /** Row counts of every table: "nothing was written". */
  async function sizes(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of ["article", "tag", "article_tag", "related_link", "author", "comment"]) {
      const [{ n }] = await t.db.dataSource.query(`SELECT COUNT(*) AS n FROM "${table}"`);
      out[table] = Number(n);
    }
    return out;
  }

  async function importText(text: string): Promise<Answer> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.config.apiToken}` },
      body: JSON.stringify({ query: IMPORT_DUMP, variables: { text } }),
    });
    return { status: response.status, body: await response.json() };
  }

  it("prices search words: 1,000 aliases are refused, 30 aliases of a long search are over budget, and one is capped", async () => {
    const before = await sizes();
    const thousand = `query($s: String) { ${Array.from({ length: 1000 }, (_, i) => `a${i}: articles(first: 0, where: { search: $s }) { totalCount }`).join(" ")} }`;
    const { hostile, cheap } = await attack({ query: thousand, variables: { s: "minister" } });
    // 1,000 aliases are over the token limit before they are over the alias limit.
    expect(hostile.status).toBe(400);
    expect(hostile.body.errors[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    expectAnswered(cheap);

    const words = Array.from({ length: 998 }, (_, i) => `w${i}`).join(" ");
    const thirty = `query($s: String) { ${Array.from({ length: 30 }, (_, i) => `a${i}: articles(first: 0, where: { search: $s }) { totalCount }`).join(" ")} }`;
    const overBudget = await attack({ query: thirty, variables: { s: words.split(" ").slice(0, 12).join(" ") } });
    expectRefused(overBudget.hostile, /^query cost \d+ exceeds the limit of 50000/);
    expectAnswered(overBudget.cheap);

    const one = await post(url, {
      query: `query($s: String) { articles(where: { search: $s }) { totalCount } }`,
      variables: { s: words.split(" ").slice(0, 13).join(" ") },
    });
    expect(one.status).toBe(400);
    expect(one.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "where" });
    expect(one.body.errors[0].message).toMatch(/"where.search" holds 13 words; the limit is 12/);
    const long = await post(url, { query: `query($s: String) { articles(where: { search: $s }) { totalCount } }`, variables: { s: words } });
    expect(long.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "where" });
    expect(long.body.errors[0].message).toMatch(/"where.search" is longer than 200 characters/);
    expect(await sizes()).toEqual(before);
  });

  it("refuses 50,000 tag slugs before any SQL, naming the argument", async () => {
    const slugs = Array.from({ length: 50_000 }, (_, i) => `tag-${i}`);
    const { hostile, cheap } = await attack({ query: `query($t: [String!]) { articles(where: { tagSlugIn: $t }) { totalCount } }`, variables: { t: slugs } });
    expect(hostile.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "where" });
    expect(hostile.body.errors[0].message).toMatch(/at most 100 slugs/);
    expectAnswered(cheap);
  });

  it("refuses a dump with 1,000 tags or a 500,000-character comment, naming the part, and writes nothing", async () => {
    const before = await sizes();
    const tagged = await importText(renderDump(uniqueArticle({ tags: Array.from({ length: 1000 }, (_, i) => `Tag ${i}`) })));
    expect(tagged.status).toBe(400);
    expect(tagged.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(tagged.body.errors[0].message).toMatch(/the dump has 1000 tags; the limit is 50/);

    const long = await importText(renderDump(uniqueArticle({ comments: [{ author: "Ann", hasAvatar: true, body: "x".repeat(500_000) }] })));
    expect(long.status).toBe(400);
    expect(long.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(long.body.errors[0].message).toMatch(/comment 1 is 500000 characters long; the limit is 10000/);
    expect(await sizes()).toEqual(before);

    const fine = await importText(renderDump(uniqueArticle({ tags: Array.from({ length: 50 }, (_, i) => `Tag ${i}`) })));
    expect(fine.body.errors).toBeUndefined();
  });

  it("answers every refusal of a whole request with a 4xx that matches its code, and partial data with 200", async () => {
    const anonymous = await post(url, { query: IMPORT_DUMP, variables: { text: renderDump(uniqueArticle()) } });
    expect([anonymous.status, anonymous.body.errors[0].extensions.code]).toEqual([401, "UNAUTHENTICATED"]);
    const missing = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.config.apiToken}` },
      body: JSON.stringify({ query: `mutation { deleteComment(id: "Q29tbWVudDo5OTk5OTk5") { comment { id } } }` }),
    });
    const missingBody = (await missing.json()) as Body;
    expect([missing.status, missingBody.errors[0].extensions.code]).toEqual([404, "NOT_FOUND"]);
    const partial = await post(url, { query: `{ articles(first: 1) { totalCount } article(id: "x", slug: "y") { id } }` });
    expect(partial.status).toBe(200);
    expect(partial.body.data.articles.totalCount).toBeGreaterThan(0);
    expect(partial.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("prices nested tag lists by their cap, so a tag fan-out within it is answered and a wider one refused", async () => {
    const query = `{ articles(first: 5) { nodes { tags { articles(first: 1) { nodes { tags { slug } } } } } } }`;
    const { hostile, cheap } = await attack({ query });
    expect(hostile.status).toBe(200);
    expect(hostile.body.errors).toBeUndefined();
    expect(hostile.body.data.articles.nodes.length).toBeGreaterThan(0);
    expectAnswered(cheap);
    const wide = await post(url, { query: `{ articles(first: 100) { nodes { tags { articles(first: 100) { nodes { tags { slug } } } } } } }` });
    expectRefused(wide, /^query cost \d+ exceeds the limit of 50000/);
  });

  it("refuses introspection over WebSocket in production, without a token", async () => {
    ws = wsClient(host);
    const outcome = await probe(ws, `subscription { __schema { mutationType { name } } }`).next();
    expect(outcome.kind).toBe("error");
    const errors = (outcome as { error: { message: string }[] }).error;
    expect(JSON.stringify(errors)).toMatch(/introspection/i);
    expect(JSON.stringify(errors)).not.toMatch(/Mutation/);
  });

  it("applies the same limits to subscriptions, and hides suggestions there too", async () => {
    ws = wsClient(host);
    const bomb = fragmentBomb(24).replace("{ articles(first: 1) { nodes { ...F0 } } }", `subscription { commentAdded(articleId: "x") { article { ...F0 } } }`);
    const refused = await probe(ws, bomb).next();
    expect(refused.kind).toBe("error");
    expect(JSON.stringify((refused as { error: unknown }).error)).toMatch(/too large once its fragments are spread out/);

    const misspelt = await probe(ws, `subscription { commentAdded(articleId: "x") { bdy } }`).next();
    expect(misspelt.kind).toBe("error");
    const text = (misspelt as { error: { message: string }[] }).error.map((error) => error.message).join("\n");
    expect(text).toMatch(/Cannot query field "bdy"/);
    expect(text).not.toMatch(/Did you mean/);
  });
});
