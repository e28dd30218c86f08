/**
 * `npm run bench:import -- [--count N] [--runs R]`: seeds a fresh SQLite file from N generated dumps
 * through the same path as `npm run seed` (collectDumpFiles + importFiles), R times, and prints
 * throughput per run and the median. Target: 10,000 dumps at >= 300 dumps/s.
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDataSource } from "../src/db/data-source";
import { collectDumpFiles, importFiles } from "../src/ingest/import-files";
import { DumpError, parseDump } from "../src/ingest/parse-dump";
import { generateDumps } from "./generated-dumps";

const TABLES = ["article", "tag", "article_tag", "related_link", "author", "comment"];

interface Args {
  count: number;
  runs: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { count: 10_000, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = inline ?? argv[++i];
    if (flag !== "--count" && flag !== "--runs") throw new Error(`unknown argument ${argv[i]}; use --count N --runs R`);
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive whole number, got ${value}`);
    if (flag === "--count") args.count = n;
    else args.runs = n;
  }
  return args;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = await mkdtemp(join(tmpdir(), "threadline-bench-"));
  const dumps = join(work, "dumps");
  try {
    await mkdir(dumps);
    const generatedAt = performance.now();
    const bytes = await generateDumps(dumps, args.count);
    console.log(`generated ${fmt(args.count)} dumps (${fmt(bytes / 1024 / 1024, 1)} MiB) in ${fmt((performance.now() - generatedAt) / 1000, 2)} s`);

    // Read + parse alone, discarding the results: the ceiling the database part is measured against.
    const parseStart = performance.now();
    let parsedCount = 0;
    for (const file of await collectDumpFiles([dumps])) {
      if (!(parseDump(await readFile(file, "utf8"), file) instanceof DumpError)) parsedCount += 1;
    }
    const parseSeconds = (performance.now() - parseStart) / 1000;
    console.log(`parse only (read + parse, no database): ${fmt(parsedCount / parseSeconds)} dumps/s, ${args.count - parsedCount} rejected`);

    const results: { dumpsPerSecond: number; rowsPerSecond: number; seconds: number }[] = [];
    for (let run = 1; run <= args.runs; run++) {
      const file = join(work, `run-${run}.sqlite`);
      const dataSource = await openDataSource({ type: "sqlite", path: file });
      const start = performance.now();
      const summary = await importFiles(dataSource, await collectDumpFiles([dumps]));
      const seconds = (performance.now() - start) / 1000;
      let rows = 0;
      for (const table of TABLES) {
        const [{ n }] = await dataSource.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM "${table}"`);
        rows += Number(n);
      }
      await dataSource.destroy();
      await rm(file, { force: true });
      await rm(`${file}-wal`, { force: true });
      await rm(`${file}-shm`, { force: true });
      if (summary.imported !== args.count) {
        const firstBad = summary.outcomes.find((outcome) => outcome.status !== "imported");
        throw new Error(`run ${run}: only ${summary.imported} of ${args.count} imported (${firstBad?.file}: ${firstBad?.error ?? firstBad?.status})`);
      }
      const result = { dumpsPerSecond: summary.imported / seconds, rowsPerSecond: rows / seconds, seconds };
      results.push(result);
      console.log(
        `run ${run}: ${fmt(summary.imported)} dumps, ${fmt(rows)} rows in ${fmt(seconds, 2)} s: ` +
          `${fmt(result.dumpsPerSecond)} dumps/s, ${fmt(result.rowsPerSecond)} rows/s`,
      );
    }
    console.log(
      `median of ${args.runs}: ${fmt(median(results.map((r) => r.dumpsPerSecond)))} dumps/s, ` +
        `${fmt(median(results.map((r) => r.rowsPerSecond)))} rows/s, ${fmt(median(results.map((r) => r.seconds)), 2)} s`,
    );
    // maxRSS is in kilobytes on Linux.
    console.log(`peak RSS: ${fmt(process.resourceUsage().maxRSS / 1024)} MiB`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
