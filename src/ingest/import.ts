/**
 * ParsedArticle -> rows. Knows nothing of the text format (the parser does). Every dump lands
 * whole or not at all. Written with multi-row statements because seeding imports thousands of
 * dumps: importArticle spends a handful of statements on a dump whatever its number of comments,
 * and importArticles shares them across a whole batch of new articles.
 */
import { createHash } from "node:crypto";
import { DataSource, EntityManager } from "typeorm";
import { articlesAdded, commentsChanged, taggingsChanged } from "../read/stored-counts";
import { lockArticle } from "../db/lock-order";
import { inTransaction } from "../db/transaction";
import { Article, ArticleTag, Comment, RelatedLink } from "../entities";
import { characterCount, WRITE_LIMITS } from "../text/write-limits";
import { foldNullable } from "../text/fold";
import { isWhitespace } from "../text/whitespace";
import { chunks, insertedId, insertRows, MAX_PARAMETERS, mustGet, selectIds } from "../db/bulk-sql";
import type { ParsedArticle, ParsedComment } from "./dump.types";
import { importedCommentRows, reconcileComments, reconcileLinks, reconcileTags } from "./reconcile";
import { distinctTags, resolveAuthors, resolveTags } from "./shared-rows";
import { freeArticleSlugs } from "./slug-allocation";
import { indexArticles, indexComments } from "../search/search-index";

export type ImportStatus = "imported" | "updated" | "unchanged";

export interface ImportResult {
  status: ImportStatus;
  articleId: number;
}

/**
 * Why one dump was not imported while the others were. Mostly a value longer than its column,
 * checked up front because PostgreSQL enforces varchar lengths and SQLite does not: both engines
 * must accept and refuse the same dumps. In a folder import, also the database's own refusal.
 */
export class ImportError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "ImportError";
  }
}

/** Bumped when the meaning of the stored rows changes, so every dump re-imports once. */
const HASH_VERSION = "2";

/** An article to write: what a dump (or an ArticleInput, without comments) says, and its digest. */
export interface Pending {
  parsed: ParsedArticle;
  hash: string;
  /** Set by upsertArticle; a dump brings none of them. */
  url?: string | null;
  externalId?: string | null;
  upsertHash?: string | null;
}

interface ExistingArticle {
  id: number;
  contentHash: string;
}

/** Imports one parsed dump: inserts a new article, updates a changed one, or leaves it be. */
export async function importArticle(dataSource: DataSource, parsed: ParsedArticle): Promise<ImportResult> {
  checkFits(parsed);
  const item: Pending = { parsed, hash: contentHash(parsed) };
  return inTransaction(dataSource, async (manager) => {
    const existing = (await findExisting(manager, [parsed])).get(identityKey(parsed));
    if (existing && existing.contentHash === item.hash) return { status: "unchanged", articleId: existing.id };
    if (!existing) return { status: "imported", articleId: (await insertArticles(manager, [item]))[0] };
    await updateArticle(manager, existing.id, item);
    return { status: "updated", articleId: existing.id };
  });
}

/**
 * Imports many dumps with the effect of calling importArticle on each in turn, but new articles
 * (the bulk of any seed) go in together: one transaction and a few multi-row statements for the
 * whole batch instead of a dozen statements per dump. Each dump still lands whole or not at all:
 * if the batch fails, nothing of it is committed and every dump is redone in its own transaction,
 * so only the culprit fails. Changed and repeated dumps take the one-by-one path after the batch,
 * in order. A dump that fails on its own comes back as an ImportError with the reason: its own,
 * or the database's (a constraint, a trigger, a lost connection) for any other error.
 */
