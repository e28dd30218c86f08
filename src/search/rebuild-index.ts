/**
 * Rebuilds the whole search index from the rows: for an index that drifted from them (restored
 * from an older backup, changed by hand), that today's tokenizer would fill differently, or whose
 * ranking statistics drifted (SQLite: see clearSearchIndex). Empties the index, then walks
 * articles and then comments in id order, one batch per write transaction through the write
 * queue, each through the indexer's own functions (search-index.ts). The service may keep running
 * meanwhile; its searches find only what is indexed again so far, and its writes index as usual.
 */
import { EntityManager } from "typeorm";
import { Database, isPostgres } from "../db/data-source";
import { inTransaction } from "../db/transaction";
import { clearSearchIndex, reindexArticles, reindexComments } from "./search-index";

/** Rows per write transaction: an article is read with its whole text, a comment with its body. */
const ARTICLE_BATCH = 200;
const COMMENT_BATCH = 2_000;

export interface RebuildProgress {
  /** Rows of article and comment read so far, and in all. */
  done: number;
  total: number;
}

export interface RebuildSummary {
  articles: number;
  comments: number;
  /** Entries the index holds afterwards: every article, and the comments the public sees. */
  indexedArticles: number;
  indexedComments: number;
}

async function count(db: Database, table: "article" | "comment" | "search_article" | "search_comment"): Promise<number> {
  const [row] = (await db.query(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number | string }[];
  return Number(row.n);
}

/** The ids after `after` in id order, `limit` of them at most. */
async function nextIds(manager: EntityManager, table: "article" | "comment", after: number, limit: number): Promise<number[]> {
  const p = isPostgres(manager.connection) ? "$1" : "?";
  const rows = (await manager.query(`SELECT "id" FROM "${table}" WHERE "id" > ${p} ORDER BY "id" LIMIT ${limit}`, [after])) as { id: number }[];
  return rows.map((row) => Number(row.id));
}

/** Walks one table in batches, each read and indexed in one write transaction; returns the rows seen. */
async function rebuildTable(
  db: Database,
  table: "article" | "comment",
  batch: number,
  reindex: (manager: EntityManager, ids: number[]) => Promise<void>,
  onBatch: (rows: number) => void,
): Promise<number> {
  let seen = 0;
  for (let after = 0; ;) {
    const ids = await inTransaction(db, async (manager) => {
      const ids = await nextIds(manager, table, after, batch);
      await reindex(manager, ids);
      return ids;
    });
    if (ids.length === 0) return seen;
    seen += ids.length;
    after = ids[ids.length - 1];
    onBatch(ids.length);
  }
}

export async function rebuildSearchIndex(db: Database, onProgress: (progress: RebuildProgress) => void = () => {}): Promise<RebuildSummary> {
  const total = (await count(db, "article")) + (await count(db, "comment"));
  await inTransaction(db, clearSearchIndex);
  let done = 0;
  const advance = (rows: number) => {
    done += rows;
    onProgress({ done, total: Math.max(total, done) });
  };
  const articles = await rebuildTable(db, "article", ARTICLE_BATCH, reindexArticles, advance);
  const comments = await rebuildTable(db, "comment", COMMENT_BATCH, reindexComments, advance);
  return { articles, comments, indexedArticles: await count(db, "search_article"), indexedComments: await count(db, "search_comment") };
}
