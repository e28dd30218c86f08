/**
 * ArticleUpsert -> rows: the article a newsroom's CMS describes, found by its externalId, else its
 * URL, else (once) as the imported article of the same title and publication time that has no URL
 * yet. A new one goes in as the importer puts in a dump's article (slug, tags, related headlines,
 * counts, search index: insertArticles). An update writes only the fields given and never touches
 * comments, so counts and moderation stay as they are.
 */
import { createHash } from "node:crypto";
import { DataSource, EntityManager } from "typeorm";
import { run, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { Article, ArticleTag } from "../entities";
import { reindexArticle } from "../search/search-index";
import { foldNullable } from "../text/fold";
import { ArticleInputError, ArticleUpsert } from "./article-input";
import { chunks, MAX_PARAMETERS, mustGet } from "../db/bulk-sql";
import type { ParsedArticle } from "./dump.types";
import { contentHash, countWords, errorMessage, identityKey, ImportError, insertArticles, Pending } from "./import";
import { reconcileLinks, reconcileTags } from "./reconcile";
import { distinctTags, resolveTags } from "./shared-rows";

export type UpsertStatus = "created" | "updated" | "unchanged";

export interface UpsertResult {
  status: UpsertStatus;
  articleId: number;
}

export interface UpsertOptions {
  /**
   * Creates the article only: when one matches already (a writer that came first, or the CMS), it
   * is left as it is and answered "unchanged". The embed's lazy creation upserts so.
   */
  createOnly?: boolean;
}

/** Tries of one upsert when another writer inserted the same article between its look-up and its insert. */
const UNIQUE_RACE_TRIES = 3;

/**
 * Creates or updates one article. On PostgreSQL another instance may insert the same URL between
 * this one's look-up and its insert; the unique index refuses the second insert, and the upsert is
 * run again, when its look-up finds the row just committed and updates it.
 */
export async function upsertArticle(dataSource: DataSource, upsert: ArticleUpsert, options: UpsertOptions = {}): Promise<UpsertResult> {
  const hash = upsertHash(upsert);
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(dataSource, (manager) => upsertIn(manager, upsert, hash, options));
    } catch (error) {
      if (attempt >= UNIQUE_RACE_TRIES || !isUniqueViolation(error)) throw error;
    }
  }
}

/**
 * Upserts many articles with the effect of calling upsertArticle on each in turn, but articles
 * that match nothing stored (the bulk of a first load) go in together, through the importer's
 * multi-row insert; unchanged ones are recognised in the same look-up. The rest, and every article
 * of a batch that failed, take the one-by-one path, so a failure stays with its article.
 */
export async function upsertArticles(dataSource: DataSource, upserts: ArticleUpsert[]): Promise<(UpsertResult | ImportError)[]> {
  const results: (UpsertResult | ImportError | undefined)[] = new Array(upserts.length);
  const items = upserts.map((upsert, index) => ({ index, upsert, hash: upsertHash(upsert) }));
  let oneByOne: typeof items = [];
  try {
    await inTransaction(dataSource, async (manager) => {
      oneByOne = [];
      const stored = await storedMatches(manager, upserts);
      const seen = new Set<string>();
      const fresh: typeof items = [];
      for (const item of items) {
        const { upsert } = item;
        const keys = [`u:${upsert.url}`, `t:${identityKey(upsert)}`, ...(upsert.externalId ? [`e:${upsert.externalId}`] : [])];
        const match = (upsert.externalId ? stored.byExternalId.get(upsert.externalId) : undefined) ?? stored.byUrl.get(upsert.url);
        if (keys.some((key) => seen.has(key))) oneByOne.push(item);
        else if (match && match.upsertHash === item.hash) results[item.index] = { status: "unchanged", articleId: match.id };
        else if (match || stored.titles.has(identityKey(upsert))) oneByOne.push(item);
        else fresh.push(item);
        for (const key of keys) seen.add(key);
      }
      const ids = await insertArticles(
        manager,
        fresh.map((item) => pending(item.upsert, item.hash)),
      );
      fresh.forEach((item, i) => (results[item.index] = { status: "created", articleId: ids[i] }));
    });
  } catch {
    // Which article broke the batch is unknown; redoing each alone confines the failure to it.
    oneByOne = items;
  }
  for (const item of oneByOne) {
    try {
      results[item.index] = await upsertArticle(dataSource, item.upsert);
    } catch (error) {
      results[item.index] = error instanceof ImportError ? error : new ImportError(`the database refused it: ${errorMessage(error)}`);
    }
  }
  return results.map((result) => {
    if (result === undefined) throw new Error("upsertArticles left an article without a result");
    return result;
  });
}