export async function importArticles(dataSource: DataSource, articles: ParsedArticle[]): Promise<(ImportResult | ImportError)[]> {
  const results: (ImportResult | ImportError | undefined)[] = new Array(articles.length);
  const candidates: (Pending & { index: number })[] = [];
  articles.forEach((parsed, index) => {
    try {
      checkFits(parsed);
      candidates.push({ index, parsed, hash: contentHash(parsed) });
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      results[index] = error;
    }
  });

  let oneByOne: (Pending & { index: number })[];
  try {
    // Decided afresh on every try (inTransaction runs this again after a conflict), so nothing
    // outside the transaction is touched until it commits.
    const batch = await inTransaction(dataSource, async (manager) => {
      const settled = new Map<number, ImportResult>();
      const later: (Pending & { index: number })[] = [];
      const existing = await findExisting(
        manager,
        candidates.map((item) => item.parsed),
      );
      const seen = new Set<string>();
      const fresh: (Pending & { index: number })[] = [];
      for (const item of candidates) {
        const key = identityKey(item.parsed);
        const row = existing.get(key);
        if (seen.has(key) || (row && row.contentHash !== item.hash)) later.push(item);
        else if (row) settled.set(item.index, { status: "unchanged", articleId: row.id });
        else fresh.push(item);
        seen.add(key);
      }
      const ids = await insertArticles(manager, fresh);
      fresh.forEach((item, i) => settled.set(item.index, { status: "imported", articleId: ids[i] }));
      return { settled, later };
    });
    for (const [index, result] of batch.settled) results[index] = result;
    oneByOne = batch.later;
  } catch {
    // Which dump broke the batch is unknown; redoing each alone confines the failure to it.
    oneByOne = candidates;
  }
  for (const item of oneByOne) {
    try {
      results[item.index] = await importArticle(dataSource, item.parsed);
    } catch (error) {
      // Alone in its transaction, the failure is this dump's, whatever its kind; the rest go on.
      results[item.index] = error instanceof ImportError ? error : new ImportError(`the database refused it: ${errorMessage(error)}`);
    }
  }
  return results.map((result) => {
    if (result === undefined) throw new Error("importArticles left a dump without a result");
    return result;
  });
}

export function identityKey(article: { title: string; publishedAt: Date }): string {
  return `${article.publishedAt.getTime()}\u0000${article.title}`;
}

/** Articles already stored under the identities (title, publication time) of these dumps. */
async function findExisting(manager: EntityManager, articles: ParsedArticle[]): Promise<Map<string, ExistingArticle>> {
  const found = new Map<string, ExistingArticle>();
  const titles = [...new Set(articles.map((parsed) => parsed.title))];
  for (const chunk of chunks(titles, MAX_PARAMETERS)) {
    // By title only, then the time in JS: one indexed lookup for a whole batch.
    const rows = await manager
      .createQueryBuilder(Article, "a")
      .select(["a.id", "a.title", "a.publishedAt", "a.contentHash"])
      .where("a.title IN (:...chunk)", { chunk })
      .getMany();
    for (const row of rows) found.set(identityKey(row), row);
  }
  return found;
}

/** Inserts new articles with everything under them; returns their ids in order. */
export async function insertArticles(manager: EntityManager, items: Pending[]): Promise<number[]> {
  if (items.length === 0) return [];
  const tagsPerArticle = items.map((item) => distinctTags(item.parsed.tags));
  const tagIds = await resolveTags(manager, tagsPerArticle.flat());
  const authorIds = await resolveAuthors(
    manager,
    items.flatMap((item) => item.parsed.comments.map((comment) => comment.author)),
  );
  const slugs = await freeArticleSlugs(
    manager,
    items.map((item) => item.parsed),
  );

  const articleId = new Map<string, number>();
  if (items.length === 1) {
    // Alone, the insert reports its id; no need to look it up by slug.
    const inserted = await manager.createQueryBuilder().insert().into(Article).values(articleRow(items[0], slugs[0])).execute();
    articleId.set(slugs[0], insertedId(inserted.raw, inserted.identifiers));
  } else {
    await insertRows(
      manager,
      Article,
      items.map((item, i) => articleRow(item, slugs[i])),
    );
    for (const [slug, id] of await selectIds(manager, Article, "slug", slugs)) articleId.set(slug, id);
  }
  const ids = slugs.map((slug) => mustGet(articleId, slug, "article"));
  await articlesAdded(manager, ids.length);

  const tagRows: Partial<ArticleTag>[] = [];
  const linkRows: Partial<RelatedLink>[] = [];
  const commentRows: Partial<Comment>[] = [];
  items.forEach((item, i) => {
    const publishedAt = item.parsed.publishedAt;
    tagsPerArticle[i].forEach((tag, position) =>
      tagRows.push({ articleId: ids[i], tagId: mustGet(tagIds, tag.key, "tag"), position: position + 1, publishedAt }),
    );
    item.parsed.relatedLinks.forEach((link, position) => linkRows.push({ articleId: ids[i], title: link.title, position: position + 1 }));
    commentRows.push(
      ...importedCommentRows(
        ids[i],
        item.parsed.comments,
        authorIds,
        item.parsed.comments.map((_, position) => position + 1),
      ),
    );
  });
  await insertRows(manager, ArticleTag, tagRows);
  await insertRows(manager, RelatedLink, linkRows);
  await insertRows(manager, Comment, commentRows);
  await commentsChanged(manager, {
    shown: commentRows.map((row) => ({ articleId: row.articleId!, authorId: row.authorId ?? null, parentId: null, replyCount: 0 })),
  });
  const taggings = new Map<number, number>();
  for (const row of tagRows) taggings.set(row.tagId!, (taggings.get(row.tagId!) ?? 0) + 1);
  await taggingsChanged(manager, taggings);
  await indexArticles(
    manager,
    items.map((item, i) => ({ id: ids[i], ...item.parsed, tags: tagsPerArticle[i].map((tag) => tag.name) })),
    true,
  );
  await indexComments(manager, await insertedComments(manager, items, ids), true);
  return ids;
}

