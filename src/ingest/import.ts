/**
 * ParsedArticle -> rows. Knows nothing of the text format (the parser does). Every dump lands
 * whole or not at all. Written with multi-row statements because seeding imports thousands of
 * dumps: importArticle spends a handful of statements on a dump whatever its number of comments,
 * and importArticles shares them across a whole batch of new articles.
 */
import { createHash } from "node:crypto";
import { DataSource, EntityManager, EntityTarget, In, ObjectLiteral } from "typeorm";
import { inTransaction } from "../db/transaction";
import { Article, ArticleTag, Author, Comment, RelatedLink, Tag } from "../entities";
import type { ParsedArticle, ParsedComment } from "./dump.types";
import { DumpError, parseDump } from "./parse-dump";
import { slugify, tagSlug } from "./slug";
import { COLUMN_LENGTHS } from "../entities/column-lengths";
import { foldKey, foldNullable } from "../text/fold";

export type ImportStatus = "imported" | "updated" | "unchanged";

export interface ImportResult {
  status: ImportStatus;
  articleId: number;
}

/**
 * A parsed article the database cannot hold as it is (a value longer than its column). Checked
 * up front because PostgreSQL enforces varchar lengths and SQLite does not: both engines must
 * accept and refuse the same dumps.
 */
export class ImportError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "ImportError";
  }
}

/**
 * SQLite builds before 3.32 cap bound parameters at 999 per statement; staying under that keeps
 * any sqlite3 build working, at the cost of a few more statements per batch.
 */
const MAX_PARAMETERS = 900;

/** Bumped when the meaning of the stored rows changes, so every dump re-imports once. */
const HASH_VERSION = "2";

const LIMITS = {
  title: COLUMN_LENGTHS.articleTitle,
  section: COLUMN_LENGTHS.articleSection,
  imageCredit: COLUMN_LENGTHS.articleImageCredit,
  dateline: COLUMN_LENGTHS.articleDateline,
  relatedLink: COLUMN_LENGTHS.relatedLinkTitle,
  tag: COLUMN_LENGTHS.tagName,
  author: COLUMN_LENGTHS.authorName,
} as const;

interface Pending {
  parsed: ParsedArticle;
  hash: string;
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
 * in order. A dump the database cannot hold comes back as its ImportError; any other failure throws.
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

  let oneByOne: (Pending & { index: number })[] = [];
  try {
    await inTransaction(dataSource, async (manager) => {
      oneByOne = [];
      const existing = await findExisting(
        manager,
        candidates.map((item) => item.parsed),
      );
      const seen = new Set<string>();
      const fresh: (Pending & { index: number })[] = [];
      for (const item of candidates) {
        const key = identityKey(item.parsed);
        const row = existing.get(key);
        if (seen.has(key) || (row && row.contentHash !== item.hash)) oneByOne.push(item);
        else if (row) results[item.index] = { status: "unchanged", articleId: row.id };
        else fresh.push(item);
        seen.add(key);
      }
      const ids = await insertArticles(manager, fresh);
      fresh.forEach((item, i) => {
        results[item.index] = { status: "imported", articleId: ids[i] };
      });
    });
  } catch {
    // Which dump broke the batch is unknown; redoing each alone confines the failure to it.
    oneByOne = candidates;
  }
  for (const item of oneByOne) {
    try {
      results[item.index] = await importArticle(dataSource, item.parsed);
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      results[item.index] = error;
    }
  }
  return results.map((result) => {
    if (result === undefined) throw new Error("importArticles left a dump without a result");
    return result;
  });
}