interface StoredArticle {
  id: number;
  url: string | null;
  externalId: string | null;
  upsertHash: string | null;
  title: string;
  publishedAt: Date;
}

const STORED_COLUMNS = ["a.id", "a.url", "a.externalId", "a.upsertHash", "a.title", "a.publishedAt"];

/** What is stored under the batch's externalIds, URLs and titles, in a few statements per batch. */
async function storedMatches(manager: EntityManager, upserts: ArticleUpsert[]) {
  const find = async (column: "url" | "externalId" | "title", keys: string[]) => {
    const rows: StoredArticle[] = [];
    for (const chunk of chunks([...new Set(keys)], MAX_PARAMETERS)) {
      rows.push(...(await manager.createQueryBuilder(Article, "a").select(STORED_COLUMNS).where(`a.${column} IN (:...chunk)`, { chunk }).getMany()));
    }
    return rows;
  };
  const externalIds = upserts.flatMap((upsert) => (upsert.externalId ? [upsert.externalId] : []));
  return {
    byExternalId: new Map((await find("externalId", externalIds)).map((row) => [row.externalId!, row])),
    byUrl: new Map(
      (
        await find(
          "url",
          upserts.map((upsert) => upsert.url),
        )
      ).map((row) => [row.url!, row]),
    ),
    titles: new Set(
      (
        await find(
          "title",
          upserts.map((upsert) => upsert.title),
        )
      ).map(identityKey),
    ),
  };
}

async function findOne(manager: EntityManager, where: Partial<Record<"url" | "externalId", string>>): Promise<StoredArticle | null> {
  return manager.createQueryBuilder(Article, "a").select(STORED_COLUMNS).where(where).getOne();
}

/** The article with this title and publication time (by title in SQL, the time in JS, as the importer matches). */
async function findByIdentity(manager: EntityManager, upsert: ArticleUpsert): Promise<StoredArticle | null> {
  const rows = await manager.createQueryBuilder(Article, "a").select(STORED_COLUMNS).where({ title: upsert.title }).getMany();
  return rows.find((row) => identityKey(row) === identityKey(upsert)) ?? null;
}

function named(article: StoredArticle): string {
  return article.url ? `the article at ${article.url}` : `the article "${article.title}"`;
}

async function upsertIn(manager: EntityManager, upsert: ArticleUpsert, hash: string, options: UpsertOptions = {}): Promise<UpsertResult> {
  const byExternalId = upsert.externalId ? await findOne(manager, { externalId: upsert.externalId }) : null;
  const byUrl = await findOne(manager, { url: upsert.url });
  if (byExternalId && byUrl && byUrl.id !== byExternalId.id) {
    throw new ArticleInputError("url", `${upsert.url} is already the URL of another article (externalId ${JSON.stringify(byUrl.externalId)})`);
  }
  if (!byExternalId && byUrl?.externalId && upsert.externalId) {
    throw new ArticleInputError("externalId", `the article at ${upsert.url} has the externalId "${byUrl.externalId}", not "${upsert.externalId}"`);
  }
  let target = byExternalId ?? byUrl;
  if (!target) {
    // An imported article the CMS now names: same title and publication time, and no URL yet.
    const twin = await findByIdentity(manager, upsert);
    if (twin?.url) throw new ArticleInputError("title", `${named(twin)} has the same title and publication time`);
    target = twin;
  }
  if (!target) {
    const [id] = await insertArticles(manager, [pending(upsert, hash)]);
    return { status: "created", articleId: id };
  }
  if (target.upsertHash === hash || options.createOnly) return { status: "unchanged", articleId: target.id };
  if (target.title !== upsert.title || target.publishedAt.getTime() !== upsert.publishedAt.getTime()) {
    const clash = await findByIdentity(manager, upsert);
    if (clash && clash.id !== target.id) throw new ArticleInputError("title", `${named(clash)} has the same title and publication time`);
  }
  await updateArticle(manager, target, upsert, hash);
  return { status: "updated", articleId: target.id };
}

/**
 * Writes the given fields. The slug stays, so links keep working. On PostgreSQL the UPDATE comes
 * first and locks the article row, as every write that touches an article and its comments does.
 */
