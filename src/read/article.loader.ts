/** Article lists (all articles with filters, a tag's articles) and lookups by text. */
import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { isPostgres } from "../db/data-source";
import { list, run, Sql, sql } from "../db/sql";
import { storedTableCount } from "./stored-counts";
import { Article, Tag } from "../entities";
import { userError } from "../errors";
import { articleIds } from "../search/match-sql";
import { parseSearchQuery, SearchQuery } from "../search/parse-query";
import { foldKey } from "../text/fold";
import { byTextLoader, MAX_BATCH, noteList, storable, storedCountLoader } from "./batch.loader";
import {
  Connection,
  Edge,
  edgesConnection,
  keysetWindow,
  ListCount,
  ListDef,
  listConnection,
  NONE,
  PageArgs,
  perParentConnections,
  selectedCount,
  SortKey,
} from "./connection";
import { rankedMatches, RELEVANCE } from "./ranked-matches";
import { articleRows, articleRowsOf } from "./rows";

export type ArticleOrderKey = "PUBLISHED_AT_DESC" | "PUBLISHED_AT_ASC" | "COMMENT_COUNT_DESC" | "RELEVANCE";

/** An article's body as stored: a simple-json column, which TypeORM stores as JSON text. */
function readBody(value: unknown): string[] {
  return JSON.parse(String(value)) as string[];
}

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

/** The orders of the plain article list; RELEVANCE is the ranked list of ranked-matches.ts. */
type ListOrderKey = Exclude<ArticleOrderKey, "RELEVANCE">;

const articleOrders: Record<ListOrderKey, SortKey[]> = {
  PUBLISHED_AT_DESC: newestFirst,
  PUBLISHED_AT_ASC: [
    { expr: sql`a."publishedAt"`, dir: "ASC", type: "date" },
    { expr: sql`a."id"`, dir: "ASC", type: "int" },
  ],
  COMMENT_COUNT_DESC: [
    { expr: sql`a."commentCount"`, dir: "DESC", type: "count" },
    { expr: sql`a."id"`, dir: "DESC", type: "int" },
  ],
};

/** The condition for text that cannot match (see `storable`). */
const NOTHING = sql`1 = 0`;

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
  if (search && !searched) where.push(search.terms.length === 0 ? NOTHING : searchCondition(db, search));
  if (publishedAfter) where.push(sql`a."publishedAt" >= ${publishedAfter}`);
  if (publishedBefore) where.push(sql`a."publishedAt" < ${publishedBefore}`);
  return where;
}

/**
 * Articles that match a search, as a test of each article's id against the matches. On SQLite the
 * id is written `+a."id"`, which keeps the planner from reading the article rows by the matches'
 * ids: an article row holds its whole text (several pages), so a common word's 60,000 matches
 * cost 60,000 row reads (about 400 ms at 100,000 articles) to sort or count them. Tested instead,
 * the matches become one in-memory set (FTS5 lists them in a few milliseconds) that the planner
 * checks while it walks an index: the newest first, or a count over the smallest index.
 */
function searchCondition(db: DataSource, search: SearchQuery): Sql {
  const id = isPostgres(db) ? sql`a."id"` : sql`+a."id"`;
  return sql`${id} IN (${articleIds(db, search)})`;
}

/** A tag's articles, read from its tag rows alone: they carry the article's publishedAt. */
const ofTags: ListDef<"PUBLISHED_AT_DESC"> = {
  name: "Tag.articles",
  from: sql`article_tag at`,
  id: sql`at."articleId"`,
  partition: sql`at."tagId"`,
  where: [],
  orders: {
    PUBLISHED_AT_DESC: [
      { expr: sql`at."publishedAt"`, dir: "DESC", type: "date" },
      { expr: sql`at."articleId"`, dir: "DESC", type: "int" },
    ],
  },
};

/**
 * Per-request article lists and lookups; `byId` serves the nodes, `tagById` the stored totals of
 * tags' lists.
 */