function identityKey(article: { title: string; publishedAt: Date }): string {
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
async function insertArticles(manager: EntityManager, items: Pending[]): Promise<number[]> {
  if (items.length === 0) return [];
  const tagsPerArticle = items.map((item) => distinctTags(item.parsed.tags));
  const tagIds = await resolveTags(manager, tagsPerArticle.flat());
  const authorIds = await resolveAuthors(manager, items.flatMap((item) => item.parsed.comments.map((comment) => comment.author)));
  const slugs = await freeSlugs(manager, items.map((item) => item.parsed));

  const articleId = new Map<string, number>();
  if (items.length === 1) {
    // Alone, the insert reports its id; no need to look it up by slug.
    const inserted = await manager.createQueryBuilder().insert().into(Article).values(articleRow(items[0], slugs[0])).execute();
    articleId.set(slugs[0], insertedId(inserted.raw, inserted.identifiers));
  } else {
    await insertRows(manager, Article, items.map((item, i) => articleRow(item, slugs[i])));
    for (const [slug, id] of await selectIds(manager, Article, "slug", slugs)) articleId.set(slug, id);
  }
  const ids = slugs.map((slug) => mustGet(articleId, slug, "article"));

  const tagRows: Partial<ArticleTag>[] = [];
  const linkRows: Partial<RelatedLink>[] = [];
  const commentRows: Partial<Comment>[] = [];
  items.forEach((item, i) => {
    tagsPerArticle[i].forEach((tag, position) => tagRows.push({ articleId: ids[i], tagId: mustGet(tagIds, tag.key, "tag"), position: position + 1 }));
    item.parsed.relatedLinks.forEach((link, position) => linkRows.push({ articleId: ids[i], title: link.title, position: position + 1 }));
    commentRows.push(...importedComments(ids[i], item.parsed.comments, authorIds, 0));
  });
  await insertRows(manager, ArticleTag, tagRows);
  await insertRows(manager, RelatedLink, linkRows);
  await insertRows(manager, Comment, commentRows);
  return ids;
}

async function updateArticle(manager: EntityManager, articleId: number, item: Pending): Promise<void> {
  const { parsed } = item;
  const tags = distinctTags(parsed.tags);
  const tagIds = await resolveTags(manager, tags);
  const authorIds = await resolveAuthors(manager, parsed.comments.map((comment) => comment.author));
  // Title and publication time are the identity, and the slug stays so links keep working.
  await manager.update(Article, { id: articleId }, articleFields(item));
  await reconcileTags(
    manager,
    articleId,
    tags.map((tag) => mustGet(tagIds, tag.key, "tag")),
  );
  await reconcileLinks(manager, articleId, parsed.relatedLinks.map((link) => link.title));
  await reconcileComments(manager, articleId, parsed.comments, authorIds);
}

/**
 * Parses and imports one dump's text: what the `importDump` mutation calls. Throws the parser's
 * DumpError, or a DumpError built from an ImportError, so callers map one error type to
 * BAD_USER_INPUT.
 */
export async function importDumpText(
  dataSource: DataSource,
  text: string,
  fileName = "<input>",
): Promise<{ result: ImportResult; warnings: string[] }> {
  const parsed = parseDump(text, fileName);
  if (parsed instanceof DumpError) throw parsed;
  try {
    const result = await importArticle(dataSource, parsed.article);
    return { result, warnings: parsed.warnings };
  } catch (error) {
    if (error instanceof ImportError) throw new DumpError(fileName, null, error.reason);
    throw error;
  }
}

/** Words across the body: whitespace-separated runs that hold a letter or a digit (not a lone dash). */
export function countWords(paragraphs: string[]): number {
  let count = 0;
  for (const paragraph of paragraphs) {
    for (const word of paragraph.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(word)) count += 1;
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
  return { ...articleFields(item), slug, title: item.parsed.title, publishedAt: item.parsed.publishedAt };
}

function checkFits(parsed: ParsedArticle): void {
  // String length counts UTF-16 units, never fewer than the characters PostgreSQL counts.
  const tooLong = (what: string, value: string | null, limit: number) => {
    if (value !== null && value.length > limit) {
      const start = Array.from(value).slice(0, 40).join("");
      throw new ImportError(`${what} is longer than ${limit} characters: "${start}…"`);
    }
  };
  tooLong("title", parsed.title, LIMITS.title);
  tooLong("section", parsed.section, LIMITS.section);
  tooLong("photo credit", parsed.imageCredit, LIMITS.imageCredit);
  tooLong("dateline", parsed.dateline, LIMITS.dateline);
  for (const link of parsed.relatedLinks) tooLong("related headline", link.title, LIMITS.relatedLink);
  for (const tag of parsed.tags) tooLong("tag", tag, LIMITS.tag);
  for (const comment of parsed.comments) tooLong("commenter name", comment.author, LIMITS.author);
}

/**
 * A slug per new article, from its title; on a clash with another article (stored, or earlier in
 * the same batch), the title's UTC date is appended, then -2, -3...
 */
async function freeSlugs(manager: EntityManager, articles: ParsedArticle[]): Promise<string[]> {
  const bases = articles.map((parsed) => slugify(parsed.title));
  const taken = new Set<string>();
  for (const chunk of chunks([...new Set(bases)], MAX_PARAMETERS)) {
    const rows = await manager
      .createQueryBuilder(Article, "a")
      .select("a.slug", "slug")
      .where("a.slug IN (:...chunk)", { chunk })
      .getRawMany<{ slug: string }>();
    for (const row of rows) taken.add(row.slug);
  }
  const slugs: string[] = [];
  for (let i = 0; i < articles.length; i++) {
    let slug = bases[i];
    if (taken.has(slug)) {
      const dated = `${slug}-${articles[i].publishedAt.toISOString().slice(0, 10)}`;
      // Clashes are rare, so their variants are looked up one article at a time. Slugs hold
      // only letters, digits and "-", so the LIKE pattern needs no escaping.
      const rows = await manager
        .createQueryBuilder(Article, "a")
        .select("a.slug", "slug")
        .where("a.slug = :dated OR a.slug LIKE :numbered", { dated, numbered: `${dated}-%` })
        .getRawMany<{ slug: string }>();
      for (const row of rows) taken.add(row.slug);
      slug = dated;
      for (let n = 2; taken.has(slug); n++) slug = `${dated}-${n}`;
    }
    taken.add(slug);
    slugs.push(slug);
  }
  return slugs;
}

/** A dump's tags, one per folded name (`Syria` and `SYRIA` are one tag), in dump order. */
function distinctTags(names: string[]): { key: string; name: string }[] {
  const byKey = new Map<string, string>();
  for (const name of names) {
    const key = foldKey(name);
    if (!byKey.has(key)) byKey.set(key, name);
  }
  return [...byKey].map(([key, name]) => ({ key, name }));
}

/**
 * Tag id per folded name, creating missing tags with the name first seen. A new tag's slug comes
 * from its name; when another tag holds that slug already, -2, -3... is appended. A tag keeps its
 * slug for good, so links to it survive re-imports.
 */
async function resolveTags(manager: EntityManager, tags: { key: string; name: string }[]): Promise<Map<string, number>> {
  const byKey = new Map<string, string>();
  for (const tag of tags) if (!byKey.has(tag.key)) byKey.set(tag.key, tag.name);
  if (byKey.size === 0) return new Map();
  const ids = await selectIds(manager, Tag, "nameKey", [...byKey.keys()]);
  const missing = [...byKey].filter(([key]) => !ids.has(key));
  if (missing.length === 0) return ids;

  const bases = missing.map(([, name]) => tagSlug(name));
  const taken = new Set((await selectIds(manager, Tag, "slug", [...new Set(bases)])).keys());
  const rows: { name: string; nameKey: string; slug: string }[] = [];
  for (let i = 0; i < missing.length; i++) {
    let slug = bases[i];
    if (taken.has(slug)) {
      // Clashes are rare (names that differ only in punctuation), so they are looked up one at a time.
      const variants = await manager
        .createQueryBuilder(Tag, "t")
        .select("t.slug", "slug")
        .where("t.slug LIKE :numbered", { numbered: `${bases[i]}-%` })
        .getRawMany<{ slug: string }>();
      for (const row of variants) taken.add(row.slug);
      for (let n = 2; taken.has(slug); n++) slug = `${bases[i]}-${n}`;
    }
    taken.add(slug);
    rows.push({ name: missing[i][1], nameKey: missing[i][0], slug });
  }
  await insertRows(manager, Tag, rows);
  for (const [key, id] of await selectIds(manager, Tag, "nameKey", missing.map(([key]) => key))) ids.set(key, id);
  return ids;
}

/** Author id per display name, creating commenters by exact name. */
async function resolveAuthors(manager: EntityManager, names: (string | null)[]): Promise<Map<string, number>> {
  const distinct = [...new Set(names.filter((name): name is string => name !== null))];
  if (distinct.length === 0) return new Map();
  await insertRows(manager, Author, distinct.map((name) => ({ name, nameKey: foldKey(name) })), true);
  return selectIds(manager, Author, "name", distinct);
}

function importedComments(articleId: number, comments: ParsedComment[], authorIds: Map<string, number>, from: number): Partial<Comment>[] {
  return comments.slice(from).map((comment, index) => ({
    articleId,
    authorId: comment.author === null ? null : mustGet(authorIds, comment.author, "author"),
    body: comment.body,
    hasAvatar: comment.hasAvatar,
    position: from + index + 1,
    imported: true,
    // parentId, createdAt and editedAt stay NULL, depth 0 and isDeleted false by the
    // column defaults: left out, they cost no bound parameters in the bulk insert.
  }));
}

async function reconcileTags(manager: EntityManager, articleId: number, tagIds: number[]): Promise<void> {
  const current = await manager
    .createQueryBuilder(ArticleTag, "t")
    .select(["t.tagId", "t.position"])
    .where("t.articleId = :articleId", { articleId })
    .getMany();
  const wanted = new Map(tagIds.map((tagId, index) => [tagId, index + 1]));
  const have = new Map(current.map((row) => [row.tagId, row.position]));
  const dropped = current.filter((row) => !wanted.has(row.tagId)).map((row) => row.tagId);
  if (dropped.length > 0) {
    await manager
      .createQueryBuilder()
      .delete()
      .from(ArticleTag)
      .where({ articleId, tagId: In(dropped) })
      .execute();
    // A tag no article carries any more would list with articleCount 0; shared tags stay.
    await manager
      .createQueryBuilder()
      .delete()
      .from(Tag)
      .where({ id: In(dropped) })
      .andWhere(`NOT EXISTS (SELECT 1 FROM "article_tag" "x" WHERE "x"."tagId" = "tag"."id")`)
      .execute();
  }
  for (const [tagId, position] of wanted) {
    const old = have.get(tagId);
    if (old !== undefined && old !== position) {
      await manager.update(ArticleTag, { articleId, tagId }, { position });
    }
  }
  const added = [...wanted].filter(([tagId]) => !have.has(tagId));
  await insertRows(manager, ArticleTag, added.map(([tagId, position]) => ({ articleId, tagId, position })));
}

/** Links are matched by position, so a retitled headline keeps its row (and its global id). */
async function reconcileLinks(manager: EntityManager, articleId: number, titles: string[]): Promise<void> {
  const current = await manager
    .createQueryBuilder(RelatedLink, "l")
    .select(["l.id", "l.title", "l.position"])
    .where("l.articleId = :articleId", { articleId })
    .orderBy("l.position", "ASC")
    .addOrderBy("l.id", "ASC")
    .getMany();
  for (let i = 0; i < Math.min(current.length, titles.length); i++) {
    const row = current[i];
    if (row.title !== titles[i] || row.position !== i + 1) {
      await manager.update(RelatedLink, { id: row.id }, { title: titles[i], position: i + 1 });
    }
  }
  await insertRows(
    manager,
    RelatedLink,
    titles.slice(current.length).map((title, index) => ({ articleId, title, position: current.length + index + 1 })),
  );
  await deleteByIds(manager, RelatedLink, current.slice(titles.length).map((row) => row.id));
}

/**
 * Only imported top-level comments are the dump's to change; the i-th of them (in thread order)
 * is the dump's i-th comment. Comments posted through the API, and replies to imported ones, are
 * left alone; a surplus imported comment that has replies stays as a tombstone so they keep
 * their parent.
 */
async function reconcileComments(
  manager: EntityManager,
  articleId: number,
  wanted: ParsedComment[],
  authorIds: Map<string, number>,
): Promise<void> {
  const current = await manager
    .createQueryBuilder(Comment, "c")
    .select(["c.id", "c.body", "c.authorId", "c.hasAvatar", "c.position"])
    .where("c.articleId = :articleId AND c.imported = :imported AND c.parentId IS NULL", { articleId, imported: true })
    .orderBy("c.position", "ASC")
    .addOrderBy("c.id", "ASC")
    .getMany();
  for (let i = 0; i < Math.min(current.length, wanted.length); i++) {
    const row = current[i];
    const author = wanted[i].author;
    const next = { body: wanted[i].body, authorId: author === null ? null : mustGet(authorIds, author, "author"), hasAvatar: wanted[i].hasAvatar, position: i + 1 };
    if (row.body !== next.body || row.authorId !== next.authorId || row.hasAvatar !== next.hasAvatar || row.position !== next.position) {
      await manager.update(Comment, { id: row.id }, next);
    }
  }
  // New dump comments take the next positions; a reader's comment already holding one of them
  // sorts before it on (position, id), which matches the order they reached us.
  await insertRows(manager, Comment, importedComments(articleId, wanted, authorIds, current.length));

  const surplus = current.slice(wanted.length).map((row) => row.id);
  if (surplus.length === 0) return;
  const parents = new Set<number>();
  for (const ids of chunks(surplus, MAX_PARAMETERS)) {
    const rows = await manager
      .createQueryBuilder(Comment, "c")
      .select("DISTINCT c.parentId", "parentId")
      .where("c.parentId IN (:...ids)", { ids })
      .getRawMany<{ parentId: number }>();
    for (const row of rows) parents.add(Number(row.parentId));
  }
  const tombstones = surplus.filter((id) => parents.has(id));
  for (const ids of chunks(tombstones, MAX_PARAMETERS)) {
    await manager.createQueryBuilder().update(Comment).set({ isDeleted: true }).where({ id: In(ids) }).execute();
  }
  await deleteByIds(
    manager,
    Comment,
    surplus.filter((id) => !parents.has(id)),
  );
}

/** One multi-row INSERT per chunk; `ignoreDuplicates` makes it INSERT OR IGNORE / ON CONFLICT DO NOTHING. */
async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: T[] | Record<string, unknown>[],
  ignoreDuplicates = false,
): Promise<void> {
  if (rows.length === 0) return;
  const perRow = Object.keys(rows[0]).length;
  for (const chunk of chunks(rows, Math.max(1, Math.floor(MAX_PARAMETERS / perRow)))) {
    const query = manager
      .createQueryBuilder()
      .insert()
      .into(target)
      .values(chunk as T[])
      // Nothing reads the generated ids back from these rows; skipping that saves a SELECT per row on SQLite.
      .updateEntity(false);
    if (ignoreDuplicates) query.orIgnore();
    await query.execute();
  }
}

async function selectIds<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  column: "slug" | "name" | "nameKey",
  keys: string[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const chunk of chunks(keys, MAX_PARAMETERS)) {
    const rows = await manager
      .createQueryBuilder(target, "t")
      .select("t.id", "id")
      .addSelect(`t.${column}`, "key")
      .where(`t.${column} IN (:...chunk)`, { chunk })
      .getRawMany<{ id: number; key: string }>();
    for (const row of rows) ids.set(row.key, Number(row.id));
  }
  return ids;
}

async function deleteByIds<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, ids: number[]): Promise<void> {
  for (const chunk of chunks(ids, MAX_PARAMETERS)) {
    await manager.createQueryBuilder().delete().from(target).where({ id: In(chunk) }).execute();
  }
}

function mustGet(ids: Map<string, number>, key: string, what: string): number {
  const id = ids.get(key);
  // Only reachable if the row vanished between the insert and the select inside one transaction.
  if (id === undefined) throw new Error(`${what} "${key}" was neither inserted nor found`);
  return id;
}

/** The new row's id: PostgreSQL returns it through RETURNING, SQLite through the last insert id. */
function insertedId(raw: unknown, identifiers: ObjectLiteral[]): number {
  const fromIdentifiers: unknown = identifiers[0]?.id;
  if (fromIdentifiers !== undefined) return Number(fromIdentifiers);
  if (Array.isArray(raw) && raw.length > 0) return Number((raw[0] as { id: unknown }).id);
  if (typeof raw === "number") return raw;
  throw new Error("the database did not report the new article's id");
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
