/**
 * Parsed search terms -> SQL on each engine. The engine query is built here from the terms' folded
 * stems and forms, every one quoted as a literal: an FTS5 string ("...") on SQLite, a tsquery
 * lexeme ('...') cast with ::tsquery on PostgreSQL, which takes lexemes as written. No text a
 * client sent reaches MATCH or a tsquery parser, and both engines look up the same tokens.
 *
 * Relevance: BM25 on SQLite, ts_rank_cd on PostgreSQL, with the same field weights (title 10,
 * section and tags 4, body 1 on SQLite; A 1.0, B 0.4, D 0.1 on PostgreSQL). How it becomes a
 * score, and which matches are ranked, is the search list's business (read/search.loader.ts).
 */
import { DataSource } from "typeorm";
import { isPostgres } from "../db/data-source";
import { join, raw, Sql, sql } from "../db/sql";
import { stemOf } from "./analyze-text";
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

/**
 * Whether a term can only ever match in stem columns, so that its column filter can go: FTS5
 * then intersects document lists without decoding every position list for its column, which
 * halves the time of a search with two common words. A forms column holds only forms that are
 * not their own stem; a stem that is its own stem (nearly every one, but "embed", the stem of
 * "embedded", stems to "emb") can therefore never stand in one, and neither can a phrase that
 * starts with one, since a phrase matches inside one column.
 */
function onlyInStems(term: SearchTerm): boolean {
  const first = term.words[0];
  return term.prefix && term.words.length === 1 ? false : stemOf(first.stem) === first.stem;
}

