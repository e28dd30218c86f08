/** Shared material for the discussion tests: dumps to import, mutations, and row counts to check answers against. */
import { randomBytes } from "node:crypto";
import { DataSource } from "typeorm";
import { run, sql } from "../../src/db/sql";
import type { ParsedArticle } from "../../src/ingest/dump.types";
import { renderDump } from "../../src/ingest/render-dump";
import { fromGlobalId } from "../../src/schema/global-id";
import { TEST_TOKEN, TestServer } from "./test-server";

/** A well-formed article with a title no other test (or parallel run) uses. */
export function uniqueArticle(overrides: Partial<ParsedArticle> = {}): ParsedArticle {
  const tag = randomBytes(4).toString("hex");
  return {
    title: `Discussion Test Story ${tag}`,
    publishedAt: new Date(Date.UTC(2019, 4, 1, 10, 0)),
    section: "World",
    imageCaption: null,
    imageCredit: null,
    dateline: null,
    paragraphs: [`A paragraph about story ${tag}.`],
    relatedLinks: [],
    tags: ["Discussion"],
    comments: [],
    ...overrides,
  };
}

export const ADD_COMMENT = `mutation($articleId: ID!, $body: String!, $authorName: String, $parentId: ID) {
  addComment(articleId: $articleId, body: $body, authorName: $authorName, parentId: $parentId) {
    comment { id body depth position createdAt editedAt isDeleted hasAvatar author { id name } parent { id } }
  }
}`;

export const IMPORT_DUMP = `mutation($text: String!, $fileName: String) {
  importDump(text: $text, fileName: $fileName) { status warnings article { id title commentCount } }
}`;

/** Imports a fresh article through the API; its global id. */
export async function importUniqueArticle(t: TestServer, overrides: Partial<ParsedArticle> = {}): Promise<string> {
  const data = await t.data(IMPORT_DUMP, { text: renderDump(uniqueArticle(overrides)) }, { token: TEST_TOKEN });
  return data.importDump.article.id;
}

export interface PostedComment {
  id: string;
  body: string;
  depth: number;
  position: number;
  createdAt: string | null;
  editedAt: string | null;
  isDeleted: boolean;
  hasAvatar: boolean;
  author: { id: string; name: string } | null;
  parent: { id: string } | null;
}

export async function postComment(
  t: TestServer,
  articleId: string,
  body: string,
  extra: { authorName?: string | null; parentId?: string | null } = {},
): Promise<PostedComment> {
  const data = await t.data(ADD_COMMENT, { articleId, body, ...extra }, { token: TEST_TOKEN });
  return data.addComment.comment;
}

export function rowId(globalId: string): number {
  const decoded = fromGlobalId(globalId);
  if (!decoded) throw new Error(`not a global id: ${globalId}`);
  return decoded.id;
}

/** Rows in the tables a comment write can touch, to show that a refused write left them alone. */
export async function tableSizes(db: DataSource): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const table of ["article", "comment", "author", "tag", "article_tag", "related_link"]) {
    const [row] = await db.query(`SELECT COUNT(*) AS n FROM "${table}"`);
    sizes[table] = Number(row.n);
  }
  return sizes;
}

/** What the counts must say, straight from the rows. */
export async function visibleCounts(db: DataSource, articleGlobalId: string) {
  const articleId = rowId(articleGlobalId);
  const [article] = await run<{ n: string | number }>(db, sql`SELECT COUNT(*) AS n FROM comment WHERE "articleId" = ${articleId} AND "isDeleted" = ${false}`);
  return { commentCount: Number(article.n) };
}

export async function visibleReplies(db: DataSource, commentGlobalId: string): Promise<number> {
  const [row] = await run<{ n: string | number }>(
    db,
    sql`SELECT COUNT(*) AS n FROM comment WHERE "parentId" = ${rowId(commentGlobalId)} AND "isDeleted" = ${false}`,
  );
  return Number(row.n);
}

export async function visibleByAuthor(db: DataSource, authorGlobalId: string): Promise<number> {
  const [row] = await run<{ n: string | number }>(
    db,
    sql`SELECT COUNT(*) AS n FROM comment WHERE "authorId" = ${rowId(authorGlobalId)} AND "isDeleted" = ${false}`,
  );
  return Number(row.n);
}
