/**
 * The read benchmarks' dataset: 1,000 generated articles (about 6 KB of stored text each), 30
 * top-level comments under each and 1 to 5 replies under every comment, in a SQLite file.
 *
 * Articles go in through the importer and replies through addComment, the service's own write
 * paths, so whatever those paths maintain besides the rows is right in the file. Building takes a
 * minute or two, so the file is kept in the temporary folder under a name that changes with the
 * generator; runs copy it and never write to it.
 */
import { systemClock } from "../src/clock";
import { DEFAULT_BOUNDS } from "../src/config";
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataSource } from "typeorm";
import { WordListCache } from "../src/discussion/word-lists";
import { addComment } from "../src/discussion/comments";
import { openDataSource } from "../src/db/data-source";
import { createLocalEvents } from "../src/events/comment-events";
import type { ParsedArticle } from "../src/ingest/dump.types";
import { importArticles } from "../src/ingest/import";
import { article, comment, makeRandom, Random } from "./generated-dumps";

/** Bump when the generator changes, so an old cached file is not taken for the new data. */
const DATASET_VERSION = 2;

export const DATASET = { articles: 1_000, comments: 30, minReplies: 1, maxReplies: 5 } as const;

/**
 * The benchmark dumps' articles, with exactly DATASET.comments comments each, and half of the
 * related headlines turned into another article's title so that RelatedLink.article finds one.
 */
function articles(random: Random): ParsedArticle[] {
  const generated = Array.from({ length: DATASET.articles }, (_, i) => article(random, i));
  return generated.map((parsed) => {
    const titles = parsed.relatedLinks.map((link) => (random.next() < 0.5 ? generated[random.int(0, generated.length - 1)].title : link.title));
    return {
      ...parsed,
      relatedLinks: [...new Set(titles)].map((title) => ({ title })),
      comments: Array.from({ length: DATASET.comments }, () => comment(random)),
    };
  });
}

