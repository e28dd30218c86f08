import { MigrationInterface, QueryRunner } from "typeorm";
import { indexNewArticles, indexNewComments } from "./frozen/search-entries";

/** Rows read per backfill statement. */
const BACKFILL_ARTICLES = 500;
const BACKFILL_COMMENTS = 5_000;

/**
 * The full-text index behind Query.search and `where.search`, filled from the rows already
 * stored. Each engine gets its own kind of index, filled with the same tokens (see
 * src/search/search-document.ts, here as frozen/search-document.ts, the tokens as they were then):
 * - SQLite: contentless FTS5 tables (the text itself stays in article and comment), with
 *   contentless_delete so an entry can be replaced or removed by rowid. unicode61 only splits on
 *   the spaces between our tokens, with its own diacritic folding off: our code folds. Prefix
 *   indexes for two and three characters keep short `word*` look-ups from walking every term.
 * - PostgreSQL: one tsvector per row beside a foreign key that cascades, with a GIN index.
 */
export class SearchIndex1764400000000 implements MigrationInterface {
  name = "SearchIndex1764400000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === "postgres";
    if (postgres) {
      await queryRunner.query(
        `CREATE TABLE "search_article" ("articleId" integer PRIMARY KEY REFERENCES "article" ("id") ON DELETE CASCADE, "document" tsvector NOT NULL)`,
      );
      await queryRunner.query(
        `CREATE TABLE "search_comment" ("commentId" integer PRIMARY KEY REFERENCES "comment" ("id") ON DELETE CASCADE, "document" tsvector NOT NULL)`,
      );
      await queryRunner.query(`CREATE INDEX "IDX_search_article_document" ON "search_article" USING GIN ("document")`);
      await queryRunner.query(`CREATE INDEX "IDX_search_comment_document" ON "search_comment" USING GIN ("document")`);
    } else {
      const options = `content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0', prefix='2 3'`;
      await queryRunner.query(`CREATE VIRTUAL TABLE "search_article" USING fts5(title, labels, body, title_forms, labels_forms, body_forms, ${options})`);
      await queryRunner.query(`CREATE VIRTUAL TABLE "search_comment" USING fts5(body, body_forms, ${options})`);
    }

    const p = (n: number) => (postgres ? `$${n}` : "?");
    let lastId = 0;
    for (;;) {
      const rows = (await queryRunner.query(
        `SELECT "id", "title", "section", "paragraphs" FROM "article" WHERE "id" > ${p(1)} ORDER BY "id" LIMIT ${BACKFILL_ARTICLES}`,
        [lastId],
      )) as { id: number; title: string; section: string | null; paragraphs: string }[];
      if (rows.length === 0) break;
      const ids = rows.map((row) => Number(row.id));
      const tags = (await queryRunner.query(
        `SELECT at."articleId", t."name" FROM "article_tag" at JOIN "tag" t ON t."id" = at."tagId"
         WHERE at."articleId" >= ${p(1)} AND at."articleId" <= ${p(2)} ORDER BY at."articleId", at."position"`,
        [ids[0], ids[ids.length - 1]],
      )) as { articleId: number; name: string }[];
      const tagsOf = new Map<number, string[]>();
      for (const tag of tags) tagsOf.set(Number(tag.articleId), [...(tagsOf.get(Number(tag.articleId)) ?? []), tag.name]);
      await indexNewArticles(
        queryRunner.manager,
        rows.map((row) => ({
          id: Number(row.id),
          title: row.title,
          section: row.section,
          paragraphs: JSON.parse(row.paragraphs) as string[],
          tags: tagsOf.get(Number(row.id)) ?? [],
        })),
      );
      lastId = ids[ids.length - 1];
    }

    lastId = 0;
    for (;;) {
      const rows = (await queryRunner.query(
        `SELECT "id", "body" FROM "comment" WHERE "id" > ${p(1)} AND "isDeleted" = ${postgres ? "false" : "0"} ORDER BY "id" LIMIT ${BACKFILL_COMMENTS}`,
        [lastId],
      )) as { id: number; body: string }[];
      if (rows.length === 0) break;
      await indexNewComments(
        queryRunner.manager,
        rows.map((row) => ({ id: Number(row.id), body: row.body })),
      );
      lastId = Number(rows[rows.length - 1].id);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "search_comment"`);
    await queryRunner.query(`DROP TABLE "search_article"`);
  }
}
