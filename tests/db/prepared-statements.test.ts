/**
 * PostgreSQL keeps reads by key prepared (src/db/prepared-statements.ts). A kept statement must
 * answer as an unnamed one would, a failure must come out as TypeORM's own, a filter whose plan
 * depends on its value must stay unnamed, and the switch that turns the fast path off turns this
 * off too. (tests/db/statement-cache.test.ts also runs its repeated reads on PostgreSQL.)
 */
import { QueryFailedError } from "typeorm";
import { MAX_PREPARED_PARAMETERS, preparedStatementsOf, PreparedStatements } from "../../src/db/prepared-statements";
import { list, run, sql } from "../../src/db/sql";
import { engines, openTestDatabase } from "../helpers/databases";
import { seedGenerated } from "../helpers/fixtures";
import { startTestServer, TestServer } from "../helpers/test-server";

describe("PreparedStatements names", () => {
  const statements = () => new PreparedStatements({ query: async () => ({ rows: [] }) }, 2);

  it("names a text on its second run, the same name after, and no more texts than its limit", () => {
    const named = statements();
    expect(named.nameFor("SELECT 1")).toBeUndefined();
    const name = named.nameFor("SELECT 1");
    expect(name).toMatch(/^threadline_\d+$/);
    expect(named.nameFor("SELECT 1")).toBe(name);
    for (const text of ["SELECT 2", "SELECT 2", "SELECT 3", "SELECT 3", "SELECT 3"]) named.nameFor(text);
    expect(named.namedTexts()).toEqual(["SELECT 1", "SELECT 2"]);
    expect(named.nameFor("SELECT 3")).toBeUndefined();
    expect(new Set([name, named.nameFor("SELECT 2")]).size).toBe(2);
  });
});

const onPostgres = engines.includes("postgres") ? describe : describe.skip;

onPostgres("prepared reads on postgres", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("postgres", { seed: false });
    await seedGenerated(t.db.dataSource, 6, 1);
  });
  afterAll(() => t.close());

  const PAGE = `query($slug: String!) { article(slug: $slug) { title paragraphs tags { slug } comments(first: 3) { totalCount nodes { body author { name } } } } }`;

  it("answers a repeated article page the same once its statements are named", async () => {
    const { articles } = await t.data(`{ articles(first: 6) { nodes { slug } } }`);
    const slugs: string[] = articles.nodes.map((node: { slug: string }) => node.slug);
    const first = await Promise.all(slugs.map((slug) => t.data(PAGE, { slug })));
    for (let round = 0; round < 3; round++) {
      expect(await Promise.all(slugs.map((slug) => t.data(PAGE, { slug })))).toEqual(first);
    }
    const named = preparedStatementsOf(t.db.dataSource)!.namedTexts();
    expect(named.some((text) => /a\."slug" IN/.test(text))).toBe(true);
    expect(named.some((text) => /FROM comment c/.test(text))).toBe(true);
  });

  it("answers through a migration that changes the type of a column its named statements read", async () => {
    // A rolling deploy: another instance migrates while this one serves. PostgreSQL refuses to run
    // a statement prepared before such a change ("cached plan must not change result type"), once
    // on each connection that prepared it; a client must not see that.
    const { articles } = await t.data(`{ articles(first: 6) { nodes { slug } } }`);
    const slugs: string[] = articles.nodes.map((node: { slug: string }) => node.slug);
    const first = await Promise.all(slugs.map((slug) => t.data(PAGE, { slug })));
    for (let round = 0; round < 2; round++) await Promise.all(slugs.map((slug) => t.data(PAGE, { slug })));
    await t.db.dataSource.query(`ALTER TABLE "article" ALTER COLUMN "dateline" TYPE varchar(300)`);
    try {
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(slugs.map((slug) => t.gql(PAGE, { slug })));
        expect(answers.map((answer) => answer.errors ?? [])).toEqual(slugs.map(() => []));
        expect(answers.map((answer) => answer.data)).toEqual(first);
      }
    } finally {
      await t.db.dataSource.query(`ALTER TABLE "article" ALTER COLUMN "dateline" TYPE varchar(200)`);
    }
  });

  it("leaves a list filtered by a client's values unnamed", async () => {
    for (let i = 0; i < 3; i++) {
      await t.data(
        `{ a: articles(first: 2, where: { section: "World" }) { totalCount nodes { title } } b: articles(first: 2, where: { search: "story" }) { nodes { title } } }`,
      );
    }
    const named = preparedStatementsOf(t.db.dataSource)!.namedTexts();
    expect(named.filter((text) => /sectionKey|search_/.test(text))).toEqual([]);
  });

  it("fails a named statement as TypeORM fails one, and runs the next", async () => {
    const db = t.db.dataSource;
    for (let i = 0; i < 3; i++) {
      const failure = await run(db, sql`SELECT 1 / ${0}::int AS x`, { prepare: true }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(QueryFailedError);
      expect((failure as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe("22012");
    }
    expect(preparedStatementsOf(db)!.namedTexts()).toContain("SELECT 1 / $1::int AS x");
    expect(await run(db, sql`SELECT 6 / ${2}::int AS x`, { prepare: true })).toEqual([{ x: 3 }]);
  });

  it("leaves a statement with a long list of parameters unnamed", async () => {
    const db = t.db.dataSource;
    const ids = Array.from({ length: MAX_PREPARED_PARAMETERS + 1 }, (_, i) => i + 1);
    for (let i = 0; i < 3; i++)
      expect(await run(db, sql`SELECT COUNT(*)::int AS n FROM article a WHERE a."id" IN ${list(ids)}`, { prepare: true })).toEqual([{ n: 6 }]);
    expect(
      preparedStatementsOf(db)!
        .namedTexts()
        .filter((text) => text.includes(`$${MAX_PREPARED_PARAMETERS + 1}`)),
    ).toEqual([]);
  });

  it("names nothing when the fast path is off (GRAPHQL_EXECUTOR=graphql-js)", async () => {
    const plain = await openTestDatabase("postgres", undefined, { statementCache: false });
    try {
      expect(preparedStatementsOf(plain.dataSource)).toBeUndefined();
      for (let i = 0; i < 3; i++) expect(await run(plain.dataSource, sql`SELECT ${1}::int AS x`, { prepare: true })).toEqual([{ x: 1 }]);
    } finally {
      await plain.close();
    }
  });
});
