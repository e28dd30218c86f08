/**
 * Parsed search terms -> SQL on each engine. The engine query is built here from the terms' folded
 * stems and forms, every one quoted as a literal: an FTS5 string ("...") on SQLite, a tsquery
 * lexeme ('...') cast with ::tsquery on PostgreSQL, which takes lexemes as written. No text a
 * client sent reaches MATCH or a tsquery parser, and both engines look up the same tokens.
 *
 * Scores: BM25 on SQLite, ts_rank_cd on PostgreSQL, with the same field weights (title 10,
 * section and tags 4, body 1 on SQLite; A 1.0, B 0.4, D 0.1 on PostgreSQL). A raw relevance r >= 0
 * is served as r / (1 + r), below 1, plus 1 when a looked-for term matched in the title, so title
 * matches come first on both engines and a score is comparable with every other in its list.
 */
import { DataSource } from "typeorm";
import { isPostgres } from "../db/data-source";
import { Sql, sql } from "../db/sql";
import { FORM_MARK } from "./search-document";
import type { SearchQuery, SearchTerm } from "./parse-query";

const ARTICLE_STEMS = "{title labels body}";
const ARTICLE_FORMS = "{title_forms labels_forms body_forms}";
const COMMENT_STEMS = "{body}";
const COMMENT_FORMS = "{body_forms}";

// ---------------------------------------------------------------------------------------------
// SQLite FTS5

function ftsString(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

function ftsTerm(term: SearchTerm, stems: string, forms: string): string {
  const { words } = term;
  if (!term.prefix) return `${stems} : ${ftsString(words.map((w) => w.stem).join(" "))}`;
  const last = words[words.length - 1].form;
  if (words.length === 1) return `(${stems} : ${ftsString(last)} * OR ${forms} : ${ftsString(last)} *)`;
  // Inside a phrase the last word's start is compared with stems only: forms carry no positions.
  return `${stems} : ${ftsString([...words.slice(0, -1).map((w) => w.stem), last].join(" "))} *`;
}

/** The MATCH expression: every looked-for term, and none of the excluded ones. */
function ftsMatch(query: SearchQuery, stems: string, forms: string): string {
  const wanted = query.terms.filter((t) => !t.negated).map((t) => `(${ftsTerm(t, stems, forms)})`);
  const excluded = query.terms.filter((t) => t.negated).map((t) => `(${ftsTerm(t, stems, forms)})`);
  const positive = `(${wanted.join(" AND ")})`;
  return excluded.length === 0 ? positive : `${positive} NOT (${excluded.join(" OR ")})`;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL tsquery

function lexeme(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** A term as tsquery text; `weight` restricts it to one field ("A": the title). */
function tsTerm(term: SearchTerm, weight = ""): string {
  const { words } = term;
  const last = words[words.length - 1].form;
  if (term.prefix && words.length === 1) {
    return `(${lexeme(last)}:*${weight} | ${lexeme(FORM_MARK + last)}:*${weight})`;
  }
  const parts = words.map((w, i) => (term.prefix && i === words.length - 1 ? `${lexeme(last)}:*${weight}` : `${lexeme(w.stem)}${weight ? `:${weight}` : ""}`));
  return parts.length === 1 ? parts[0] : `(${parts.join(" <-> ")})`;
}

function tsMatch(query: SearchQuery): string {
  return query.terms.map((t) => (t.negated ? `!${tsTerm(t)}` : tsTerm(t))).join(" & ");
}

/** Whether any looked-for term matched in the title. */
function tsTitleMatch(query: SearchQuery): string {
  return query.terms
    .filter((t) => !t.negated)
    .map((t) => tsTerm(t, "A"))
    .join(" | ");
}

// ---------------------------------------------------------------------------------------------
// Rows

/** `SELECT id` of the articles that match. */
export function articleIds(db: DataSource, query: SearchQuery): Sql {
  return isPostgres(db)
    ? sql`SELECT "articleId" AS id FROM search_article WHERE document @@ CAST(${tsMatch(query)} AS tsquery)`
    : sql`SELECT rowid AS id FROM search_article WHERE search_article MATCH ${ftsMatch(query, ARTICLE_STEMS, ARTICLE_FORMS)}`;
}

/** `SELECT id` of the comments that match. */
export function commentIds(db: DataSource, query: SearchQuery): Sql {
  return isPostgres(db)
    ? sql`SELECT "commentId" AS id FROM search_comment WHERE document @@ CAST(${tsMatch(query)} AS tsquery)`
    : sql`SELECT rowid AS id FROM search_comment WHERE search_comment MATCH ${ftsMatch(query, COMMENT_STEMS, COMMENT_FORMS)}`;
}

/*
 * The ranking functions run in an inner query that the planner may not merge into the outer one
 * (LIMIT -1 on SQLite, OFFSET 0 on PostgreSQL): merged, each mention of the score would run them
 * again, once for the SELECT list, once for the cursor's WHERE and once for the ORDER BY.
 */

/** `SELECT id, score` of the articles that match. */
export function articleHits(db: DataSource, query: SearchQuery): Sql {
  if (isPostgres(db)) {
    const match = tsMatch(query);
    return sql`SELECT id, (CASE WHEN in_title THEN 1.0 ELSE 0.0 END)::float8 + r / (1.0 + r) AS score FROM (SELECT "articleId" AS id, ts_rank_cd('{0.1,0.2,0.4,1.0}', document, CAST(${match} AS tsquery))::float8 AS r, document @@ CAST(${tsTitleMatch(query)} AS tsquery) AS in_title FROM search_article WHERE document @@ CAST(${match} AS tsquery) OFFSET 0) ranked`;
  }
  // bm25() is negative, lower is better; with weights on the title columns only, it is below 0
  // exactly when a looked-for term occurs in the title.
  return sql`SELECT id, (CASE WHEN title_bm25 < 0 THEN 1.0 ELSE 0.0 END) + (0.0 - bm25) / (1.0 - bm25) AS score FROM (SELECT rowid AS id, bm25(search_article, 10.0, 4.0, 1.0, 10.0, 4.0, 1.0) AS bm25, bm25(search_article, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0) AS title_bm25 FROM search_article WHERE search_article MATCH ${ftsMatch(query, ARTICLE_STEMS, ARTICLE_FORMS)} LIMIT -1) ranked`;
}

/** `SELECT id, score` of the comments that match. */
export function commentHits(db: DataSource, query: SearchQuery): Sql {
  if (isPostgres(db)) {
    return sql`SELECT id, r / (1.0 + r) AS score FROM (SELECT "commentId" AS id, ts_rank_cd('{0.1,0.2,0.4,1.0}', document, CAST(${tsMatch(query)} AS tsquery))::float8 AS r FROM search_comment WHERE document @@ CAST(${tsMatch(query)} AS tsquery) OFFSET 0) ranked`;
  }
  return sql`SELECT id, (0.0 - bm25) / (1.0 - bm25) AS score FROM (SELECT rowid AS id, bm25(search_comment, 1.0, 1.0) AS bm25 FROM search_comment WHERE search_comment MATCH ${ftsMatch(query, COMMENT_STEMS, COMMENT_FORMS)} LIMIT -1) ranked`;
}
