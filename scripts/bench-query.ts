import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDataSource } from "../src/db/data-source";
import { withQueryTally } from "../src/db/query-counter";
import { Comment } from "../src/entities";
import { createLocalEvents } from "../src/events/comment-events";
import { ParsedArticle } from "../src/ingest/dump.types";
import { importArticle } from "../src/ingest/import";
import { createServer } from "../src/server";
import { DEEP_QUERY } from "./deep-query";

/**
 * Times README's deep query at N=1 and N=50 articles on a fresh SQLite file
 * (or BENCH_DATABASE_URL=postgres://...), through the real Apollo server, and
 * prints SQL statement counts and median latencies measured in one run.
 */
const ARTICLES = 60;
const COMMENTS = 30;
const REPLIES = 3;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

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
    comments: Array.from({ length: COMMENTS }, (_, c) => ({ author: c % 4 ? `Reader ${(i * 7 + c) % 150}` : null, hasAvatar: c % 4 !== 0, body: `Comment ${c} on ${i}` })),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
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
    }
    const config = { port: 0, database: { type: "sqlite" as const, path: "" }, apiToken: "bench-token", apiTokenGenerated: false, production: false, redisUrl: null, shutdownGraceSeconds: 0, statementTimeoutSeconds: 0 };
    const server = await createServer(config, db, createLocalEvents());
    const run = async (first: number) => {
      const tally = { count: 0 };
      const started = process.hrtime.bigint();
      const response = await withQueryTally(tally, () =>
        server.apollo.executeOperation({ query: DEEP_QUERY, variables: { first } }, { contextValue: server.context(undefined, tally) }),
      );
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (response.body.kind !== "single" || response.body.singleResult.errors) throw new Error(JSON.stringify(response.body));
      return { ms, statements: tally.count };
    };
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
      console.log(`  N=${String(n).padStart(2)}: ${statements[n]} SQL statements, median ${median(times[n]).toFixed(1)} ms, min ${Math.min(...times[n]).toFixed(1)} ms`);
    }
    console.log(`  ratio N=50 / N=1: statements ${(statements[50] / statements[1]).toFixed(2)}, median time ${(median(times[50]) / median(times[1])).toFixed(1)}x`);
    await server.stop();
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
