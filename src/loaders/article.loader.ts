/** Article lists (all articles with filters, a tag's articles) and lookups by text. */
import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { list, run, Sql, sql } from "../db/sql";
import { Article } from "../entities";
import { userError } from "../errors";
import { foldKey } from "../text/fold";
import { byTextLoader, MAX_BATCH, storable } from "./batch.loader";
import { commentCountOf } from "./comment.loader";
import { countLoader, ListDef, listConnection, PageArgs, perParentConnections, SortKey } from "./connection";
import { articleRows, readRows } from "./rows";

export type ArticleOrderKey = "PUBLISHED_AT_DESC" | "PUBLISHED_AT_ASC" | "COMMENT_COUNT_DESC";

/** Limits that keep a filter within both engines' bound-parameter limits. */
export const MAX_SEARCH_WORDS = 20;
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
};

/** The condition for text that cannot match (see `storable`). */
const NOTHING = sql`1 = 0`;

/** LIKE pattern that matches `text` literally; `\` escapes are declared in the query. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filterConditions(filter: ArticleFilter): Sql[] {
  const where: Sql[] = [];
  const { tagSlugIn, section, search, publishedAfter, publishedBefore } = filter;
  if (publishedAfter && publishedBefore && publishedAfter >= publishedBefore) {
    throw userError(`"publishedAfter" must be earlier than "publishedBefore"`, { argumentName: "where" });
  }
  if (tagSlugIn && tagSlugIn.length > MAX_TAG_SLUGS) {
    throw userError(`"where.tagSlugIn" holds at most ${MAX_TAG_SLUGS} slugs`, { argumentName: "where" });
  }
  const words = (search ?? "").split(/\s+/).filter(Boolean);
  if (words.length > MAX_SEARCH_WORDS) {
    throw userError(`"where.search" holds at most ${MAX_SEARCH_WORDS} words`, { argumentName: "where" });
  }
  if (tagSlugIn && tagSlugIn.length > 0) {
    const slugs = tagSlugIn.filter(storable);
    where.push(
      slugs.length === 0
        ? NOTHING
        : sql`EXISTS (SELECT 1 FROM article_tag at JOIN tag t ON t."id" = at."tagId" WHERE at."articleId" = a."id" AND t."slug" IN ${list(slugs)})`,
    );
  }
  if (section) where.push(storable(section) ? sql`a."sectionKey" = ${foldKey(section)}` : NOTHING);
  // Every word must appear somewhere in the title or body.
  for (const word of words) where.push(storable(word) ? sql`a."searchText" LIKE ${likePattern(word)} ESCAPE '\\'` : NOTHING);
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
  const tagCount = countLoader(db, ofTags);
  const forTag = perParentConnections(db, ofTags, byId, tagCount);
  const bySlug = byTextLoader((slugs) => readRows(db, articleRows, sql`a."slug" IN ${list(slugs)}`), (row) => row.slug);
  const byTitle = byTextLoader(
    (titles) => readRows(db, articleRows, sql`a."title" IN ${list(titles)}`, sql`a."publishedAt" DESC, a."id" DESC`),
    (row) => row.title,
  );
  const paragraphs = new DataLoader<number, string[]>(
    async (ids) => {
      const rows = await run(db, sql`SELECT a."id", a."paragraphs" FROM article a WHERE a."id" IN ${list([...ids])}`);
      // A simple-json column: TypeORM stores the array as JSON text.
      const bodies = new Map(rows.map((row) => [Number(row.id), JSON.parse(String(row.paragraphs)) as string[]]));
      return ids.map((id) => bodies.get(id) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
  return {
    /** Query.articles. */
    list(args: ArticleListArgs) {
      const def: ListDef<ArticleOrderKey> = {
        name: "articles",
        from: sql`article a`,
        id: sql`a."id"`,
        where: filterConditions(args.where ?? {}),
        orders: articleOrders,
      };
      return listConnection(db, def, args.orderBy ?? "PUBLISHED_AT_DESC", args, byId);
    },
    /** Tag.articles: newest first. */
    forTag: (tagId: number, args: PageArgs) => forTag(tagId, "PUBLISHED_AT_DESC", args),
    /** Tag.articleCount, the same count as Tag.articles.totalCount. */
    countForTag: (tagId: number) => tagCount.load(tagId),
    /** Query.article(slug:). */
    bySlug: (slug: string) => bySlug.load(slug),
    /** RelatedLink.article: the newest article with exactly the headline's title. */
    byTitle: (title: string) => byTitle.load(title),
    /** Article.paragraphs: the body, which article rows leave out; [] for an article that is gone. */
    paragraphs: (articleId: number) => paragraphs.load(articleId),
  };
}