/**
 * The comments just inserted under new articles, with their ids: the multi-row inserts report
 * none, so they are looked up by article and position (the dump's order), bodies taken from
 * the dumps rather than read back.
 */
async function insertedComments(manager: EntityManager, items: Pending[], ids: number[]) {
  const bodies = new Map<number, string[]>();
  items.forEach((item, i) =>
    bodies.set(
      ids[i],
      item.parsed.comments.map((comment) => comment.body),
    ),
  );
  const withComments = ids.filter((id) => (bodies.get(id)?.length ?? 0) > 0);
  const found: { id: number; body: string }[] = [];
  for (const chunk of chunks(withComments, MAX_PARAMETERS)) {
    const rows = await manager
      .createQueryBuilder(Comment, "c")
      .select(["c.id", "c.articleId", "c.position"])
      .where("c.articleId IN (:...chunk)", { chunk })
      .getMany();
    for (const row of rows) found.push({ id: row.id, body: bodies.get(row.articleId)![row.position - 1] });
  }
  return found;
}

async function updateArticle(manager: EntityManager, articleId: number, item: Pending): Promise<void> {
  const { parsed } = item;
  const tags = distinctTags(parsed.tags);
  // The article first, as every write to a discussion takes it (db/lock-order.ts): no instance
  // posts a comment between the thread being read and its positions shifted.
  await lockArticle(manager, articleId);
  const tagIds = await resolveTags(manager, tags);
  // Title and publication time are the identity, and the slug stays so links keep working.
  await manager.update(Article, { id: articleId }, articleFields(item));
  await reconcileTags(
    manager,
    articleId,
    tags.map((tag) => mustGet(tagIds, tag.key, "tag")),
    parsed.publishedAt,
  );
  await reconcileLinks(
    manager,
    articleId,
    parsed.relatedLinks.map((link) => link.title),
  );
  await reconcileComments(manager, articleId, parsed.comments);
  await indexArticles(manager, [{ id: articleId, ...parsed, tags: tags.map((tag) => tag.name) }]);
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Words across the body: whitespace-separated runs that hold a letter or a digit (not a lone dash). */
export function countWords(paragraphs: string[]): number {
  let count = 0;
  for (const paragraph of paragraphs) {
    const length = paragraph.length;
    let i = 0;
    while (i < length) {
      while (i < length && isWhitespace(paragraph.charCodeAt(i))) i += 1;
      const start = i;
      let ascii = false;
      let other = false;
      for (; i < length; i++) {
        const code = paragraph.charCodeAt(i);
        if (isWhitespace(code)) break;
        if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39)) ascii = true;
        else if (code >= 0x80) other = true;
      }
      if (ascii || (other && LETTER_OR_DIGIT.test(paragraph.slice(start, i)))) count += 1;
    }
  }
  return count;
}

