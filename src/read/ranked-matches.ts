/**
 * Search matches as one ranked list, read in segments so that a search takes bounded time however
 * many rows match: what Query.search and `articles(orderBy: RELEVANCE)` page through.
 *
 * Ranking every match of a common word (160,000 of 1.1 million rows for "election") costs a
 * scoring call per match before the first page can be cut. So ranking covers a window: every
 * kind of match (articles with a looked-for term in the title, other articles, comments) ranks
 * its RANK_WINDOW newest matches; older ones follow their ranked kin unranked, newest first. The
 * list, in order, and each row's score:
 * 1. ranked title matches: 1 + r / (1 + r), r the relevance (BM25 or ts_rank_cd, match-sql.ts);
 * 2. older title matches: 1;
 * 3. ranked other articles and ranked comments, interleaved: r / (1 + r);
 * 4. older other articles, then older comments: 0.
 * Ties go to articles before comments, then to the newest. Every segment is read with the same
 * keyset over (score, kind, id), so cursors page across them both ways; each statement reads
 * only as many rows as the page still needs.
 */
import { DataSource } from "typeorm";
import { isPostgres } from "../db/data-source";
import { join, raw, run, Sql, sql } from "../db/sql";
import { articleScore, MatchPart, matchIds, matchScores, SearchKind, titleCandidateIds, titleImpliesMatch } from "../search/match-sql";
import type { SearchQuery } from "../search/parse-query";
import { KeysetWindow, KeyValue, selectedCount, SortKey } from "./connection";

/** Matches of each kind that are ranked, the newest first; older matches follow unranked. */
export const RANK_WINDOW = 1_000;

/**
 * PostgreSQL: how many of the newest title candidates the window's start is looked for among, one
 * document test each, before it is found from the document index instead (rankedMatches).
 */
export const TITLE_WALK = 2 * RANK_WINDOW;

/** PostgreSQL: the newest title candidates whose share of matches decides whether to walk them (rankedMatches). */
export const TITLE_SAMPLE = 100;

/** A row's kind in the list's keys: articles sort before comments of the same score. */
export const KIND = { article: 0, comment: 1 } as const;

/** The list's order; its keys are [score, kind, id]. */
export const RELEVANCE: SortKey[] = [
  { expr: sql`s.score`, dir: "DESC", type: "score" },
  { expr: sql`s.kind`, dir: "ASC", type: "int" },
  { expr: sql`s.id`, dir: "DESC", type: "int" },
];

/** Part of the list: rows whose score the SQL computes, or rows of one kind and a fixed score. */
type Segment = { ranked: true; rows: Sql } | { ranked: false; kind: number; score: number; rows: Sql };