async function updateArticle(manager: EntityManager, target: StoredArticle, upsert: ArticleUpsert, hash: string): Promise<void> {
  const fields: Partial<Article> = { url: upsert.url, title: upsert.title, publishedAt: upsert.publishedAt, upsertHash: hash };
  if (upsert.externalId !== undefined) fields.externalId = upsert.externalId;
  if (upsert.section !== undefined) Object.assign(fields, { section: upsert.section, sectionKey: foldNullable(upsert.section) });
  if (upsert.imageCaption !== undefined) fields.imageCaption = upsert.imageCaption;
  if (upsert.imageCredit !== undefined) fields.imageCredit = upsert.imageCredit;
  if (upsert.dateline !== undefined) fields.dateline = upsert.dateline;
  if (upsert.paragraphs !== undefined) Object.assign(fields, { paragraphs: upsert.paragraphs, wordCount: countWords(upsert.paragraphs) });
  // searchText as the importer writes it (see Article.searchText): a new title alone changes it too.
  const paragraphs = upsert.paragraphs ?? (await storedParagraphs(manager, target.id));
  fields.searchText = `${upsert.title}\n${paragraphs.join("\n")}`.toLowerCase();
  await manager.update(Article, { id: target.id }, fields);

  if (target.publishedAt.getTime() !== upsert.publishedAt.getTime()) {
    // Tag rows carry their article's publication time (see ArticleTag.publishedAt).
    await manager.update(ArticleTag, { articleId: target.id }, { publishedAt: upsert.publishedAt });
  }
  if (upsert.tags !== undefined) {
    const tags = distinctTags(upsert.tags);
    const tagIds = await resolveTags(manager, tags);
    await reconcileTags(
      manager,
      target.id,
      tags.map((tag) => mustGet(tagIds, tag.key, "tag")),
      upsert.publishedAt,
    );
  }
  if (upsert.relatedLinks !== undefined) await reconcileLinks(manager, target.id, upsert.relatedLinks);
  await reindexArticle(manager, target.id);
}

async function storedParagraphs(manager: EntityManager, articleId: number): Promise<string[]> {
  const [row] = await run<{ paragraphs: string }>(manager, sql`SELECT "paragraphs" FROM "article" WHERE "id" = ${articleId}`);
  // A simple-json column: TypeORM stores the array as JSON text.
  return JSON.parse(row.paragraphs) as string[];
}

/** A new article as the importer takes it: the upsert with its missing parts empty, and no comments. */
function pending(upsert: ArticleUpsert, hash: string): Pending {
  const parsed: ParsedArticle = {
    title: upsert.title,
    publishedAt: upsert.publishedAt,
    section: upsert.section ?? null,
    imageCaption: upsert.imageCaption ?? null,
    imageCredit: upsert.imageCredit ?? null,
    dateline: upsert.dateline ?? null,
    paragraphs: upsert.paragraphs ?? [],
    relatedLinks: (upsert.relatedLinks ?? []).map((title) => ({ title })),
    tags: upsert.tags ?? [],
    comments: [],
  };
  // contentHash as a dump of the same article would have it, so the importer tells it apart as it tells dumps.
  return { parsed, hash: contentHash(parsed), url: upsert.url, externalId: upsert.externalId ?? null, upsertHash: hash };
}

/**
 * Digest of everything an upsert says, fields not given told apart from empty ones: an article
 * whose upsertHash equals it was last written by the same input, so nothing is written again.
 */
function upsertHash(upsert: ArticleUpsert): string {
  const canonical = [
    "upsert:1",
    upsert.url,
    upsert.externalId,
    upsert.title,
    upsert.publishedAt.toISOString(),
    upsert.section,
    upsert.paragraphs,
    upsert.tags,
    upsert.imageCaption,
    upsert.imageCredit,
    upsert.dateline,
    upsert.relatedLinks,
  ].map((value) => (value === undefined ? "<not given>" : value));
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

/** PostgreSQL's unique_violation and SQLite's UNIQUE constraint failure, bare or wrapped by TypeORM. */
function isUniqueViolation(error: unknown): boolean {
  const driver = (error as { driverError?: { code?: unknown; message?: unknown } })?.driverError ?? (error as { code?: unknown; message?: unknown });
  if (!driver || typeof driver !== "object") return false;
  return driver.code === "23505" || (driver.code === "SQLITE_CONSTRAINT" && typeof driver.message === "string" && /UNIQUE/.test(driver.message));
}
