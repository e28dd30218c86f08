import { commentImportKey } from "../../src/ingest/comment-alignment";
import { importArticle } from "../../src/ingest/import";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { uniqueArticle } from "../helpers/discussion";

describe.each(engines)("the comment import-key migration on %s", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await openTestDatabase(engine);
  });
  afterEach(() => db.close());

  it("gives comments imported before it the key of their text, so the next re-import keeps their rows", async () => {
    const ds = db.dataSource;
    const article = uniqueArticle({
      comments: [
        { author: "Ann", hasAvatar: true, body: "Ann says X" },
        { author: null, hasAvatar: false, body: "Anonymous  says\nY" },
      ],
    });
    const { articleId } = await importArticle(ds, article);
    await ds.query(
      `INSERT INTO "comment" ("articleId", "parentId", "body", "position", "imported") VALUES (${articleId}, NULL, 'a reader', 3, ${engine === "postgres" ? "false" : 0})`,
    );
    // Back to the schema before the migration (undoing any later one first), then forward again:
    // the backfill is what runs.
    for (;;) {
      const [last] = await ds.query(`SELECT "name" FROM "migrations" ORDER BY "id" DESC LIMIT 1`);
      await ds.undoLastMigration();
      if (last.name === "CommentImportKeys1764260000000") break;
    }
    expect((await ds.query(`SELECT * FROM "comment" ORDER BY "id"`))[0]).not.toHaveProperty("importKey");
    await ds.runMigrations();

    const rows: { id: number; importKey: string | null; removedByImport: unknown }[] = await ds.query(
      `SELECT "id", "importKey", "removedByImport" FROM "comment" ORDER BY "id"`,
    );
    expect(rows.map((row) => [row.importKey, Boolean(row.removedByImport)])).toEqual([
      [commentImportKey("Ann", "Ann says X"), false],
      [commentImportKey(null, "Anonymous says Y"), false],
      [null, false],
    ]);

    const grown = { ...article, comments: [...article.comments, { author: "Cat", hasAvatar: true, body: "Cat says Z" }] };
    expect((await importArticle(ds, grown)).status).toBe("updated");
    const after: { id: number; body: string; isDeleted: unknown }[] = await ds.query(
      `SELECT "id", "body", "isDeleted" FROM "comment" WHERE "isDeleted" = ${engine === "postgres" ? "false" : 0} ORDER BY "position", "id"`,
    );
    expect(after.map((row) => [Number(row.id), row.body])).toEqual([
      [Number(rows[0].id), "Ann says X"],
      [Number(rows[1].id), "Anonymous  says\nY"],
      [expect.any(Number), "Cat says Z"],
      [Number(rows[2].id), "a reader"],
    ]);
  });
});
