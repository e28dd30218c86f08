/** Article lists (all articles with filters, a tag's articles) and lookups by text. */
import type DataLoader from "dataloader";
import { DataSource, In } from "typeorm";
import { list, Sql, sql } from "../db/sql";
import { Article } from "../entities";
import { userError } from "../errors";
import { articleHits, articleIds } from "../search/match-sql";
import { parseSearchQuery, SearchQuery } from "../search/parse-query";
import { foldKey } from "../text/fold";
import { byTextLoader, storable } from "./batch.loader";
import { commentCountOf } from "./comment.loader";
import { countLoader, ListDef, listConnection, PageArgs, perParentConnections, SortKey } from "./connection";

export type ArticleOrderKey = "PUBLISHED_AT_DESC" | "PUBLISHED_AT_ASC" | "COMMENT_COUNT_DESC" | "RELEVANCE";

/** Limits that keep a filter within both engines' bound-parameter limits. */
export const MAX_TAG_SLUGS = 100;

export interface ArticleFilter {
  tagSlugIn?: string[] | null;
  section?: string | null;
  search?: string | null;
  publishedAfter?: Date | null;
  publishedBefore?: Date | null;
}

export interface ArticleListArgs extends PageArgs {
  where?: ArticleFilter | null;
  orderBy?: ArticleOrderKey | null;
}

const newestFirst: SortKey[] = [
  { expr: sql`a."publishedAt"`, dir: "DESC", type: "date" },
  { expr: sql`a."id"`, dir: "DESC", type: "int" },
];

const articleOrders: Record<ArticleOrderKey, SortKey[]> = {
  PUBLISHED_AT_DESC: newestFirst,
  PUBLISHED_AT_ASC: [
    { expr: sql`a."publishedAt"`, dir: "ASC", type: "date" },
    { expr: sql`a."id"`, dir: "ASC", type: "int" },
  ],
  COMMENT_COUNT_DESC: [
    { expr: commentCountOf("a"), dir: "DESC", type: "count" },
    { expr: sql`a."id"`, dir: "DESC", type: "int" },
  ],
  // Only with a search: `hits` is then joined in (see list).
  RELEVANCE: [
    { expr: sql`hits.score`, dir: "DESC", type: "score" },
    { expr: sql`a."id"`, dir: "DESC", type: "int" },
  ],
};

/** The condition for text that cannot match (see `storable`). */
const NOTHING = sql`1 = 0`;

/** What a search without any word finds: nothing, with the columns of articleHits. */
const NO_HITS = sql`SELECT 0 AS id, CAST(0 AS double precision) AS score WHERE 1 = 0`;

/**
 * The parsed `where.search`, or null when there is none: a blank search filters nothing, as if it
 * were absent (a search box left empty).
 */
export function searchOf(filter: ArticleFilter): SearchQuery | null {
  if (!filter.search || filter.search.trim() === "") return null;
  return parseSearchQuery(filter.search, { path: "where.search", argumentName: "where" });
}

/**
 * The filter as conditions on the article `a`. `searched`: the search is already applied by a
 * join (orderBy RELEVANCE), so it is not repeated here.
 */
export function filterConditions(db: DataSource, filter: ArticleFilter, searched = false): Sql[] {
  const where: Sql[] = [];
  const { tagSlugIn, section, publishedAfter, publishedBefore } = filter;
  if (publishedAfter && publishedBefore && publishedAfter >= publishedBefore) {
    throw userError(`"publishedAfter" must be earlier than "publishedBefore"`, { argumentName: "where" });
  }
  if (tagSlugIn && tagSlugIn.length > MAX_TAG_SLUGS) {
    throw userError(`"where.tagSlugIn" holds at most ${MAX_TAG_SLUGS} slugs`, { argumentName: "where" });
  }
  const search = searchOf(filter);
  if (tagSlugIn && tagSlugIn.length > 0) {
    const slugs = tagSlugIn.filter(storable);
    where.push(
      slugs.length === 0
        ? NOTHING
        : sql`EXISTS (SELECT 1 FROM article_tag at JOIN tag t ON t."id" = at."tagId" WHERE at."articleId" = a."id" AND t."slug" IN ${list(slugs)})`,
    );
  }
  if (section) where.push(storable(section) ? sql`a."sectionKey" = ${foldKey(section)}` : NOTHING);
  if (search && !searched) where.push(search.terms.length === 0 ? NOTHING : sql`a."id" IN (${articleIds(db, search)})`);
  if (publishedAfter) where.push(sql`a."publishedAt" >= ${publishedAfter}`);
  if (publishedBefore) where.push(sql`a."publishedAt" < ${publishedBefore}`);
  return where;
}

const ofTags: ListDef<"PUBLISHED_AT_DESC"> = {
  name: "Tag.articles",
  from: sql`article_tag at JOIN article a ON a."id" = at."articleId"`,
  id: sql`a."id"`,
  partition: sql`at."tagId"`,
  where: [],
  orders: { PUBLISHED_AT_DESC: newestFirst },
};

/** Per-request article lists and lookups; `byId` serves the nodes. */
export function articleLoaders(db: DataSource, byId: DataLoader<number, Article | null>) {
  const repo = db.getRepository(Article);
  const tagCount = countLoader(db, ofTags);
  const forTag = perParentConnections(db, ofTags, byId, tagCount);
  const bySlug = byTextLoader((slugs) => repo.findBy({ slug: In(slugs) }), (row) => row.slug);
  const byTitle = byTextLoader(
    (titles) => repo.find({ where: { title: In(titles) }, order: { publishedAt: "DESC", id: "DESC" } }),
    (row) => row.title,
  );
  return {
    /** Query.articles. */
    list(args: ArticleListArgs) {
      const filter = args.where ?? {};
      const order = args.orderBy ?? "PUBLISHED_AT_DESC";
      const search = searchOf(filter);
      const ranked = order === "RELEVANCE";
      if (ranked && search === null) {
        throw userError(`"orderBy: RELEVANCE" needs a search: pass "where.search", or another order`, { argumentName: "orderBy" });
      }
      const def: ListDef<ArticleOrderKey> = {
        name: "articles",
        from: ranked ? sql`article a JOIN (${search!.terms.length > 0 ? articleHits(db, search!) : NO_HITS}) hits ON hits.id = a."id"` : sql`article a`,
        id: sql`a."id"`,
        where: filterConditions(db, filter, ranked),
        orders: articleOrders,
      };
      return listConnection(db, def, order, args, byId);
    },
    /** Tag.articles: newest first. */
    forTag: (tagId: number, args: PageArgs) => forTag(tagId, "PUBLISHED_AT_DESC", args),
    /** Tag.articleCount, the same count as Tag.articles.totalCount. */
    countForTag: (tagId: number) => tagCount.load(tagId),
    /** Query.article(slug:). */
    bySlug: (slug: string) => bySlug.load(slug),
    /** RelatedLink.article: the newest article with exactly the headline's title. */
    byTitle: (title: string) => byTitle.load(title),
  };
}