async function build(target: { type: "sqlite"; path: string } | { type: "postgres"; url: string }, log: (line: string) => void): Promise<void> {
  const random = makeRandom(20260101);
  const db = await openDataSource(target, { readers: 0 });
  try {
    const started = performance.now();
    const parsed = articles(random);
    for (let i = 0; i < parsed.length; i += 100) {
      for (const result of await importArticles(db, parsed.slice(i, i + 100))) if (result instanceof Error) throw result;
    }
    log(`  ${DATASET.articles} articles imported in ${((performance.now() - started) / 1000).toFixed(1)} s; adding replies`);
    const events = createLocalEvents();
    const wordLists = new WordListCache(() => db, events);
    const parents = await db.query(`SELECT "id", "articleId" FROM comment WHERE "parentId" IS NULL ORDER BY "id"`);
    let replies = 0;
    for (const parent of parents as { id: number; articleId: number }[]) {
      const count = random.int(DATASET.minReplies, DATASET.maxReplies);
      for (let r = 0; r < count; r++) {
        const { author, body } = comment(random);
        await addComment(
          db,
          events,
          { kind: "service" },
          {
            clock: systemClock,
            editWindowSeconds: 900,
            moderation: "POST",
            autoHoldFlags: 3,
            maxThreadDepth: DEFAULT_BOUNDS.maxThreadDepth,
            premoderateLinks: false,
            wordLists,
          },
          { articleId: parent.articleId, parentId: parent.id, body, authorName: author },
        );
        replies += 1;
      }
    }
    await db.query("ANALYZE");
    log(`  ${parents.length} comments and ${replies} replies in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.destroy();
  }
}

/** The kept dataset file, built first if the cache lacks it. */
async function cachedDataset(log: (line: string) => void): Promise<string> {
  const cacheDir = join(tmpdir(), "threadline-bench-data");
  const cached = join(cacheDir, `read-1k-v${DATASET_VERSION}.sqlite`);
  if (!existsSync(cached)) {
    mkdirSync(cacheDir, { recursive: true });
    const building = `${cached}.building-${process.pid}`;
    log(`building the dataset (once; kept at ${cached})`);
    await build({ type: "sqlite", path: building }, log);
    rmSync(`${building}-wal`, { force: true });
    rmSync(`${building}-shm`, { force: true });
    renameSync(building, cached);
  }
  return cached;
}

/** A fresh copy of the dataset at `target`, built first if the cache lacks it. */
export async function copyDataset(target: string, log: (line: string) => void = console.log): Promise<void> {
  copyFileSync(await cachedDataset(log), target);
}

/** The tables the read queries touch, parents before the rows that refer to them. */
const COPIED_TABLES = ["author", "tag", "article", "article_tag", "related_link", "comment", "stored_count"];
const ROWS_PER_INSERT = 500;

/**
 * The same dataset in a PostgreSQL database of its own beside the one `serverUrl` names, for
 * Threadline to serve with `DATABASE_URL` set to the URL returned. The schema is made by
 * Threadline's migrations; the rows are copied from the SQLite file, ids and all, so both engines
 * serve the same rows (replies through addComment would take PostgreSQL a commit each). The search
 * index stays empty: no benchmark query searches. Built once, then kept; runs only read it.
 */
export async function postgresDataset(serverUrl: string, log: (line: string) => void = console.log): Promise<string> {
  const name = `threadline_bench_read_1k_v${DATASET_VERSION}`;
  const urlOf = (database: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const source = await cachedDataset(log);
  const admin = await new DataSource({ type: "postgres", url: serverUrl }).initialize();
  try {
    const exists = async (database: string) => (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [database])).length > 0;
    if (!(await exists(name))) {
      const building = `${name}_building`;
      if (await exists(building)) await admin.query(`DROP DATABASE "${building}"`);
      await admin.query(`CREATE DATABASE "${building}"`);
      log(`copying the dataset into PostgreSQL (once; kept as database ${name})`);
      await copyInto(source, urlOf(building));
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    }
  } finally {
    await admin.destroy();
  }
  return urlOf(name);
}

async function copyInto(sqlitePath: string, pgUrl: string): Promise<void> {
  // Threadline's migrations make the schema; then the rows replace whatever they put in.
  const migrated = await openDataSource({ type: "postgres", url: pgUrl });
  await migrated.destroy();
  const from = await new DataSource({ type: "sqlite", database: sqlitePath, flags: 1 /* OPEN_READONLY */ }).initialize();
  const to = await new DataSource({ type: "postgres", url: pgUrl }).initialize();
  try {
    await to.query(`TRUNCATE ${COPIED_TABLES.map((table) => `"${table}"`).join(", ")} CASCADE`);
    for (const table of COPIED_TABLES) {
      const columns = (await to.query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
        [table],
      )) as {
        column_name: string;
        data_type: string;
      }[];
      const names = columns.map((column) => column.column_name);
      const isTime = columns.map((column) => column.data_type.startsWith("timestamp"));
      const isBool = columns.map((column) => column.data_type === "boolean");
      const rows = (await from.query(`SELECT ${names.map((n) => `"${n}"`).join(", ")} FROM "${table}"`)) as Record<string, unknown>[];
      for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
        const chunk = rows.slice(start, start + ROWS_PER_INSERT);
        const params: unknown[] = [];
        const tuples = chunk.map((row) => {
          const marks = names.map((column, i) => {
            const value = row[column];
            // SQLite keeps UTC timestamps as text without a zone, and booleans as 0 and 1.
            params.push(value === null ? null : isTime[i] ? `${String(value).replace(" ", "T")}Z` : isBool[i] ? Boolean(value) : value);
            return `$${params.length}`;
          });
          return `(${marks.join(", ")})`;
        });
        await to.query(`INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(", ")}) VALUES ${tuples.join(", ")}`, params);
      }
      if (names.includes("id")) await to.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT MAX("id") FROM "${table}"))`);
    }
    await to.query("ANALYZE");
  } finally {
    await from.destroy();
    await to.destroy();
  }
}
