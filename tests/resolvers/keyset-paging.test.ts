/**
 * A page after a cursor seeks: the page's statement compares the sort keys as one row value,
 * `(a, id) > (?, ?)`, which the engine turns into an index range that starts at the cursor, and
 * the other side of the cursor is probed with LIMIT 1. Before, `a > ? OR (a = ? AND id > ?)`
 * walked the index from its start, and hasPreviousPage counted every row before the cursor. The
 * plans are read from the engines themselves (EXPLAIN), for the statements a request really ran.
 */
import { refreshStatistics } from "../../src/db/statistics";
import { importArticles } from "../../src/ingest/import";
import { engines } from "../helpers/databases";
import { generatedArticle } from "../helpers/fixtures";
import { startTestServer, TestServer } from "../helpers/test-server";

const ARTICLES = 400;

interface Statement {
  query: string;
  parameters: unknown[];
}

describe.each(engines)("keyset paging on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    const results = await importArticles(
      t.db.dataSource,
      Array.from({ length: ARTICLES }, (_, i) => generatedArticle(i, 2)),
    );
    expect(results.every((result) => !(result instanceof Error))).toBe(true);
    await refreshStatistics(t.db.dataSource);
  });
  afterAll(() => t.close());

  /** The statements an operation sends, with their parameters. */
  async function statementsOf(query: string, variables: Record<string, unknown>): Promise<Statement[]> {
    const captured: Statement[] = [];
    const restore: (() => void)[] = [];
    for (const source of t.db.dataSource.dataSources()) {
      const logger = source.logger;
      const original = logger.logQuery.bind(logger);
      logger.logQuery = (text, parameters, runner) => {
        captured.push({ query: text, parameters: parameters ?? [] });
        return original(text, parameters, runner);
      };
      restore.push(() => (logger.logQuery = original));
    }
    try {
      await t.data(query, variables);
    } finally {
      restore.forEach((undo) => undo());
    }
    return captured;
  }

  /** The engine's plan of a statement, one line per step. */
  async function plan(statement: Statement): Promise<string> {
    const ds = t.db.dataSource;
    if (engine === "postgres") {
      const rows: { "QUERY PLAN": string }[] = await ds.query(`EXPLAIN ${statement.query}`, statement.parameters);
      return rows.map((row) => row["QUERY PLAN"]).join("\n");
    }
    const rows: { detail: string }[] = await ds.query(`EXPLAIN QUERY PLAN ${statement.query}`, statement.parameters);
    return rows.map((row) => row.detail).join("\n");
  }

  async function cursorAfter(query: string, pick: (data: any) => any): Promise<string> {
    return pick(await t.data(query)).pageInfo.endCursor;
  }

  it("seeks to the cursor of the article list, and probes the other side with LIMIT 1", async () => {
    const cursor = await cursorAfter(`{ articles(first: 100, orderBy: PUBLISHED_AT_ASC) { pageInfo { endCursor } } }`, (d) => d.articles);
    const query = `query($c: String) { articles(first: 5, after: $c, orderBy: PUBLISHED_AT_ASC) { pageInfo { hasPreviousPage hasNextPage } nodes { title } } }`;
    const page = await t.data(query, { c: cursor });
    expect(page.articles.nodes.map((n: { title: string }) => n.title)).toEqual([100, 101, 102, 103, 104].map((i) => `Generated Story Number ${i}`));
    expect(page.articles.pageInfo).toEqual({ hasPreviousPage: true, hasNextPage: true });

    const statements = await statementsOf(query, { c: cursor });
    const pageStatement = statements.find((s) => /FROM article a WHERE .*> \(/.test(s.query) && / LIMIT /.test(s.query));
    const probe = statements.find((s) => /FROM article a WHERE .*<= \(/.test(s.query));
    expect(pageStatement?.query).toContain(`(a."publishedAt", a."id") > (`);
    expect(probe?.query).toMatch(/ LIMIT 1$/);
    if (engine === "sqlite") {
      // The page reads its rows' columns too, so the index is not covering; it still seeks.
      expect(await plan(pageStatement!)).toContain("SEARCH a USING INDEX IDX_article_published_at ((publishedAt,rowid)>(?,?))");
      expect(await plan(probe!)).toContain("SEARCH a USING COVERING INDEX IDX_article_published_at ((publishedAt,rowid)<(?,?))");
    } else {
      const steps = await plan(pageStatement!);
      expect(steps).toMatch(/Index (Only )?Scan using "IDX_article_published_at"/);
      expect(steps).toMatch(/Index Cond: \(ROW\("publishedAt", id\) > ROW\(/);
      expect(steps).not.toContain("Sort");
      expect(await plan(probe!)).toMatch(/Index Cond: \(ROW\("publishedAt", id\) <= ROW\(/);
    }
  });

  it("seeks to the cursor of a tag's articles from the tag rows alone", async () => {
    const first = `{ tag(slug: "generated") { articles(first: 50) { pageInfo { endCursor } } } }`;
    const cursor = await cursorAfter(first, (d) => d.tag.articles);
    const query = `query($c: String) { tag(slug: "generated") { articles(first: 5, after: $c) { totalCount pageInfo { hasPreviousPage } nodes { title } } } }`;
    const page = await t.data(query, { c: cursor });
    expect(page.tag.articles.totalCount).toBe(ARTICLES);
    expect(page.tag.articles.nodes[0].title).toBe(`Generated Story Number ${ARTICLES - 51}`);

    const statements = await statementsOf(query, { c: cursor });
    const pageStatement = statements.find((s) => /FROM article_tag at WHERE .* < \(/.test(s.query));
    expect(pageStatement?.query).toContain(`(at."publishedAt", at."articleId") < (`);
    // No COUNT: the total is the tag's stored articleCount.
    expect(statements.some((s) => /COUNT\(/.test(s.query))).toBe(false);
    if (engine === "sqlite") {
      expect(await plan(pageStatement!)).toContain("SEARCH at USING COVERING INDEX IDX_article_tag_tag (tagId=? AND (publishedAt,articleId)<(?,?))");
    } else {
      const steps = await plan(pageStatement!);
      expect(steps).toMatch(/Index (Only )?Scan( Backward)? using "IDX_article_tag_tag"/);
      expect(steps).toMatch(/ROW\("publishedAt", "articleId"\) < ROW\(/);
      expect(steps).not.toContain("Sort");
    }
  });
});
