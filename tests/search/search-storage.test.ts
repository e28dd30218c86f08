/**
 * On PostgreSQL an article's search document stays in search_article's own pages, not in its
 * TOAST table (migration SearchDocumentsInline): out of line, the table looked so small that the
 * planner read it whole, fetching every document, instead of using the GIN index. And the
 * documents' statistics keep enough lexemes for a rare word to be estimated as rare.
 */
import { randomBytes } from "node:crypto";
import { indexArticles } from "../../src/search/search-index";
import { openTestDatabase, TestDatabase } from "../helpers/databases";
import { uniqueArticle } from "../helpers/discussion";
import { importArticle } from "../../src/ingest/import";

const describeWithPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describeWithPostgres("search documents on PostgreSQL", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase("postgres");
  });
  afterAll(() => db.close());

  /** Bytes in the TOAST table behind a table's documents. */
  async function outOfLine(table: string): Promise<number> {
    const [row] = await db.dataSource.query(`SELECT pg_relation_size(reltoastrelid) AS n FROM pg_class WHERE oid = CAST($1 AS regclass)`, [table]);
    return Number(row.n);
  }

  it("keep a long article's and a long comment's documents in their tables' own pages", async () => {
    // Words that do not repeat, so a document stays over 2 kB once compressed (a row over about
    // 2 kB is what PostgreSQL moves out of line), and well under the 8 kB past which even STORAGE MAIN
    // must (random hex hardly compresses: 500 such words came close to it).
    const distinct = (n: number) => Array.from({ length: n }, () => randomBytes(4).toString("hex"));
    const words = distinct(350);
    const paragraphs = [words.slice(0, 175).join(" "), words.slice(175).join(" ")];
    const comments = [{ author: "Ann", hasAvatar: true, body: distinct(350).join(" ") }];
    const { articleId } = await importArticle(db.dataSource, uniqueArticle({ paragraphs, comments }));
    // Written again, as an edit to the article would.
    await db.dataSource.transaction((manager) => indexArticles(manager, [{ id: articleId, title: "Long", section: null, tags: [], paragraphs }]));

    const [stored] = await db.dataSource.query(`SELECT pg_column_size(document) AS n FROM search_article WHERE "articleId" = $1`, [articleId]);
    expect(Number(stored.n)).toBeGreaterThan(2000);
    expect(Number(stored.n)).toBeLessThan(6000);
    const [comment] = await db.dataSource.query(
      `SELECT pg_column_size(s.document) AS n FROM search_comment s JOIN "comment" c ON c."id" = s."commentId" WHERE c."articleId" = $1`,
      [articleId],
    );
    expect(Number(comment.n)).toBeGreaterThan(2000);
    expect(await outOfLine("search_article")).toBe(0);
    expect(await outOfLine("search_comment")).toBe(0);
  });

  it("keep statistics on 10,000 lexemes, so a rare word is not estimated at 0.5% of the table", async () => {
    const rows = await db.dataSource.query(
      `SELECT attrelid::regclass::text AS t, attstattarget AS n FROM pg_attribute
       WHERE attrelid IN (CAST('search_article' AS regclass), CAST('search_comment' AS regclass)) AND attname = 'document' ORDER BY 1`,
    );
    expect(rows.map((row: { t: string; n: number }) => [row.t.replace(/^.*\./, ""), Number(row.n)])).toEqual([
      ["search_article", 1000],
      ["search_comment", 1000],
    ]);
  });
});
