/**
 * The datasets `npm run bench:query -- --scale N` compares: N generated articles of the same shape
 * whatever N is (10 top-level comments each, 0-2 replies under each, 1 on average), so a query
 * that touches one article, one page or one tag page should cost the same at 1,000 and at
 * 100,000 articles. What grows with N is what the queries must not walk: the article list, each
 * tag's articles (every article is tagged "World", 1 in 7 "Topic k"), each commenter's comments
 * (a fixed pool of 1,000 named readers).
 *
 * A built dataset is kept (a SQLite file in the temporary folder, or a PostgreSQL schema) and
 * reused by later runs; it is built under a temporary name and renamed once complete, so an
 * interrupted build is never taken for a finished one.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataSource } from "typeorm";
import { Database, openDataSource } from "../src/db/data-source";
import { refreshStatistics } from "../src/db/statistics";
import { commentsChanged } from "../src/read/stored-counts";
import { inTransaction } from "../src/db/transaction";
import { Comment } from "../src/entities";
import type { ParsedArticle } from "../src/ingest/dump.types";
import { importArticles } from "../src/ingest/import";
import { insertRows } from "../src/db/bulk-sql";

/** Bumped whenever the generator changes, so no run reuses a dataset of another shape. */
const DATASET_VERSION = 4;
export const COMMENTS_PER_ARTICLE = 10;
const READERS = 1000;
/** Articles per importArticles call (and per replies transaction). */
const BUILD_BATCH = 500;

const WORDS = (
  "the of and to in a is that for on with as by was from at government said minister talks military economy border " +
  "agreement security sanctions president officials report meeting energy pipeline market election parliament"
).split(" ");

function words(seed: number, count: number): string {
  const out: string[] = [];
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out.push(WORDS[(state >>> 8) % WORDS.length]);
  }
  return out.join(" ");
}

export function scaleTitle(index: number): string {
  return `Scale story ${index}: ${words(index, 6)}`;
}

/** Article `index` of every dataset: publication order is index order. */
export function scaleArticle(index: number): ParsedArticle {
  return {
    title: scaleTitle(index),
    publishedAt: new Date(Date.UTC(2010, 0, 1) + index * 60_000),
    section: ["World", "Politics", "Business", "Science", "Society", "Sport", "Culture"][index % 7],
    imageCaption: null,
    imageCredit: null,
    dateline: null,
    paragraphs: Array.from({ length: 6 }, (_, p) => `${words(index * 31 + p, 60)}.`),
    relatedLinks: [{ title: scaleTitle(index + 1) }, { title: `A headline nobody wrote ${index % 100}` }],
    tags: ["World", `Topic ${index % 7}`, `Region ${index % 50}`],
    comments: Array.from({ length: COMMENTS_PER_ARTICLE }, (_, c) => ({
      author: c % 4 === 0 ? null : `Reader ${(index * 7 + c) % READERS}`,
      hasAvatar: c % 4 !== 0,
      body: `Comment ${c} on story ${index}: ${words(index * 17 + c, 12)}`,
    })),
  };
}

/** How many replies the comment at `position` of article `index` gets: 0, 1 or 2. */
function replyCount(index: number, position: number): number {
  return (index + position) % 3;
}

export interface ScaleDataset {
  db: Database;
  /** Seconds the build took, or null when an earlier build was reused. */
  builtIn: number | null;
  close(): Promise<void>;
}

/**
 * Opens the dataset of `articles` articles, building it first when no finished one is kept.
 * `pgUrl` selects PostgreSQL (one schema per size); otherwise a SQLite file in the temporary folder.
 */
export async function openScaleDataset(articles: number, pgUrl: string | undefined, log: (line: string) => void): Promise<ScaleDataset> {
  const name = `threadline_scale_v${DATASET_VERSION}_${articles}`;
  if (pgUrl) {
    const admin = await new DataSource({ type: "postgres", url: pgUrl }).initialize();
    try {
      const exists = async (schema: string) => (await admin.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema])).length > 0;
      let builtIn: number | null = null;
      if (!(await exists(name))) {
        const building = `${name}_building`;
        if (await exists(building)) await admin.query(`DROP SCHEMA "${building}" CASCADE`);
        await admin.query(`CREATE SCHEMA "${building}"`);
        const db = await openDataSource({ type: "postgres", url: pgUrl }, { pgSchema: building });
        try {
          builtIn = await build(db, articles, log);
        } finally {
          await db.destroy();
        }
        await admin.query(`ALTER SCHEMA "${building}" RENAME TO "${name}"`);
      }
      const db = await openDataSource({ type: "postgres", url: pgUrl }, { pgSchema: name });
      return { db, builtIn, close: () => db.destroy() };
    } finally {
      await admin.destroy();
    }
  }
  const path = join(tmpdir(), `${name}.sqlite`);
  let builtIn: number | null = null;
  if (!existsSync(path)) {
    const building = `${path}.building`;
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${building}${suffix}`, { force: true });
    const db = await openDataSource({ type: "sqlite", path: building });
    try {
      builtIn = await build(db, articles, log);
    } finally {
      // The writer, last to close, folds the WAL back into the file: the file alone is the dataset.
      await db.destroy();
    }
    renameSync(building, path);
  }
  const db = await openDataSource({ type: "sqlite", path });
  return { db, builtIn, close: () => db.destroy() };
}

async function build(db: Database, articles: number, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < articles; start += BUILD_BATCH) {
    const batch = Array.from({ length: Math.min(BUILD_BATCH, articles - start) }, (_, i) => scaleArticle(start + i));
    const results = await importArticles(db, batch);
    const ids: number[] = [];
    for (const result of results) {
      if (result instanceof Error) throw result;
      ids.push(result.articleId);
    }
    await addReplies(db, ids, start);
    const done = start + batch.length;
    if (done % 10_000 === 0 || done === articles) {
      log(`  built ${done.toLocaleString("en-US")} of ${articles.toLocaleString("en-US")} articles (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  }
  // As a folder import does at its end.
  await refreshStatistics(db);
  return (performance.now() - started) / 1000;
}

/**
 * Replies go in as rows, many per statement, and are counted as addComment counts them: the
 * importer brings only top-level comments, and a million addComment transactions would take most
 * of an hour.
 */
async function addReplies(db: Database, articleIds: number[], firstIndex: number): Promise<void> {
  await inTransaction(db, async (manager) => {
    const parents = await manager
      .createQueryBuilder(Comment, "c")
      .select(["c.id", "c.articleId", "c.position", "c.authorId"])
      .where("c.articleId IN (:...ids) AND c.parentId IS NULL", { ids: articleIds })
      .getMany();
    const indexOf = new Map(articleIds.map((id, i) => [id, firstIndex + i]));
    const rows: Partial<Comment>[] = [];
    for (const parent of parents) {
      const index = indexOf.get(parent.articleId)!;
      for (let r = 0; r < replyCount(index, parent.position); r++) {
        rows.push({
          articleId: parent.articleId,
          parentId: parent.id,
          authorId: parent.authorId,
          body: `Reply ${r + 1} to comment ${parent.position} on story ${index}`,
          depth: 1,
          position: r + 1,
          createdAt: new Date(Date.UTC(2020, 0, 1)),
        });
      }
    }
    await insertRows(manager, Comment, rows);
    await commentsChanged(manager, {
      shown: rows.map((row) => ({ articleId: row.articleId!, authorId: row.authorId ?? null, parentId: row.parentId!, replyCount: 0 })),
    });
  });
}
