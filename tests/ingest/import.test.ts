import { DataSource } from "typeorm";
import type { ParsedArticle, ParsedComment } from "../../src/ingest/dump.types";
import { importArticle, importArticles, ImportError } from "../../src/ingest/import";
import { importDumpText } from "../../src/ingest/import-text";
import { seedIfEmpty } from "../../src/ingest/import-files";
import { DumpError } from "../../src/ingest/parse-dump";
import { slugify } from "../../src/ingest/slug";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { refuseCommentsContaining } from "./database-faults";
import { readSeed, REAL_SEED, REAL_SEED_ARTICLE, SEEDS_DIR } from "./dump-fixtures";

const TABLES = ["article", "tag", "article_tag", "related_link", "author", "comment"] as const;

/** Every row of every table, in a stable order: what "nothing changed" is checked against. */
async function snapshot(dataSource: DataSource): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const order = table === "article_tag" ? `"articleId", "tagId"` : "id";
    out[table] = await dataSource.query(`SELECT * FROM "${table}" ORDER BY ${order}`);
  }
  return out;
}

async function count(dataSource: DataSource, table: (typeof TABLES)[number]): Promise<number> {
  const [{ n }] = await dataSource.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM "${table}"`);
  return Number(n);
}

interface CommentRow {
  id: number;
  articleId: number;
  parentId: number | null;
  authorId: number | null;
  body: string;
  hasAvatar: boolean;
  depth: number;
  position: number;
  imported: boolean;
  createdAt: Date | null;
  isDeleted: boolean;
  removedByImport: boolean;
}

/** Comment rows with booleans as booleans on both engines (SQLite returns 0/1). */
async function comments(dataSource: DataSource, articleId: number): Promise<CommentRow[]> {
  const rows = await dataSource.query<CommentRow[]>(
    `SELECT * FROM "comment" WHERE "articleId" = ${Number(articleId)} ORDER BY "parentId" NULLS FIRST, "position", "id"`,
  );
  return rows.map((row) => ({
    ...row,
    hasAvatar: Boolean(row.hasAvatar),
    imported: Boolean(row.imported),
    isDeleted: Boolean(row.isDeleted),
    removedByImport: Boolean(row.removedByImport),
  }));
}

async function tagsOf(dataSource: DataSource, articleId: number): Promise<{ name: string; slug: string; position: number }[]> {
  return dataSource.query(
    `SELECT t."name", t."slug", x."position" FROM "article_tag" x JOIN "tag" t ON t."id" = x."tagId"
     WHERE x."articleId" = ${Number(articleId)} ORDER BY x."position"`,
  );
}

const c = (author: string | null, body: string, hasAvatar = author !== null): ParsedComment => ({ author, hasAvatar, body });

function article(overrides: Partial<ParsedArticle> = {}): ParsedArticle {
  return {
    title: "Moscow Metro Opens Three New Stations",
    publishedAt: new Date("2017-03-03T15:45:00.000Z"),
    section: "Russia",
    imageCaption: "A new station",
    imageCredit: "© Sputnik/ Someone",
    dateline: "MOSCOW (Sputnik)",
    paragraphs: ["Three new stations – opened on Friday.", "Passengers   welcomed them."],
    relatedLinks: [{ title: "Arctic Shipping Record" }, { title: "Fireworks Over Moscow" }],
    tags: ["Moscow", "Metro", "transport"],
    comments: [c("teddy j", "first"), c(null, "second, anonymous", false), c("Дмитрий", "third"), c(null, "fourth with avatar", true)],
    ...overrides,
  };
}

describe("slugify", () => {
  it("folds case and accents, keeps other scripts, and never returns an empty slug", () => {
    expect(slugify("Syria")).toBe(slugify("syria"));
    expect(slugify("  Café Crème: the 'Best' ")).toBe("cafe-creme-the-best");
    expect(slugify("Россия")).toBe("россия");
    expect(slugify("中国 外交")).toBe("中国-外交");
    expect(slugify("!!!")).toMatch(/^x-[0-9a-f]{10}$/);
    expect(slugify("!!!")).not.toBe(slugify("???"));
    expect(slugify("")).toBe("untitled");
    expect(slugify("word ".repeat(100)).length).toBeLessThanOrEqual(120);
    expect(slugify("word ".repeat(100))).not.toMatch(/-$/);
  });
});

describe.each(engines)("importer on %s", (engine) => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await openTestDatabase(engine);
    ds = db.dataSource;
  });
  afterEach(() => db.close());

  it("stores a dump's article, tags, links and comments", async () => {
    const result = await importArticle(ds, article());
    expect(result.status).toBe("imported");
    const [row] = await ds.query(`SELECT * FROM "article" WHERE "id" = ${result.articleId}`);
    expect(row.slug).toBe("moscow-metro-opens-three-new-stations");
    expect(row.wordCount).toBe(9);
    expect(row.searchText).toBe("moscow metro opens three new stations\nthree new stations – opened on friday.\npassengers   welcomed them.");
    expect(JSON.parse(row.paragraphs)).toEqual(article().paragraphs);
    expect(new Date(row.publishedAt).toISOString()).toBe("2017-03-03T15:45:00.000Z");
    expect(row.contentHash).toMatch(/^[0-9a-f]{64}$/);

    expect(await tagsOf(ds, result.articleId)).toEqual([
      { name: "Moscow", slug: "moscow", position: 1 },
      { name: "Metro", slug: "metro", position: 2 },
      { name: "transport", slug: "transport", position: 3 },
    ]);
    const links = await ds.query(`SELECT "title", "position" FROM "related_link" ORDER BY "position"`);
    expect(links).toEqual([
      { title: "Arctic Shipping Record", position: 1 },
      { title: "Fireworks Over Moscow", position: 2 },
    ]);
    const rows = await comments(ds, result.articleId);
    expect(
      rows.map(({ body, position, depth, parentId, imported, createdAt, hasAvatar, isDeleted }) => ({
        body,
        position,
        depth,
        parentId,
        imported,
        createdAt,
        hasAvatar,
        isDeleted,
      })),
    ).toEqual([
      { body: "first", position: 1, depth: 0, parentId: null, imported: true, createdAt: null, hasAvatar: true, isDeleted: false },
      { body: "second, anonymous", position: 2, depth: 0, parentId: null, imported: true, createdAt: null, hasAvatar: false, isDeleted: false },
      { body: "third", position: 3, depth: 0, parentId: null, imported: true, createdAt: null, hasAvatar: true, isDeleted: false },
      { body: "fourth with avatar", position: 4, depth: 0, parentId: null, imported: true, createdAt: null, hasAvatar: true, isDeleted: false },
    ]);
    expect(rows[1].authorId).toBeNull();
    expect(rows[3].authorId).toBeNull();
    const authors = await ds.query(`SELECT "id", "name" FROM "author" ORDER BY "name"`);
    expect(authors.map((a: { name: string }) => a.name)).toEqual(["teddy j", "Дмитрий"].sort());
  });

  it("leaves every row as it was when the same dump is imported again", async () => {
    const first = await importArticle(ds, article());
    const before = await snapshot(ds);
    const again = await importArticle(ds, article());
    expect(again).toEqual({ status: "unchanged", articleId: first.articleId });
    expect(await snapshot(ds)).toEqual(before);
  });

  it("updates a changed dump in place: same article, new body, tags, links and comments", async () => {
    const first = await importArticle(ds, article());
    const oldComments = await comments(ds, first.articleId);
    const changed = article({
      paragraphs: ["Four new stations opened."],
      tags: ["Transport", "Moscow", "Big Circle"],
      relatedLinks: [{ title: "Fireworks Over Moscow" }],
      comments: [c("teddy j", "first"), c("Marta L.", "second, now named"), c(null, "third, now anonymous", false)],
    });
    const result = await importArticle(ds, changed);
    expect(result).toEqual({ status: "updated", articleId: first.articleId });
    expect(await count(ds, "article")).toBe(1);

    const [row] = await ds.query(`SELECT * FROM "article"`);
    expect(JSON.parse(row.paragraphs)).toEqual(["Four new stations opened."]);
    expect(row.wordCount).toBe(4);
    expect(row.slug).toBe("moscow-metro-opens-three-new-stations");
    // "Transport" is the tag first seen as "transport": shared by slug, keeps its name.
    expect(await tagsOf(ds, first.articleId)).toEqual([
      { name: "transport", slug: "transport", position: 1 },
      { name: "Moscow", slug: "moscow", position: 2 },
      { name: "Big Circle", slug: "big-circle", position: 3 },
    ]);
    // "Metro" is no longer on any article.
    expect(await count(ds, "tag")).toBe(3);
    expect(await ds.query(`SELECT "title", "position" FROM "related_link"`)).toEqual([{ title: "Fireworks Over Moscow", position: 1 }]);

    // Comments are matched by content: "first" keeps its row; the dump's other comments are new
    // rows placed after it, and the three it no longer has are deleted, their rows kept.
    const rows = await comments(ds, first.articleId);
    expect(rows.map((r) => [r.body, r.position, r.hasAvatar, r.isDeleted])).toEqual([
      ["first", 1, true, false],
      ["second, now named", 2, true, false],
      ["third, now anonymous", 3, false, false],
      ["second, anonymous", 4, false, true],
      ["third", 5, true, true],
      ["fourth with avatar", 6, true, true],
    ]);
    expect(rows[0].id).toBe(oldComments[0].id);
    expect(rows.slice(3).map((r) => r.id)).toEqual(oldComments.slice(1).map((r) => r.id));
    expect(Math.min(...rows.slice(1, 3).map((r) => r.id))).toBeGreaterThan(Math.max(...oldComments.map((r) => r.id)));
    expect(rows[2].authorId).toBeNull();

    const grown = await importArticle(ds, article({ comments: [...changed.comments, c(null, "a new fourth", false), c("teddy j", "a fifth")] }));
    expect(grown.status).toBe("updated");
    expect((await comments(ds, first.articleId)).filter((r) => !r.isDeleted).map((r) => [r.body, r.position])).toEqual([
      ["first", 1],
      ["second, now named", 2],
      ["third, now anonymous", 3],
      ["a new fourth", 4],
      ["a fifth", 5],
    ]);
  });

  it("keeps readers' comments and their parents, and the rows of dump comments it deletes", async () => {
    const { articleId } = await importArticle(ds, article());
    const imported = await comments(ds, articleId);
    await ds.query(
      `INSERT INTO "comment" ("articleId", "parentId", "body", "hasAvatar", "depth", "position", "imported", "isDeleted")
       VALUES (${articleId}, NULL, 'posted by a reader', ${engine === "postgres" ? "false" : 0}, 0, 5, ${engine === "postgres" ? "false, false" : "0, 0"}),
              (${articleId}, ${imported[3].id}, 'a reply to the fourth', ${engine === "postgres" ? "false" : 0}, 1, 1, ${engine === "postgres" ? "false, false" : "0, 0"}),
              (${articleId}, ${imported[2].id}, 'a reply to the third', ${engine === "postgres" ? "false" : 0}, 1, 1, ${engine === "postgres" ? "false, false" : "0, 0"})`,
    );
    const api = (await comments(ds, articleId)).filter((r) => !r.imported);

    const result = await importArticle(ds, article({ comments: [c("teddy j", "first"), c(null, "second, edited", false)] }));
    expect(result.status).toBe("updated");
    const rows = await comments(ds, articleId);
    // The reader's comments keep their text and parents; the top-level one moves down one place
    // to make room for the new comment above it.
    expect(rows.filter((r) => !r.imported)).toEqual(api.map((r) => (r.parentId === null ? { ...r, position: 6 } : r)));
    const importedNow = rows.filter((r) => r.imported);
    expect(importedNow.map((r) => [r.body, r.position, r.isDeleted, r.removedByImport])).toEqual([
      ["first", 1, false, false],
      ["second, edited", 2, false, false],
      ["second, anonymous", 3, true, true],
      ["third", 4, true, true],
      ["fourth with avatar", 5, true, true],
    ]);
    expect(importedNow.filter((r) => r.body !== "second, edited").map((r) => r.id)).toEqual(imported.map((r) => r.id));
  });

  it("deletes comments gone from the dump as deleteComment does, and brings one back when a later dump has it again", async () => {
    const { articleId } = await importArticle(ds, article());
    const before = await comments(ds, articleId);
    await importArticle(ds, article({ comments: [c(null, "only one", false)] }));
    const after = await comments(ds, articleId);
    expect(after.map((r) => [r.body, r.isDeleted])).toEqual([["only one", false], ...before.map((r) => [r.body, true])]);
    await importArticle(ds, article({ comments: [] }));
    expect((await comments(ds, articleId)).every((r) => r.isDeleted)).toBe(true);
    // The dump has "third" again: its own row comes back, not a copy.
    await importArticle(ds, article({ comments: [c("Дмитрий", "third")] }));
    const back = (await comments(ds, articleId)).filter((r) => !r.isDeleted);
    expect(back.map((r) => [r.id, r.body, r.removedByImport])).toEqual([[before[2].id, "third", false]]);
    expect(await count(ds, "comment")).toBe(5);
  });

  it("leaves no row behind when a dump fails part-way through, and rejects only that dump in a batch", async () => {
    // The failing statement is logged on stderr by design; keep the test output readable.
    const quiet = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    await importArticle(ds, article({ title: "An Earlier Article", tags: ["Syria"] }));
    await refuseCommentsContaining(ds, "Cursed", "cursed comments are refused");
    const before = await snapshot(ds);
    // The comment insert comes last, after the article, tags, authors and links: the database
    // refusing it has to take all of them back.
    const broken = article({
      title: "A Dump That Breaks",
      tags: ["Syria", "A Brand New Tag"],
      comments: [c("A Brand New Commenter", "fine"), c(null, "Cursed words", false)],
    });
    await expect(importArticle(ds, broken)).rejects.toThrow(/cursed comments are refused/);
    expect(await snapshot(ds)).toEqual(before);

    // In a batch, the other dumps still import and the broken one comes back with the database's reason.
    const good = article({ title: "A Good Neighbour" });
    const [goodResult, brokenResult] = await importArticles(ds, [good, broken]);
    expect(goodResult).toMatchObject({ status: "imported" });
    expect(brokenResult).toBeInstanceOf(ImportError);
    expect((brokenResult as ImportError).reason).toMatch(/^the database refused it: .*cursed comments are refused/);
    expect((await ds.query(`SELECT "title" FROM "article" ORDER BY "id"`)).map((r: { title: string }) => r.title)).toEqual([
      "An Earlier Article",
      "A Good Neighbour",
    ]);
    expect(await ds.query(`SELECT * FROM "author" WHERE "name" = 'A Brand New Commenter'`)).toEqual([]);
    quiet.mockRestore();
  });

  it("rejects a value longer than its column on both engines, writing nothing", async () => {
    const before = await snapshot(ds);
    await expect(importArticle(ds, article({ tags: ["x".repeat(201)] }))).rejects.toThrow(ImportError);
    expect(await snapshot(ds)).toEqual(before);
  });

  it("shares tags by slug and commenters by exact name across dumps", async () => {
    const a = await importArticle(ds, article({ title: "First", tags: ["Syria", "Donald Trump"], comments: [c("teddy j", "x"), c(null, "y", false)] }));
    const b = await importArticle(
      ds,
      article({ title: "Second", tags: ["syria", "DONALD  trump", "Россия"], comments: [c("teddy j", "z"), c("Teddy J", "w")] }),
    );
    expect(await tagsOf(ds, b.articleId)).toEqual([
      { name: "Syria", slug: "syria", position: 1 },
      { name: "Donald Trump", slug: "donald-trump", position: 2 },
      { name: "Россия", slug: "россия", position: 3 },
    ]);
    expect(await count(ds, "tag")).toBe(3);
    const first = await comments(ds, a.articleId);
    const second = await comments(ds, b.articleId);
    expect(second[0].authorId).toBe(first[0].authorId);
    expect(second[1].authorId).not.toBe(first[0].authorId);
    expect(first[1].authorId).toBeNull();
    expect(await count(ds, "author")).toBe(2);
  });

  it("keeps a related headline's title when the article it names is imported later", async () => {
    const target = article({ title: "The Article Imported Later", relatedLinks: [] });
    const source = await importArticle(ds, article({ title: "Imported First", relatedLinks: [{ title: target.title }, { title: "Never Imported" }] }));
    await importArticle(ds, target);
    expect(await ds.query(`SELECT "articleId", "title", "position" FROM "related_link" ORDER BY "position"`)).toEqual([
      { articleId: source.articleId, title: "The Article Imported Later", position: 1 },
      { articleId: source.articleId, title: "Never Imported", position: 2 },
    ]);
  });

  it("gives a clashing slug the UTC date, then a number", async () => {
    const title = "Breaking: News!";
    const a = await importArticle(ds, article({ title, publishedAt: new Date("2017-03-03T23:30:00.000Z") }));
    const b = await importArticle(ds, article({ title, publishedAt: new Date("2017-03-04T01:00:00.000Z") }));
    const [c2, c3] = await importArticles(ds, [
      article({ title, publishedAt: new Date("2017-03-04T02:00:00.000Z") }),
      article({ title: "breaking news", publishedAt: new Date("2017-03-04T03:00:00.000Z") }),
    ]);
    const slugs = await ds.query(`SELECT "id", "slug" FROM "article" ORDER BY "id"`);
    expect(slugs.map((r: { slug: string }) => r.slug)).toEqual([
      "breaking-news",
      "breaking-news-2017-03-04",
      "breaking-news-2017-03-04-2",
      "breaking-news-2017-03-04-3",
    ]);
    expect([a, b, c2, c3].map((r) => (r instanceof ImportError ? "error" : r.status))).toEqual(["imported", "imported", "imported", "imported"]);
  });

  it("imports a batch with the same outcome as one dump at a time", async () => {
    const existing = article({ title: "Already There" });
    await importArticle(ds, existing);
    const changed = article({ title: "Already There", paragraphs: ["Changed."] });
    const fresh = article({ title: "Brand New" });
    const freshAgain = article({ title: "Brand New", paragraphs: ["Second copy, changed."] });
    const tooLong = article({ title: "Too Long", tags: ["y".repeat(300)] });
    const results = await importArticles(ds, [existing, fresh, tooLong, changed, freshAgain]);
    expect(results.map((r) => (r instanceof ImportError ? "rejected" : r.status))).toEqual(["unchanged", "imported", "rejected", "updated", "updated"]);
    expect(await count(ds, "article")).toBe(2);
    const [row] = await ds.query(`SELECT "paragraphs" FROM "article" WHERE "title" = 'Brand New'`);
    expect(JSON.parse(row.paragraphs)).toEqual(["Second copy, changed."]);
  });

  it("imports dump text, and throws the parser's DumpError for text that is no dump", async () => {
    const { result, warnings } = await importDumpText(ds, readSeed(REAL_SEED), REAL_SEED);
    expect(result.status).toBe("imported");
    expect(warnings).toEqual([]);
    const [row] = await ds.query(`SELECT "title" FROM "article" WHERE "id" = ${result.articleId}`);
    expect(row.title).toBe(REAL_SEED_ARTICLE.title);
    expect(await count(ds, "comment")).toBe(6);
    await expect(importDumpText(ds, "just a note", "note.txt")).rejects.toBeInstanceOf(DumpError);
    await expect(importDumpText(ds, readSeed(REAL_SEED).replace(/Daesh, China/, `${"z".repeat(250)}, China`), "long.txt")).rejects.toBeInstanceOf(DumpError);
  });

  it("seeds an empty database from the seeds folder, and leaves a populated one alone", async () => {
    const summary = await seedIfEmpty(ds, SEEDS_DIR);
    expect(summary).not.toBeNull();
    expect(summary?.imported).toBeGreaterThan(0);
    expect(summary?.rejected).toBe(0);
    expect(await count(ds, "article")).toBe(summary?.imported);
    const before = await snapshot(ds);
    expect(await seedIfEmpty(ds, SEEDS_DIR)).toBeNull();
    expect(await snapshot(ds)).toEqual(before);
  });
});
