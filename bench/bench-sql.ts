/**
 * What the comparison servers share: read-only sqlite3 connections to the benchmark file, the SQL
 * Threadline runs for the benchmark's lists and counts (same predicates, same window queries), and
 * how Threadline shows ids, cursors and dates. Written by hand, with no code from src/, so the
 * comparison measures Threadline's stack against plain code doing the same work.
 */
import sqlite3 from "sqlite3";

/** Two read-only connections, as Threadline opens by default; each request takes the next. */
export class Readers {
  private next = 0;
  private constructor(private readonly connections: sqlite3.Database[]) {}

  static async open(path: string, count = 2): Promise<Readers> {
    const connections = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<sqlite3.Database>((resolve, reject) => {
            const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (error) => (error ? reject(error) : resolve(db)));
          }),
      ),
    );
    return new Readers(connections);
  }

  close(): void {
    for (const connection of this.connections) connection.close();
  }

  /** The connection one request's statements go to. */
  take(): Db {
    this.next = (this.next + 1) % this.connections.length;
    const connection = this.connections[this.next];
    return (text, params = []) =>
      new Promise((resolve, reject) => connection.all(text, params, (error, rows) => (error ? reject(error) : resolve(rows as Row[]))));
  }
}

export type Row = Record<string, any>;
export type Db = (text: string, params?: unknown[]) => Promise<Row[]>;

const marks = (values: unknown[]) => values.map(() => "?").join(", ");

export function globalId(type: string, id: number): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64url");
}

export function cursor(list: string, parent: number, order: string, values: (string | number)[]): string {
  return Buffer.from(JSON.stringify([list, parent, order, values]), "utf8").toString("base64url");
}

/** SQLite keeps timestamps as UTC text without a zone. */
export function isoDate(value: string): string {
  return new Date(`${value.replace(" ", "T")}Z`).toISOString();
}

/**
 * A comment readers can see, or a deleted one with a visible comment somewhere below it: as
 * Threadline states it, on the row alone, with the stored count of its listed replies.
 */
const listed = (alias: string) => `(${alias}."isDeleted" = ? OR ${alias}."replyCount" > ?)`;

export const ARTICLE_COLUMNS = `a."id", a."slug", a."title", a."section", a."publishedAt", a."imageCaption", a."imageCredit", a."dateline", a."paragraphs", a."wordCount", a."commentCount"`;
export const COMMENT_COLUMNS = `c."id", c."articleId", c."parentId", c."authorId", c."body", c."hasAvatar", c."depth", c."position", c."createdAt", c."editedAt", c."isDeleted", c."replyCount"`;

/**
 * The statements, each for any number of keys. Counts Threadline keeps in the rows
 * (article.commentCount, tag.articleCount, author.commentCount, comment.replyCount and the stored
 * number of articles) are read from the rows here too; only a list's totalCount that has no stored
 * count (an article's top-level comments) is counted.
 */
