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
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

async function build(path: string, log: (line: string) => void): Promise<void> {
  const random = makeRandom(20260101);
  const db = await openDataSource({ type: "sqlite", path }, { readers: 0 });
  try {
    const started = performance.now();
    const parsed = articles(random);
    for (let i = 0; i < parsed.length; i += 100) {
      for (const result of await importArticles(db, parsed.slice(i, i + 100))) if (result instanceof Error) throw result;
    }
    log(`  ${DATASET.articles} articles imported in ${((performance.now() - started) / 1000).toFixed(1)} s; adding replies`);
    const events = createLocalEvents();
    const parents = await db.query(`SELECT "id", "articleId" FROM comment WHERE "parentId" IS NULL ORDER BY "id"`);
    let replies = 0;
    for (const parent of parents as { id: number; articleId: number }[]) {
      const count = random.int(DATASET.minReplies, DATASET.maxReplies);
      for (let r = 0; r < count; r++) {
        const { author, body } = comment(random);
        await addComment(db, events, { kind: "service" }, { clock: systemClock, editWindowSeconds: 900, moderation: "POST", autoHoldFlags: 3 }, { articleId: parent.articleId, parentId: parent.id, body, authorName: author });
        replies += 1;
      }
    }
    await db.query("ANALYZE");
    log(`  ${parents.length} comments and ${replies} replies in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.destroy();
  }
}

/** A fresh copy of the dataset at `target`, built first if the cache lacks it. */
export async function copyDataset(target: string, log: (line: string) => void = console.log): Promise<void> {
  const cacheDir = join(tmpdir(), "threadline-bench-data");
  const cached = join(cacheDir, `read-1k-v${DATASET_VERSION}.sqlite`);
  if (!existsSync(cached)) {
    mkdirSync(cacheDir, { recursive: true });
    const building = `${cached}.building-${process.pid}`;
    log(`building the dataset (once; kept at ${cached})`);
    await build(building, log);
    rmSync(`${building}-wal`, { force: true });
    rmSync(`${building}-shm`, { force: true });
    renameSync(building, cached);
  }
  copyFileSync(cached, target);
}