/** A term as FTS5 MATCH text over `stems` (and `forms`); `filtered` keeps the column filter even where it is redundant (the title test names one field of several). */
function ftsTerm(term: SearchTerm, stems: string, forms: string, filtered = false): string {
  const { words } = term;
  const within = (columns: string) => (filtered || !onlyInStems(term) ? `${columns} : ` : "");
  if (!term.prefix) return `${within(stems)}${ftsString(words.map((w) => w.stem).join(" "))}`;
  const last = words[words.length - 1].form;
  if (words.length === 1) {
    // Stems and forms together are every column: without a filter the prefix is looked up in both.
    return filtered ? `(${stems} : ${ftsString(last)} * OR ${forms} : ${ftsString(last)} *)` : `${ftsString(last)} *`;
  }
  // Inside a phrase the last word's start is compared with stems only: forms carry no positions.
  return `${within(stems)}${ftsString([...words.slice(0, -1).map((w) => w.stem), last].join(" "))} *`;
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

/** A term as tsquery text. */
function tsTerm(term: SearchTerm): string {
  const { words } = term;
  const last = words[words.length - 1].form;
  if (term.prefix && words.length === 1) {
    return `(${lexeme(last)}:* | ${lexeme(FORM_MARK + last)}:*)`;
  }
  const parts = words.map((w, i) => (term.prefix && i === words.length - 1 ? `${lexeme(last)}:*` : lexeme(w.stem)));
  return parts.length === 1 ? parts[0] : `(${parts.join(" <-> ")})`;
}

function tsMatch(query: SearchQuery): string {
  return query.terms.map((t) => (t.negated ? `!${tsTerm(t)}` : tsTerm(t))).join(" & ");
}

/**
 * Whether any looked-for term matched in the title, as a tsquery over search_article.title and
 * search_title.title (the document's weight-A entries at their positions). Asked of the document
 * as `'word':A`, it made PostgreSQL fetch and test every document with the word, as a GIN index
 * holds no weights.
 */
function tsTitleMatch(query: SearchQuery): string {
  return query.terms
    .filter((t) => !t.negated)
    .map(tsTerm)
    .join(" | ");
}

// ---------------------------------------------------------------------------------------------
// Rows

export type SearchKind = "article" | "comment";

/**
 * Which matches: all of them, or (articles only) those where a looked-for term occurs in the
 * title, or those where none does.
 */
export type MatchPart = "all" | "title" | "untitled";

/** Whether any looked-for term occurs in the title, as FTS5 MATCH text. */
function ftsTitleMatch(query: SearchQuery): string {
  return query.terms
    .filter((t) => !t.negated)
    .map((t) => `(${ftsTerm(t, "{title}", "{title_forms}", true)})`)
    .join(" OR ");
}

function ftsPart(query: SearchQuery, kind: SearchKind, part: MatchPart): string {
  const match = kind === "article" ? ftsMatch(query, ARTICLE_STEMS, ARTICLE_FORMS) : ftsMatch(query, COMMENT_STEMS, COMMENT_FORMS);
  if (part === "all") return match;
  return `(${match}) ${part === "title" ? "AND" : "NOT"} (${ftsTitleMatch(query)})`;
}

/**
 * Whether a title match implies a match of the whole query: one looked-for term and nothing
 * excluded. The title tsvector is the document's weight-A entries at their positions, so a word,
 * a prefix or a phrase found in it is found in the document too.
 */
export function titleImpliesMatch(query: SearchQuery): boolean {
  return query.terms.length === 1 && !query.terms[0].negated;
}

function tsPart(query: SearchQuery, part: MatchPart): Sql {
  const match = sql`document @@ CAST(${tsMatch(query)} AS tsquery)`;
  if (part === "all") return match;
  const title = sql`title @@ CAST(${tsTitleMatch(query)} AS tsquery)`;
  if (part === "untitled") return sql`${match} AND NOT (${title})`;
  // Testing the document too would only add the document index's list of every article with the
  // term, intersected with the title's to no effect (docs/benchmarks.md: "A title match needs no
  // document test").
  return titleImpliesMatch(query) ? title : sql`${match} AND ${title}`;
}

/**
 * PostgreSQL: `SELECT id` of the articles with a looked-for term in the title, from the narrow
 * search_title (migration SearchTitleList), without a test of the document: the candidates for
 * the title part, every one a match when the title implies it (titleImpliesMatch).
 */
export function titleCandidateIds(query: SearchQuery): Sql {
  return sql`SELECT "articleId" AS id FROM search_title WHERE title @@ CAST(${tsTitleMatch(query)} AS tsquery)`;
}

/** PostgreSQL: the relevance of a match, as matchScores gives it, from its document. */
function tsScore(query: SearchQuery, document: Sql): Sql {
  return sql`GREATEST(ts_rank_cd('{0.1,0.2,0.4,1.0}', ${document}, CAST(${tsMatch(query)} AS tsquery))::float8, 1e-12)`;
}

/**
 * PostgreSQL: the relevance of the article `id` as matchScores gives it, or null when its document
 * does not match; one document, read by its key.
 */
export function articleScore(query: SearchQuery, id: Sql): Sql {
  return sql`(SELECT CASE WHEN d.document @@ CAST(${tsMatch(query)} AS tsquery) THEN ${tsScore(query, sql`d.document`)} END FROM search_article d WHERE d."articleId" = ${id})`;
}

const TABLE = { article: raw("search_article"), comment: raw("search_comment") };
const PG_ID = { article: raw(`"articleId"`), comment: raw(`"commentId"`) };

/** A bound on ids, inside the statement that reads the index, where the engine can seek with it. */
export interface IdRange {
  /** ids >= this */
  from?: Sql;
  /** ids < this */
  below?: Sql;
}

function idConditions(column: Sql, range: IdRange): Sql {
  const parts: Sql[] = [];
  if (range.from) parts.push(sql` AND ${column} >= ${range.from}`);
  if (range.below) parts.push(sql` AND ${column} < ${range.below}`);
  return join(parts, "");
}

/** `SELECT id` of the matches of one kind (an index read only: no ranking). */
export function matchIds(db: DataSource, kind: SearchKind, query: SearchQuery, part: MatchPart = "all", range: IdRange = {}): Sql {
  if (isPostgres(db)) {
    return sql`SELECT ${PG_ID[kind]} AS id FROM ${TABLE[kind]} WHERE ${tsPart(query, part)}${idConditions(sql`${PG_ID[kind]}`, range)}`;
  }
  return sql`SELECT rowid AS id FROM ${TABLE[kind]} WHERE ${TABLE[kind]} MATCH ${ftsPart(query, kind, part)}${idConditions(sql`rowid`, range)}`;
}

/**
 * `SELECT id, r`: the matches of one kind in `range` with their relevance r > 0 (BM25 negated on
 * SQLite, ts_rank_cd on PostgreSQL, never below 1e-12 so that every ranked match scores above
 * the unranked ones). The ranking runs in an inner query that the planner may not merge into the
 * outer one (LIMIT -1 on SQLite, OFFSET 0 on PostgreSQL): merged, every mention of r in the
 * cursor's WHERE and the ORDER BY would run the ranking function again.
 */
export function matchScores(db: DataSource, kind: SearchKind, query: SearchQuery, part: MatchPart, range: IdRange): Sql {
  if (isPostgres(db)) {
    return sql`SELECT ${PG_ID[kind]} AS id, ${tsScore(query, sql`document`)} AS r FROM ${TABLE[kind]} WHERE ${tsPart(query, part)}${idConditions(sql`${PG_ID[kind]}`, range)} OFFSET 0`;
  }
  const weights = raw(kind === "article" ? "10.0, 4.0, 1.0, 10.0, 4.0, 1.0" : "1.0, 1.0");
  return sql`SELECT rowid AS id, MAX(0.0 - bm25(${TABLE[kind]}, ${weights}), 1e-12) AS r FROM ${TABLE[kind]} WHERE ${TABLE[kind]} MATCH ${ftsPart(query, kind, part)}${idConditions(sql`rowid`, range)} LIMIT -1`;
}

/** `SELECT id` of the articles that match: for `where.search`. */
export function articleIds(db: DataSource, query: SearchQuery): Sql {
  return matchIds(db, "article", query);
}