export const statements = {
  articlesById: (db: Db, ids: number[]) => db(`SELECT ${ARTICLE_COLUMNS} FROM article a WHERE a."id" IN (${marks(ids)})`, ids),
  articlesBySlug: (db: Db, slugs: string[]) => db(`SELECT ${ARTICLE_COLUMNS} FROM article a WHERE a."slug" IN (${marks(slugs)})`, slugs),
  /** Newest first: the first row per title is the one RelatedLink.article serves. */
  articlesByTitle: (db: Db, titles: string[], columns = ARTICLE_COLUMNS) =>
    db(`SELECT ${columns} FROM article a WHERE a."title" IN (${marks(titles)}) ORDER BY a."publishedAt" DESC, a."id" DESC`, titles),
  /** One more row than the page, to know whether another page follows. */
  articlePage: (db: Db, first: number, ascending: boolean, columns = "") =>
    db(
      `SELECT a."id" AS id, 0 AS pk, a."publishedAt" AS k0, a."id" AS k1${columns} FROM article a ORDER BY a."publishedAt" ${ascending ? "ASC" : "DESC"}, a."id" ${ascending ? "ASC" : "DESC"} LIMIT ?`,
      [first + 1],
    ),
  articleCount: (db: Db) => db(`SELECT 0 AS pk, "value" AS n FROM "stored_count" WHERE "name" = ?`, ["articles"]),
  tagsOfArticles: (db: Db, articleIds: number[]) =>
    db(
      `SELECT at."articleId", t."id", t."name", t."slug", t."articleCount" FROM article_tag at JOIN tag t ON t."id" = at."tagId" WHERE at."articleId" IN (${marks(articleIds)}) ORDER BY at."position" ASC`,
      articleIds,
    ),
  relatedLinksOfArticles: (db: Db, articleIds: number[]) =>
    db(
      `SELECT rl."id", rl."articleId", rl."title", rl."position" FROM related_link rl WHERE rl."articleId" IN (${marks(articleIds)}) ORDER BY rl."position" ASC`,
      articleIds,
    ),
  /** Up to `first + 1` listed top-level comments per article, in thread order. */
  topLevelPages: (db: Db, articleIds: number[], first: number, columns = "") =>
    db(
      `SELECT * FROM (SELECT c."id" AS id, c."articleId" AS pk, c."position" AS k0, c."id" AS k1${columns}, ROW_NUMBER() OVER (PARTITION BY c."articleId" ORDER BY c."position" ASC, c."id" ASC) AS rn FROM comment c WHERE (c."parentId" IS NULL) AND (${listed("c")}) AND (c."articleId" IN (${marks(articleIds)}))) ranked WHERE rn <= ? ORDER BY pk, rn`,
      [0, 0, ...articleIds, first + 1],
    ),
  topLevelCounts: (db: Db, articleIds: number[]) =>
    db(
      `SELECT c."articleId" AS pk, COUNT(*) AS n FROM comment c WHERE (c."parentId" IS NULL) AND (${listed("c")}) AND (c."articleId" IN (${marks(articleIds)})) GROUP BY c."articleId"`,
      [0, 0, ...articleIds],
    ),
  /** Up to `first + 1` listed replies per comment, in thread order. */
  replyPages: (db: Db, parentIds: number[], first: number, columns = "") =>
    db(
      `SELECT * FROM (SELECT c."id" AS id, c."parentId" AS pk, c."position" AS k0, c."id" AS k1${columns}, ROW_NUMBER() OVER (PARTITION BY c."parentId" ORDER BY c."position" ASC, c."id" ASC) AS rn FROM comment c WHERE (${listed("c")}) AND (c."parentId" IN (${marks(parentIds)}))) ranked WHERE rn <= ? ORDER BY pk, rn`,
      [0, 0, ...parentIds, first + 1],
    ),
  commentsById: (db: Db, ids: number[]) => db(`SELECT ${COMMENT_COLUMNS} FROM comment c WHERE c."id" IN (${marks(ids)})`, ids),
  authorsById: (db: Db, ids: number[]) => db(`SELECT au."id", au."name", au."commentCount" FROM author au WHERE au."id" IN (${marks(ids)})`, ids),
};

/** `rows` grouped by a column, in row order. */
export function groupBy(rows: Row[], column: string): Map<number, Row[]> {
  const groups = new Map<number, Row[]>();
  for (const row of rows) {
    const key = row[column] as number;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** `pk -> n` from a counting statement. */
export function countsOf(rows: Row[]): Map<number, number> {
  return new Map(rows.map((row) => [row.pk as number, row.n as number]));
}

/** Reads a request body and answers with a JSON text, for the plain node:http servers. */
export function readBody(request: import("node:http").IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** `--db PATH --port N` from the command line. */
export function serverArgs(argv: string[]): { db: string; port: number } {
  const at = (flag: string) => {
    const index = argv.indexOf(flag);
    if (index < 0 || index + 1 >= argv.length) throw new Error(`missing ${flag}`);
    return argv[index + 1];
  };
  return { db: at("--db"), port: Number(at("--port")) };
}
