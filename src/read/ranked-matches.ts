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
import { MatchPart, matchIds, matchScores, SearchKind } from "../search/match-sql";
import type { SearchQuery } from "../search/parse-query";
import { KeysetWindow, KeyValue, selectedCount, SortKey } from "./connection";

/** Matches of each kind that are ranked, the newest first; older matches follow unranked. */
export const RANK_WINDOW = 1_000;

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
  const windowStart = (kind: SearchKind, part: MatchPart): Sql =>
    sql`COALESCE((SELECT f.id FROM (${filtered(kind, matchIds(db, kind, query, part), sql`h.id`)}) f ORDER BY ${newestFirst} LIMIT 1 OFFSET ${RANK_WINDOW - 1}), 0)`;
  const ranked = (kind: SearchKind, part: MatchPart, score: Sql): Sql => {
    const scores = matchScores(db, kind, query, part, { from: windowStart(kind, part) });
    return sql`SELECT ${raw(String(KIND[kind]))} AS kind, x.id, ${score} AS score FROM (${filtered(kind, scores, sql`h.id, h.r`)}) x`;
  };
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