export interface RankedPage {
  /** [score, kind, id] of each row of the page, in list order. */
  keys: KeyValue[][];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Whether a fixed (score, kind) comes before (< 0), with (0) or after (> 0) a cursor's, in list order. */
function comparePrefix(score: number, kind: number, values: KeyValue[]): number {
  const [s, k] = values as number[];
  if (score !== s) return score > s ? -1 : 1;
  return kind - k;
}

/**
 * The keyset condition for a segment of fixed score and kind: `null` when no row of it lies on
 * the wanted side of `values`, else the condition on ids alone (none when all rows do), which the
 * index can seek with.
 */
function fixedBeyond(score: number, kind: number, values: KeyValue[], later: boolean): Sql[] | null {
  const relation = comparePrefix(score, kind, values);
  const id = values[2] as number;
  if (relation === 0) return [later ? sql`s.id < ${id}` : sql`s.id > ${id}`];
  return relation > 0 === later ? [] : null;
}

/** Up to `limit` rows of one segment on the window's side of its cursors, in the window's direction. */
async function readSegment(db: DataSource, segment: Segment, window: KeysetWindow, limit: number): Promise<KeyValue[][]> {
  const { forward, cursor, bound } = window;
  let conditions: Sql[] = [];
  let columns: Sql;
  let ordering: Sql;
  if (segment.ranked) {
    if (cursor) conditions.push(window.beyond(cursor, forward));
    if (bound) conditions.push(window.beyond(bound, !forward));
    columns = sql`s.kind, s.id, s.score`;
    ordering = window.orderBy(!forward);
  } else {
    for (const [values, later] of [
      [cursor, forward],
      [bound, !forward],
    ] as const) {
      if (!values) continue;
      const condition = fixedBeyond(segment.score, segment.kind, values, later);
      if (condition === null) return [];
      conditions = [...conditions, ...condition];
    }
    columns = sql`${raw(String(segment.kind))} AS kind, s.id, ${raw(segment.score.toFixed(1))} AS score`;
    ordering = sql`s.id ${raw(forward ? "DESC" : "ASC")}`;
  }
  const where = conditions.length === 0 ? sql`` : sql` WHERE ${join(conditions, " AND ")}`;
  const rows = await run(db, sql`SELECT ${columns} FROM (${segment.rows}) s${where} ORDER BY ${ordering} LIMIT ${limit}`);
  return rows.map((row) => [Number(row.score), Number(row.kind), Number(row.id)]);
}

/**
 * The matches of `query` among `kinds` whose article passes `filter` (conditions on the article
 * `a`; a comment's article is its own). The query must have terms.
 */
export function rankedMatches(db: DataSource, query: SearchQuery, kinds: SearchKind[], filter: Sql[]) {
  /** Rows `h` (with an `id`) whose article passes the filter. */
  const filtered = (kind: SearchKind, rows: Sql, columns: Sql): Sql => {
    if (filter.length === 0) return sql`SELECT ${columns} FROM (${rows}) h`;
    const articleOf = kind === "article" ? sql`JOIN article a ON a."id" = h.id` : sql`JOIN comment c ON c."id" = h.id JOIN article a ON a."id" = c."articleId"`;
    return sql`SELECT ${columns} FROM (${rows}) h ${articleOf} WHERE ${join(
      filter.map((c) => sql`(${c})`),
      " AND ",
    )}`;
  };
  /**
   * The id from which the newest RANK_WINDOW matches of a part start (0 when there are fewer).
   * FTS5 reads matches in id order at no cost. PostgreSQL would walk the primary key backwards
   * testing every row for a rare word, so there the ordering is on an expression: the index finds
   * the matches, and a top-N sort picks the window.
   */
  const newestFirst = isPostgres(db) ? sql`f.id + 0 DESC` : sql`f.id DESC`;
  const nthNewest = (rows: Sql): Sql => sql`(SELECT f.id FROM (${rows}) f ORDER BY ${newestFirst} LIMIT 1 OFFSET ${RANK_WINDOW - 1})`;
  const foundStart = (kind: SearchKind, part: MatchPart): Sql => sql`COALESCE(${nthNewest(filtered(kind, matchIds(db, kind, query, part), sql`h.id`))}, 0)`;

  /**
   * PostgreSQL: CTEs whose `walk` holds the newest RANK_WINDOW title matches with their relevance
   * (`id`, `r`), walked through the narrow search_title, or nothing when the walk was not worth it.
   *
   * Found in search_article like other parts, each title match cost a page read there, as a row
   * holds its article's whole document (15,312 pages for "minister said" at 100,000 articles). The
   * walk takes the candidates' ids from search_title newest first (the planner walks its primary
   * key backwards when they are many, else sorts the index's) and reads the document of each by
   * its key, to rank it and, when the title does not imply the match, to test it, until RANK_WINDOW
   * have matched. A query of several terms walks at most TITLE_WALK candidates, and only when the
   * newest TITLE_SAMPLE suggest that enough of them match: a common word in titles beside a rarer
   * one ("oil sanctions": 29% of candidates) would test thousands of documents to no end.
   */
  const titleWalk = (): Sql => {
    const implied = titleImpliesMatch(query);
    const newest = (count: number) => sql`SELECT f.id FROM (${filtered("article", titleCandidateIds(query), sql`h.id`)}) f ORDER BY f.id DESC LIMIT ${count}`;
    const scored = (rows: Sql) =>
      sql`SELECT v.id, v.r FROM (SELECT w.id, ${articleScore(query, sql`w.id`)} AS r FROM (${rows}) w OFFSET 0) v WHERE v.r IS NOT NULL`;
    if (implied) return sql`walk AS MATERIALIZED (${scored(newest(RANK_WINDOW))})`;
    const promising = sql`(SELECT COUNT(*) FROM (${scored(newest(TITLE_SAMPLE))}) s) * ${TITLE_WALK} >= ${TITLE_SAMPLE * RANK_WINDOW}`;
    const walked = scored(sql`SELECT c.id FROM (${newest(TITLE_WALK)}) c WHERE ${promising} ORDER BY c.id DESC`);
    return sql`walk AS MATERIALIZED (SELECT m.id, m.r FROM (${walked}) m LIMIT ${RANK_WINDOW})`;
  };
  /** Whether the walk found the window: RANK_WINDOW matches, or with one term (every candidate a match) all there are. */
  const walkFound = titleImpliesMatch(query) ? sql`TRUE` : sql`(SELECT COUNT(*) FROM walk) = ${RANK_WINDOW}`;
  const walksTitles = (kind: SearchKind, part: MatchPart) => isPostgres(db) && kind === "article" && part === "title";

  const windowStart = (kind: SearchKind, part: MatchPart): Sql => {
    if (!walksTitles(kind, part)) return foundStart(kind, part);
    return sql`(WITH ${titleWalk()} SELECT CASE WHEN ${walkFound} THEN (SELECT CASE WHEN COUNT(*) = ${RANK_WINDOW} THEN MIN(id) ELSE 0 END FROM walk) ELSE ${foundStart(kind, part)} END)`;
  };
  /** `SELECT id, r`: the ranked window of a part (the matches from windowStart on), with their relevance. */
  const scores = (kind: SearchKind, part: MatchPart): Sql => {
    if (!walksTitles(kind, part)) return filtered(kind, matchScores(db, kind, query, part, { from: windowStart(kind, part) }), sql`h.id, h.r`);
    // The walk once; its rows if it found the window, else the window found from the index.
    const found = filtered(kind, matchScores(db, kind, query, part, { from: foundStart(kind, part) }), sql`h.id, h.r`);
    return sql`WITH ${titleWalk()} SELECT id, r FROM walk WHERE ${walkFound} UNION ALL SELECT y.id, y.r FROM (${found}) y WHERE NOT ${walkFound}`;
  };
  const ranked = (kind: SearchKind, part: MatchPart, score: Sql): Sql =>
    sql`SELECT ${raw(String(KIND[kind]))} AS kind, x.id, ${score} AS score FROM (${scores(kind, part)}) x`;
  const older = (kind: SearchKind, part: MatchPart): Sql => filtered(kind, matchIds(db, kind, query, part, { below: windowStart(kind, part) }), sql`h.id`);

  const bodyPart: Record<SearchKind, MatchPart> = { article: "untitled", comment: "all" };
  const segments: Segment[] = [];
  if (kinds.includes("article")) {
    segments.push(
      { ranked: true, rows: ranked("article", "title", sql`1.0 + x.r / (1.0 + x.r)`) },
      { ranked: false, kind: KIND.article, score: 1, rows: older("article", "title") },
    );
  }
  segments.push({
    ranked: true,
    rows: join(
      kinds.map((kind) => ranked(kind, bodyPart[kind], sql`x.r / (1.0 + x.r)`)),
      " UNION ALL ",
    ),
  });
  for (const kind of kinds) segments.push({ ranked: false, kind: KIND[kind], score: 0, rows: older(kind, bodyPart[kind]) });

  return {
    /** One page: segments in list order (or the reverse, paging backwards) until it and one more row are read. */
    async page(window: KeysetWindow): Promise<RankedPage> {
      const keys: KeyValue[][] = [];
      for (const segment of window.forward ? segments : [...segments].reverse()) {
        const wanted = window.size + 1 - keys.length;
        if (wanted <= 0) break;
        keys.push(...(await readSegment(db, segment, window, wanted)));
      }
      const more = keys.length > window.size;
      const page = keys.slice(0, window.size);
      if (!window.forward) page.reverse();
      // With a cursor, the other side holds at least the cursor's own row (Relay lets a list say so without looking).
      return window.forward
        ? { keys: page, hasNextPage: more, hasPreviousPage: window.cursor !== null }
        : { keys: page, hasNextPage: window.cursor !== null, hasPreviousPage: more };
    },
    /** How the list is counted: every match, ranked or not (totalCount), or only as far as a bound. */
    count: selectedCount(
      db,
      join(
        kinds.map((kind) => filtered(kind, matchIds(db, kind, query), sql`h.id`)),
        " UNION ALL ",
      ),
    ),
  };
}
