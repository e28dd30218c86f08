import { benchConfig } from "./bench-config";
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database, openDataSource } from "../src/db/data-source";
import { withQueryTally } from "../src/db/query-counter";
import { recountStoredCounts } from "../src/read/stored-counts";
import { inTransaction } from "../src/db/transaction";
import { Comment } from "../src/entities";
import { createLocalEvents } from "../src/events/comment-events";
import { ParsedArticle } from "../src/ingest/dump.types";
import { importArticle } from "../src/ingest/import";
import { createServer, ThreadlineServer } from "../src/server";
import { DEEP_PAGE_QUERY, DEEP_QUERY } from "./deep-query";
import { openScaleDataset, scaleTitle } from "./scale-dataset";

/**
 * `npm run bench:query`: times README's deep query at N=1 and N=50 articles on a fresh SQLite
 * file (or BENCH_DATABASE_URL=postgres://...), through the real Apollo server, and prints SQL
 * statement counts and median latencies measured in one run.
 *
 * `npm run bench:query -- --scale 100000 [--runs R] [--explain]`: the same queries on 1,000 and on
 * 100,000 articles (see scale-dataset.ts; built once, then reused), interleaved, and the ratio of
 * their median latencies. --explain prints the plan of every statement each query ran on the
 * larger dataset (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL).
 */
const ARTICLES = 60;
const COMMENTS = 30;
const REPLIES = 3;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

interface Timed {
  ms: number;
  statements: number;
  data: any;
}

async function execute(server: ThreadlineServer, query: string, variables: Record<string, unknown>): Promise<Timed> {
  const tally = { count: 0 };
  const started = process.hrtime.bigint();
  const response = await withQueryTally(tally, async () =>
    server.apollo.executeOperation({ query, variables }, { contextValue: await server.context(undefined, tally) }),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.body.kind !== "single" || response.body.singleResult.errors) throw new Error(JSON.stringify(response.body));
  return { ms, statements: tally.count, data: response.body.singleResult.data };
}