/** Stable digest of everything the dump says; equal digests mean a re-import would write nothing. */
export function contentHash(parsed: ParsedArticle): string {
  // Keys listed explicitly so the digest does not depend on how the parser built its objects.
  const canonical = [
    HASH_VERSION,
    parsed.title,
    parsed.publishedAt.toISOString(),
    parsed.section,
    parsed.imageCaption,
    parsed.imageCredit,
    parsed.dateline,
    parsed.paragraphs,
    parsed.relatedLinks.map((link) => link.title),
    parsed.tags,
    parsed.comments.map((comment) => [comment.author, comment.hasAvatar, comment.body]),
  ];
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

function articleFields({ parsed, hash }: Pending) {
  return {
    section: parsed.section,
    sectionKey: foldNullable(parsed.section),
    imageCaption: parsed.imageCaption,
    imageCredit: parsed.imageCredit,
    dateline: parsed.dateline,
    paragraphs: parsed.paragraphs,
    wordCount: countWords(parsed.paragraphs),
    searchText: `${parsed.title}\n${parsed.paragraphs.join("\n")}`.toLowerCase(),
    contentHash: hash,
  };
}

function articleRow(item: Pending, slug: string) {
  // url, externalId and upsertHash always, so every row of a multi-row insert has the same columns.
  return {
    ...articleFields(item),
    slug,
    title: item.parsed.title,
    publishedAt: item.parsed.publishedAt,
    url: item.url ?? null,
    externalId: item.externalId ?? null,
    upsertHash: item.upsertHash ?? null,
  };
}

/**
 * A dump is held to the limits readers' writes obey (WRITE_LIMITS), so an import can neither store
 * what `addComment` would refuse nor overflow a column (PostgreSQL enforces varchar lengths and
 * SQLite does not: both engines must accept and refuse the same dumps). The reason names the part.
 */
function checkFits(parsed: ParsedArticle): void {
  const breach = articleLimitBreach({ ...parsed, relatedLinks: parsed.relatedLinks.map((link) => link.title) }, "the dump");
  if (breach) throw new ImportError(breach.reason);
}

/** What an article may hold, as dumps and upsertArticle give it; absent parts are not checked. */
export interface ArticleParts {
  title?: string;
  section?: string | null;
  imageCaption?: string | null;
  imageCredit?: string | null;
  dateline?: string | null;
  paragraphs?: string[];
  relatedLinks?: string[];
  tags?: string[];
  comments?: ParsedComment[];
}

/** The first part of an article over WRITE_LIMITS: its field (as ArticleInput names it) and why. */
export interface LimitBreach {
  field: keyof ArticleParts;
  reason: string;
}

/**
 * The one check of an article against WRITE_LIMITS, for dumps (checkFits) and for upsertArticle
 * and the seed's ArticleInput files alike. `holder` is how a count names the whole ("the dump").
 */
export function articleLimitBreach(article: ArticleParts, holder: string): LimitBreach | null {
  const tooLong = (what: string, value: string | null | undefined, limit: number) => {
    if (value === null || value === undefined) return null;
    const length = characterCount(value);
    if (length <= limit) return null;
    const start = Array.from(value).slice(0, 40).join("");
    return `${what} is ${length} characters long; the limit is ${limit}: "${start}…"`;
  };
  const tooMany = (what: string, count: number, limit: number) => (count > limit ? `${holder} has ${count} ${what}; the limit is ${limit}` : null);
  const checks: [keyof ArticleParts, () => string | null | undefined][] = [
    ["title", () => tooLong("title", article.title, WRITE_LIMITS.title)],
    ["section", () => tooLong("section", article.section, WRITE_LIMITS.section)],
    ["imageCaption", () => tooLong("photo caption", article.imageCaption, WRITE_LIMITS.imageCaption)],
    ["imageCredit", () => tooLong("photo credit", article.imageCredit, WRITE_LIMITS.imageCredit)],
    ["dateline", () => tooLong("dateline", article.dateline, WRITE_LIMITS.dateline)],
    [
      "paragraphs",
      () =>
        tooMany("paragraphs", article.paragraphs?.length ?? 0, WRITE_LIMITS.paragraphs) ??
        article.paragraphs?.map((paragraph, i) => tooLong(`paragraph ${i + 1}`, paragraph, WRITE_LIMITS.paragraph)).find(Boolean),
    ],
    [
      "relatedLinks",
      () =>
        tooMany("related headlines", article.relatedLinks?.length ?? 0, WRITE_LIMITS.relatedLinks) ??
        article.relatedLinks?.map((title) => tooLong("related headline", title, WRITE_LIMITS.relatedLinkTitle)).find(Boolean),
    ],
    [
      "tags",
      () =>
        tooMany("tags", article.tags?.length ?? 0, WRITE_LIMITS.tags) ?? article.tags?.map((tag) => tooLong("tag", tag, WRITE_LIMITS.tagName)).find(Boolean),
    ],
    [
      "comments",
      () =>
        tooMany("comments", article.comments?.length ?? 0, WRITE_LIMITS.comments) ??
        article.comments
          ?.map(
            (comment, i) =>
              tooLong(`commenter name of comment ${i + 1}`, comment.author, WRITE_LIMITS.authorName) ??
              tooLong(`comment ${i + 1}`, comment.body, WRITE_LIMITS.commentBody),
          )
          .find(Boolean),
    ],
  ];
  for (const [field, check] of checks) {
    const reason = check();
    if (reason) return { field, reason };
  }
  return null;
}

export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // PostgreSQL's detail names the offending value ("Key (slug)=(x) already exists").
  const detail = (error as { driverError?: { detail?: unknown } }).driverError?.detail;
  return typeof detail === "string" && detail !== "" ? `${error.message} (${detail})` : error.message;
}
