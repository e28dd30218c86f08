import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { captureStderr } from "../helpers/console";

describe.each(engines)("migrations on %s", (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(() => db.close());

  it("creates every table with its indexes, and nothing is left pending", async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      for (const name of ["article", "tag", "article_tag", "related_link", "author", "comment", "moderation_action", "comment_flag"]) {
        expect(await runner.hasTable(name)).toBe(true);
      }
      const comment = await runner.getTable("comment");
      expect(comment?.indices.map((index) => index.name).sort()).toEqual(
        ["IDX_comment_author", "IDX_comment_featured", "IDX_comment_needs_review", "IDX_comment_parent", "IDX_comment_status", "IDX_comment_thread"].sort(),
      );
      expect(comment?.foreignKeys.map((key) => key.referencedTableName).sort()).toEqual(["article", "author", "comment"]);
      const article = await runner.getTable("article");
      expect(
        article?.indices
          .filter((index) => index.isUnique)
          .map((index) => index.name)
          .sort(),
      ).toEqual(["UQ_article_external_id", "UQ_article_slug", "UQ_article_title_published", "UQ_article_url"]);
    } finally {
      await runner.release();
    }
    expect(await db.dataSource.showMigrations()).toBe(false);
  });

  it("keeps names unique among commenters without a reader only; a reader's sub is unique", async () => {
    const databaseLog = captureStderr();
    await db.dataSource.query(`INSERT INTO author (name, "nameKey") VALUES ('Same Name', 'same name')`);
    await expect(db.dataSource.query(`INSERT INTO author (name, "nameKey") VALUES ('Same Name', 'same name')`)).rejects.toThrow();
    await db.dataSource.query(`INSERT INTO author (name, "nameKey", sub) VALUES ('Same Name', 'same name', 'reader-1')`);
    await db.dataSource.query(`INSERT INTO author (name, "nameKey", sub) VALUES ('Same Name', 'same name', 'reader-2')`);
    await expect(db.dataSource.query(`INSERT INTO author (name, "nameKey", sub) VALUES ('Other', 'other', 'reader-1')`)).rejects.toThrow();
    databaseLog.restore();
    expect(databaseLog.lines().filter((line) => line.startsWith("[db query-error] error:"))).toHaveLength(2);
  });

  it("enforces the unique tag slug", async () => {
    await db.dataSource.query(`INSERT INTO tag (name, slug) VALUES ('Syria', 'syria')`);
    const databaseLog = captureStderr();
    await expect(db.dataSource.query(`INSERT INTO tag (name, slug) VALUES ('syria', 'syria')`)).rejects.toThrow();
    databaseLog.restore();
    expect(databaseLog.lines().filter((line) => line.startsWith("[db query-error] error:"))).toHaveLength(1);
  });
});

describe("migrations as history", () => {
  const folder = join(__dirname, "../../src/db/migrations");
  const importsOf = (file: string) => [...readFileSync(file, "utf8").matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);

  it("import nothing of today's code: TypeORM, Node, and their own frozen copies only", () => {
    const files = [
      ...readdirSync(folder)
        .filter((name) => name.endsWith(".ts"))
        .map((name) => join(folder, name)),
      ...readdirSync(join(folder, "frozen")).map((name) => join(folder, "frozen", name)),
    ];
    const foreign = files.flatMap((file) =>
      importsOf(file)
        .filter(
          (from) => !(from === "typeorm" || from.startsWith("node:") || from.startsWith("./frozen/") || (file.includes("/frozen/") && from.startsWith("./"))),
        )
        .map((from) => `${relative(folder, file)}: ${from}`),
    );
    expect(foreign).toEqual([]);
  });
});