function article(i: number): ParsedArticle {
  return {
    title: `Benchmark story ${i}`,
    publishedAt: new Date(Date.UTC(2019, 0, 1, 0, i)),
    section: "World",
    imageCaption: null,
    imageCredit: null,
    dateline: null,
    paragraphs: Array.from({ length: 6 }, (_, p) => `Paragraph ${p} of story ${i}, long enough to look like news.`),
    relatedLinks: [{ title: `Benchmark story ${i + 1}` }, { title: `Benchmark story ${i + 2}` }],
    tags: ["World", `Topic ${i % 7}`, `Region ${i % 5}`],
    comments: Array.from({ length: COMMENTS }, (_, c) => ({
      author: c % 4 ? `Reader ${(i * 7 + c) % 150}` : null,
      hasAvatar: c % 4 !== 0,
      body: `Comment ${c} on ${i}`,
    })),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function pageSizes(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "threadline-bench-"));
  const url = process.env.BENCH_DATABASE_URL;
  const db = await openDataSource(url ? { type: "postgres", url } : { type: "sqlite", path: join(dir, "bench.sqlite") });
  try {
    if ((await db.getRepository(Comment).count()) === 0) {
      for (let i = 0; i < ARTICLES; i++) await importArticle(db, article(i));
      const repo = db.getRepository(Comment);
      const parents = await repo.find({ where: { depth: 0 } });
      await repo.save(
        parents.flatMap((p) =>
          Array.from({ length: REPLIES }, (_, r) =>
            repo.create({ articleId: p.articleId, parentId: p.id, authorId: p.authorId, body: `Reply ${r}`, depth: 1, position: r + 1, createdAt: new Date() }),
          ),
        ),
        { chunk: 500 },
      );
      // The replies went in as rows, behind the writers' back.
      await inTransaction(db, (manager) => recountStoredCounts(manager));
    }
    const server = await createServer(benchConfig({ type: "sqlite", path: "" }), db, createLocalEvents());
    const run = (first: number) => execute(server, DEEP_QUERY, { first });
    for (let i = 0; i < 5; i++) await run(50); // warm-up: JIT and database cache
    const times: Record<number, number[]> = { 1: [], 50: [] };
    const statements: Record<number, number> = {};
    for (let i = 0; i < RUNS; i++) {
      for (const n of [1, 50]) {
        const result = await run(n);
        times[n].push(result.ms);
        statements[n] = result.statements;
      }
    }
    console.log(`deep query on ${url ? "postgres" : "sqlite file"}: ${ARTICLES} articles x ${COMMENTS} comments x ${REPLIES} replies, ${RUNS} runs each`);
    for (const n of [1, 50]) {
      console.log(
        `  N=${String(n).padStart(2)}: ${statements[n]} SQL statements, median ${median(times[n]).toFixed(1)} ms, min ${Math.min(...times[n]).toFixed(1)} ms`,
      );
    }
    console.log(
      `  ratio N=50 / N=1: statements ${(statements[50] / statements[1]).toFixed(2)}, median time ${(median(times[50]) / median(times[1])).toFixed(1)}x`,
    );
    await server.stop();
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// --scale N

const BASE_SCALE = 1000;
/** Articles per page when paging down to the deep page's cursor. */
const PAGING_STEP = 100;

const Q1 = `query Q1($slug: String!) {
  article(slug: $slug) {
    id title section publishedAt paragraphs commentCount
    tags { name slug articleCount }
    relatedLinks { title article { id title } }
    comments(first: 10) { totalCount nodes { id body hasAvatar replyCount createdAt author { id name commentCount } } }
  }
}`;

const TAG_PAGE = `query TagPage($slug: String!) {
  tag(slug: $slug) {
    name articleCount
    articles(first: 20) { totalCount pageInfo { hasNextPage endCursor } nodes { id slug title publishedAt commentCount } }
  }
}`;

interface ScaleQuery {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

/** The cursor after the `position`th article in publication order, reached by paging as a client would. */
async function cursorAt(server: ThreadlineServer, position: number): Promise<string | null> {
  let after: string | null = null;
  for (let done = 0; done < position;) {
    const first = Math.min(PAGING_STEP, position - done);
    const page = await execute(
      server,
      `query($first: Int!, $after: String) { articles(first: $first, after: $after, orderBy: PUBLISHED_AT_ASC) { pageInfo { endCursor } } }`,
      { first, after },
    );
    after = page.data.articles.pageInfo.endCursor;
    done += first;
  }
  return after;
}

/** The benchmark's queries on one dataset: q1 and the tag page on the same article and tag at every size. */
async function scaleQueries(server: ThreadlineServer, db: Database, articles: number): Promise<ScaleQuery[]> {
  const [{ slug }] = await db.query(`SELECT "slug" FROM "article" WHERE "title" = ${db.options.type === "postgres" ? "$1" : "?"}`, [
    scaleTitle(Math.floor(articles / 2)),
  ]);
  // Page 1,000 of 20 where there is one; on a smaller dataset, the last full page.
  const deepPosition = Math.min(1000 * 20, articles - 20);
  return [
    { name: "q1 article(slug)", query: Q1, variables: { slug } },
    { name: "q2 deep first:20", query: DEEP_QUERY, variables: { first: 20 } },
    { name: "tag page", query: TAG_PAGE, variables: { slug: "topic-3" } },
    { name: `deep page after:${deepPosition}`, query: DEEP_PAGE_QUERY, variables: { first: 20, after: await cursorAt(server, deepPosition) } },
  ];
}

/** Every statement `work` sends to any of the database's connections, with its parameters. */
async function captureStatements(db: Database, work: () => Promise<unknown>): Promise<{ query: string; parameters: unknown[] }[]> {
  const captured: { query: string; parameters: unknown[] }[] = [];
  const restore: (() => void)[] = [];
  for (const source of db.dataSources()) {
    const logger = source.logger;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, runner) => {
      captured.push({ query, parameters: parameters ?? [] });
      return original(query, parameters, runner);
    };
    restore.push(() => {
      logger.logQuery = original;
    });
  }
  try {
    await work();
  } finally {
    for (const undo of restore) undo();
  }
  return captured;
}

async function explain(db: Database, server: ThreadlineServer, query: ScaleQuery): Promise<void> {
  const statements = await captureStatements(db, () => execute(server, query.query, query.variables));
  const postgres = db.options.type === "postgres";
  console.log(`\n=== ${query.name}: ${statements.length} statements`);
  for (const [index, statement] of statements.entries()) {
    const prefix = postgres ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN QUERY PLAN ";
    const rows: Record<string, unknown>[] = await db.query(prefix + statement.query, statement.parameters);
    const plan = postgres ? rows.map((row) => String(row["QUERY PLAN"])) : rows.map((row) => `${row.id}/${row.parent} ${row.detail}`);
    console.log(`--- statement ${index + 1}: ${statement.query.replace(/\s+/g, " ").slice(0, 600)}`);
    console.log(`    parameters: ${JSON.stringify(statement.parameters).slice(0, 200)}`);
    for (const line of plan) console.log(`    ${line}`);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function scale(articles: number, runs: number, showPlans: boolean): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  const engine = url ? "postgres" : "sqlite";
  const log = (line: string) => console.log(line);
  const sizes = [BASE_SCALE, articles];
  const opened: { size: number; dataset: Awaited<ReturnType<typeof openScaleDataset>>; server: ThreadlineServer; queries: ScaleQuery[] }[] = [];
  try {
    for (const size of sizes) {
      log(`${engine}: opening the ${size.toLocaleString("en-US")}-article dataset (built on first use)`);
      const dataset = await openScaleDataset(size, url, log);
      if (dataset.builtIn !== null) log(`  built in ${dataset.builtIn.toFixed(0)} s`);
      const server = await createServer(benchConfig({ type: "sqlite", path: "" }), dataset.db, createLocalEvents());
      opened.push({ size, dataset, server, queries: [] });
      opened[opened.length - 1].queries = await scaleQueries(server, dataset.db, size);
    }
    const names = opened[0].queries.map((query) => query.name.replace(/ after:\d+$/, ""));
    const times = opened.map(() => names.map((): number[] => []));
    const statements = opened.map(() => names.map(() => 0));
    // Warm-up, then the runs interleaved: every query on every size in turn, so drift hits all
    // alike, and the sizes take turns going first, so neither always follows the heaviest query.
    for (let run = -3; run < runs; run++) {
      for (let q = 0; q < names.length; q++) {
        for (const s of run % 2 === 0 ? [0, 1] : [1, 0]) {
          const { server, queries } = opened[s];
          const result = await execute(server, queries[q].query, queries[q].variables);
          if (run >= 0) times[s][q].push(result.ms);
          statements[s][q] = result.statements;
        }
      }
    }
    log(`\n${engine}, median of ${runs} runs (p90 in brackets), ${sizes.map((n) => n.toLocaleString("en-US")).join(" vs ")} articles:`);
    log(`  ${"query".padEnd(20)} ${sizes.map((n) => `${n.toLocaleString("en-US")} art.`.padStart(22)).join(" ")}   ratio`);
    for (const [q, name] of names.entries()) {
      const cells = opened.map((_, s) =>
        `${percentile(times[s][q], 0.5).toFixed(1)} ms [${percentile(times[s][q], 0.9).toFixed(1)}] ${statements[s][q]} st`.padStart(22),
      );
      const ratio = percentile(times[1][q], 0.5) / percentile(times[0][q], 0.5);
      log(`  ${name.padEnd(20)} ${cells.join(" ")}   ${ratio.toFixed(2)}x`);
    }
    if (showPlans) {
      const { dataset, server, queries } = opened[opened.length - 1];
      for (const query of queries) await explain(dataset.db, server, query);
    }
  } finally {
    for (const { server, dataset } of opened) {
      await server.stop();
      await dataset.close();
    }
  }
}

function parseArgs(argv: string[]): { scale: number | null; runs: number; explain: boolean } {
  const args = { scale: null as number | null, runs: 20, explain: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    if (flag === "--explain") {
      args.explain = true;
      continue;
    }
    const value = Number(inline ?? argv[++i]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs a positive whole number`);
    if (flag === "--scale") args.scale = value;
    else if (flag === "--runs") args.runs = value;
    else throw new Error(`unknown argument ${flag}; use --scale N [--runs R] [--explain]`);
  }
  if (args.scale !== null && args.scale <= BASE_SCALE) throw new Error(`--scale must be more than ${BASE_SCALE}, the size it is compared with`);
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.scale === null) await pageSizes();
  else await scale(args.scale, args.runs, args.explain);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