export function articleLoaders(db: DataSource, byId: DataLoader<number, Article | null>, tagById: DataLoader<number, Tag | null>) {
  const forTag = perParentConnections(
    db,
    ofTags,
    byId,
    storedCountLoader(tagById, (tag) => tag.articleCount),
  );
  const paragraphs = new DataLoader<number, string[]>(
    async (ids) => {
      const rows = await run(db, sql`SELECT a."id", a."paragraphs" FROM article a WHERE a."id" IN ${list([...ids])}`, { prepare: true });
      const bodies = new Map(rows.map((row) => [Number(row.id), readBody(row.paragraphs)]));
      return ids.map((id) => bodies.get(id) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
  /**
   * Article pages, by slug, url or externalId. Rows found by text are primed into `byId`; a
   * lookup, found or not, is part of the article list, which a new article (or a changed slug,
   * url or title) may change. When a caller asked for the body (`withBody`: the page selects
   * Article.paragraphs), the lookup reads it in the same statement and primes `paragraphs`, so a
   * page costs one statement for its article, not two.
   */
  const withBody = new Set<string>();
  const lookup = async (where: Sql, keys: string[], orderBy?: Sql): Promise<Article[]> => {
    noteList(byId, "articles");
    const body = keys.some((key) => withBody.has(key));
    const columns = body ? sql`${articleRows.columns}, a."paragraphs"` : articleRows.columns;
    const order = orderBy ? sql` ORDER BY ${orderBy}` : sql``;
    const rows = await run(db, sql`SELECT ${columns} FROM ${articleRows.from} WHERE ${where}${order}`, { prepare: true });
    return rows.map((row) => {
      const article = articleRows.build(row);
      byId.prime(article.id, article);
      if (body) paragraphs.prime(article.id, readBody(row.paragraphs));
      return article;
    });
  };
  const bySlug = byTextLoader(
    (slugs) => lookup(sql`a."slug" IN ${list(slugs)}`, slugs),
    (row) => row.slug,
  );
  const byUrl = byTextLoader(
    (urls) => lookup(sql`a."url" IN ${list(urls)}`, urls),
    (row) => row.url ?? "",
  );
  const byExternalId = byTextLoader(
    (ids) => lookup(sql`a."externalId" IN ${list(ids)}`, ids),
    (row) => row.externalId ?? "",
  );
  /** Related headlines' articles: a headline shows a title and a link, never the body. */
  const byTitle = byTextLoader(
    (titles) => lookup(sql`a."title" IN ${list(titles)}`, [], sql`a."publishedAt" DESC, a."id" DESC`),
    (row) => row.title,
  );
  /** A page's lookup by text, with its body when asked for. */
  const page = (loader: DataLoader<string, Article | null>, key: string, body: boolean): Promise<Article | null> => {
    if (body) withBody.add(key);
    return loader.load(key);
  };
  /**
   * Query.articles ordered by RELEVANCE: the search's ranked list (ranked-matches.ts), articles
   * only, as Query.search(scope: [ARTICLES]) lists them.
   */
  async function ranked(filter: ArticleFilter, args: PageArgs): Promise<Connection<Article>> {
    const search = searchOf(filter);
    if (search === null) {
      throw userError(`"orderBy: RELEVANCE" needs a search: pass "where.search", or another order`, { argumentName: "orderBy" });
    }
    const window = keysetWindow("articles", "RELEVANCE", RELEVANCE, args);
    noteList(byId, "articles");
    noteList(byId, "search");
    if (search.terms.length === 0) return edgesConnection<Article, Edge<Article>>([], { hasNextPage: false, hasPreviousPage: false }, NONE);
    const matches = rankedMatches(db, search, ["article"], filterConditions(db, filter, true));
    const { keys, ...pageInfo } = await matches.page(window);
    const loaded = await byId.loadMany(keys.map((key) => key[2] as number));
    const edges: Edge<Article>[] = [];
    loaded.forEach((node, i) => {
      if (node instanceof Error) throw node;
      // A row gone between the statements is simply left out.
      if (node)
        edges.push({
          node,
          get cursor() {
            return window.cursorFor(keys[i]);
          },
        });
    });
    return edgesConnection(edges, pageInfo, matches.count);
  }

  return {
    /**
     * Query.articles. `properties`: the nodes are asked for these plain properties alone (and their
     * ids), so the rows are read with those columns only; null: whole rows.
     */
    list(args: ArticleListArgs, properties: string[] | null = null): Promise<Connection<Article>> {
      const filter = args.where ?? {};
      const order = args.orderBy ?? "PUBLISHED_AT_DESC";
      if (order === "RELEVANCE") return ranked(filter, args);
      const where = filterConditions(db, filter);
      const def: ListDef<ListOrderKey> = { name: "articles", from: sql`article a`, id: sql`a."id"`, where, filtered: where.length > 0, orders: articleOrders };
      // Unfiltered, the list is every article, whose number is stored: counting them would read the whole table.
      // Filtered by a search alone, it is every article the index finds, and the index has one entry per article.
      const search = searchOf(filter);
      const count: ListCount | undefined =
        def.where.length === 0
          ? { total: () => storedTableCount(db, "articles") }
          : def.where.length === 1 && search !== null && search.terms.length > 0
            ? selectedCount(db, articleIds(db, search))
            : undefined;
      return listConnection(db, def, order, args, byId, count, (properties && articleRowsOf(properties)) ?? articleRows);
    },
    /** Tag.articles: newest first. */
    forTag: (tagId: number, args: PageArgs) => forTag(tagId, "PUBLISHED_AT_DESC", args),
    /** Query.article(slug:); `withBody`: the page selects Article.paragraphs. */
    bySlug: (slug: string, withBody = false) => page(bySlug, slug, withBody),
    /** Query.article(url:): compared exactly, as upsertArticle stored it. */
    byUrl: (url: string, withBody = false) => page(byUrl, url, withBody),
    /** Query.article(externalId:). */
    byExternalId: (externalId: string, withBody = false) => page(byExternalId, externalId, withBody),
    /** RelatedLink.article: the newest article with exactly the headline's title. */
    byTitle: (title: string) => byTitle.load(title),
    /** Article.paragraphs: the body, which article rows leave out; [] for an article that is gone. */
    paragraphs: (articleId: number) => paragraphs.load(articleId),
  };
}
