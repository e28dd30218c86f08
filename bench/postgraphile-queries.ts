/**
 * q1-q4 in PostGraphile's schema (bench/postgraphile-server.ts over scripts/postgraphile-schema.ts),
 * and the shape in which its answers and Threadline's are compared. Aliases give PostGraphile's
 * fields Threadline's names, so only what the two schemas say differently is translated:
 *
 * - ids: Threadline serves global ids (base64url of `Type:rowId`), PostGraphile the row's own id
 *   (its global id, `nodeId`, encodes the table name instead); both become the row id.
 * - cursors: each server has its own format; both become the row id the cursor points after.
 * - dates: Threadline writes milliseconds and `Z`, PostGraphile PostgreSQL's `+00:00`; both
 *   become the instant, as ISO text.
 * - arguments: PostGraphile lists every comment of an article under `comments`, so the queries
 *   ask for the top-level ones (`condition: { parentId: null }`), and they name Threadline's
 *   orders, with the id last, since PostGraphile's default order is the primary key.
 */
import { ARTICLE_PAGE_QUERY, BenchQuery, DEEP_QUERY, TITLES_QUERY } from "./queries";

const COMMENT_ORDER = "orderBy: [POSITION_ASC, ID_ASC]";

const ARTICLE_PAGE = `query ArticlePage($slug: String!) {
  article: articleBySlug(slug: $slug) {
    id title section publishedAt dateline imageCaption imageCredit wordCount paragraphs
    tags: tagsList { name slug articleCount }
    relatedLinks(orderBy: POSITION_ASC) { position title article { slug title } }
    commentCount
    comments(first: 10, condition: { parentId: null }, ${COMMENT_ORDER}) {
      totalCount
      nodes { id position hasAvatar body author { name commentCount } }
    }
  }
}`;

const DEEP = `query Deep($first: Int!) {
  articles: allArticles(first: $first, orderBy: [PUBLISHED_AT_ASC, ID_ASC]) {
    totalCount
    nodes {
      id title commentCount
      tags: tagsList { name articleCount }
      relatedLinks(orderBy: POSITION_ASC) { title article { id title } }
      comments(first: 10, condition: { parentId: null }, ${COMMENT_ORDER}) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id body hasAvatar replyCount
          author { name commentCount }
          replies(first: 5, ${COMMENT_ORDER}) { totalCount nodes { id body depth author { name } parent { id } } }
        }
      }
    }
  }
}`;

const TITLES = `query Titles { articles: allArticles(first: 20, orderBy: [PUBLISHED_AT_DESC, ID_DESC]) { nodes { id title } } }`;

/** PostGraphile's text for each of Threadline's, told apart by text as the floor server does. */
const TRANSLATIONS = new Map([
  [ARTICLE_PAGE_QUERY, ARTICLE_PAGE],
  [DEEP_QUERY, DEEP],
  [TITLES_QUERY, TITLES],
]);

/** The same question in PostGraphile's schema, with the same variables. */
export function postgraphileQuery(query: BenchQuery): BenchQuery {
  const text = TRANSLATIONS.get(query.query);
  if (!text) throw new Error(`no PostGraphile text for ${query.name}`);
  return { ...query, query: text };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function decode(base64: string): string {
  return Buffer.from(base64, "base64url").toString("utf8");
}

/** Walks an answer and rewrites the fields named in `rewrite`. */
function reshape(value: Json, rewrite: Record<string, (field: Json) => Json>): Json {
  if (Array.isArray(value)) return value.map((item) => reshape(item, rewrite));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, key in rewrite ? rewrite[key](field) : reshape(field, rewrite)]));
}

const instant = (field: Json) => (typeof field === "string" ? new Date(field).toISOString() : field);

/** The data of an answer, or an error naming what went wrong. */
function dataOf(server: string, answer: { data?: Json; errors?: { message: string }[] }): Json {
  if (answer.errors?.length) throw new Error(`${server} answered with errors: ${answer.errors.map((error) => error.message).join("; ")}`);
  return answer.data ?? null;
}

/** Threadline's answer in the compared shape. */
export function threadlineShape(answer: { data?: Json; errors?: { message: string }[] }): Json {
  return reshape(dataOf("Threadline", answer), {
    id: (field) => (typeof field === "string" ? Number(/^\w+:(\d+)$/.exec(decode(field))?.[1] ?? NaN) : field),
    // [list, parent, order, [sort keys..., id]]
    endCursor: (field) => (typeof field === "string" ? (JSON.parse(decode(field)) as number[][])[3].at(-1)! : field),
    publishedAt: instant,
  });
}

/** PostGraphile's answer in the compared shape. */
export function postgraphileShape(answer: { data?: Json; errors?: { message: string }[] }): Json {
  return reshape(dataOf("PostGraphile", answer), {
    // [order names..., [sort keys..., primary key]]
    endCursor: (field) => (typeof field === "string" ? (JSON.parse(decode(field)) as number[][]).at(-1)!.at(-1)! : field),
    publishedAt: instant,
  });
}
