/**
 * `npm run bench:import -- [--count N] [--runs R] [--engine sqlite|postgres] [--baseline DIR]
 *                         [--by-statement] [--no-fts-prefix]`:
 * seeds a fresh database from N generated dumps through the same path as `npm run seed`
 * (collectDumpFiles + importFiles), R times, and prints throughput per run and the median: dumps
 * per second, and dumps per CPU-second of this process (what the import costs, whatever else the
 * machine does). Target: 10,000 dumps at >= 1,000 dumps/s on SQLite and >= 500 on PostgreSQL.
 *
 * --engine postgres imports into a fresh database per run on the server BENCH_DATABASE_URL names
 * (default postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards. --baseline DIR runs
 * another build (a checkout with `node scripts/build.mjs server` done) on the same dumps, its runs
 * interleaved with this build's: before and after in one run.
 *
 * Two switches take an import apart: --by-statement prints, per run, the time spent in each kind of
 * statement (from the call to its answer: the database's work and the wait for it) beside the whole
 * import; --no-fts-prefix (SQLite) builds the search tables without their prefix indexes (FTS5's
 * `prefix` option) in the runs' fresh databases, so the import shows what those indexes cost it.
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DataSource } from "typeorm";
import { openDataSource } from "../src/db/data-source";
import { collectDumpFiles, importFiles } from "../src/ingest/import-files";
import { DumpError, parseDump } from "../src/ingest/parse-dump";
import { generateDumps } from "./generated-dumps";

const TABLES = ["article", "tag", "article_tag", "related_link", "author", "comment"];

interface Args {
  count: number;
  runs: number;
  engine: "sqlite" | "postgres";
  baseline: string | null;
  byStatement: boolean;
  ftsPrefix: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { count: 10_000, runs: 3, engine: "sqlite", baseline: null, byStatement: false, ftsPrefix: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--by-statement" || argv[i] === "--no-fts-prefix") {
      if (argv[i] === "--by-statement") args.byStatement = true;
      else args.ftsPrefix = false;
      continue;
    }
    const [flag, inline] = argv[i].split("=", 2);
    const value = inline ?? argv[++i];
    if (flag === "--engine") {
      if (value !== "sqlite" && value !== "postgres") throw new Error(`--engine takes sqlite or postgres, got ${value}`);
      args.engine = value;
      continue;
    }
    if (flag === "--baseline") {
      args.baseline = resolve(value);
      continue;
    }
    if (flag !== "--count" && flag !== "--runs")
      throw new Error(`unknown argument ${argv[i]}; use --count N --runs R --engine sqlite|postgres --baseline DIR --by-statement --no-fts-prefix`);
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive whole number, got ${value}`);
    if (flag === "--count") args.count = n;
    else args.runs = n;
  }
  if (args.engine !== "sqlite" && !args.ftsPrefix) throw new Error("--no-fts-prefix is about SQLite's search tables: leave out --engine postgres");
  return args;
}

/** A statement's kind: "INSERT INTO comment", "SELECT … FROM tag", "COMMIT". */
function statementKind(sql: string): string {
  const text = sql.replace(/\s+/g, " ").trim();
  const write = /^(INSERT OR IGNORE INTO|INSERT INTO|UPDATE|DELETE FROM) "?(\w+)/.exec(text);
  if (write) return `${write[1]} ${write[2]}`;
  const read = /^SELECT\b.*?\bFROM "?(\w+)/.exec(text);
  if (read) return `SELECT … FROM ${read[1]}`;
  return text.split(" ").slice(0, 2).join(" ");
}

/** The SQLite connection's statement methods, as sqlite3 has them. */
type StatementMethod = (sql: string, ...rest: unknown[]) => unknown;

/** Time spent per kind of statement, and how many ran. */
type StatementTimes = Map<string, { ms: number; count: number }>;

/**
 * Times every statement on `dataSource`'s writer from the call to its answer, summed per kind
 * (its first words and table), until `stop` is called.
 */
function timeStatements(dataSource: DataSource): { stop(): StatementTimes } {
  const spent: StatementTimes = new Map();
  const record = (sql: string, start: number) => {
    const kind = statementKind(sql);
    const entry = spent.get(kind) ?? { ms: 0, count: 0 };
    entry.ms += performance.now() - start;
    entry.count += 1;
    spent.set(kind, entry);
  };
  const restore = dataSource.options.type === "postgres" ? timePostgresStatements(dataSource, record) : timeSqliteStatements(dataSource, record);
  return {
    stop() {
      restore();
      return spent;
    },
  };
}

/** PostgreSQL: every statement TypeORM's query runners send. Returns what undoes the timing. */
function timePostgresStatements(dataSource: DataSource, record: (sql: string, start: number) => void): () => void {
  const runner = dataSource.createQueryRunner();
  const prototype = Object.getPrototypeOf(runner) as { query: (sql: string, ...rest: unknown[]) => Promise<unknown> };
  void runner.release();
  const original = prototype.query;
  prototype.query = async function (this: unknown, sql: string, ...rest: unknown[]) {
    const start = performance.now();
    try {
      return await original.call(this, sql, ...rest);
    } finally {
      record(sql, start);
    }
  };
  return () => {
    prototype.query = original;
  };
}

/** SQLite: every statement on the writer's connection, until its callback. Returns what undoes the timing. */
function timeSqliteStatements(dataSource: DataSource, record: (sql: string, start: number) => void): () => void {
  const connection = (dataSource.driver as unknown as { databaseConnection: Record<string, StatementMethod> }).databaseConnection;
  const originals = new Map<string, StatementMethod>();
  for (const method of ["all", "run", "exec"]) {
    const original = connection[method];
    originals.set(method, original);
    connection[method] = function (this: unknown, sql: string, ...rest: unknown[]) {
      const at = rest.findIndex((arg) => typeof arg === "function");
      if (at >= 0) {
        const done = rest[at] as (...results: unknown[]) => unknown;
        const start = performance.now();
        rest[at] = function (this: unknown, ...results: unknown[]) {
          record(sql, start);
          return done.apply(this, results);
        };
      }
      return original.call(this, sql, ...rest);
    };
  }
  return () => {
    for (const [method, original] of originals) connection[method] = original;
  };
}

/** Builds the search tables again without FTS5 prefix indexes (a fresh, empty database). */
async function dropFtsPrefixes(dataSource: DataSource): Promise<void> {
  for (const table of ["search_article", "search_comment"]) {
    const [{ sql }] = await dataSource.query<{ sql: string }[]>(`SELECT sql FROM sqlite_master WHERE name = ?`, [table]);
    const without = sql.replace(/,\s*prefix\s*=\s*'[^']*'/, "");
    if (without === sql) throw new Error(`${table} has no prefix option to leave out: ${sql}`);
    await dataSource.query(`DROP TABLE "${table}"`);
    await dataSource.query(without);
  }
}

/** A build's importer: this one's, or another checkout's compiled one. */
interface Build {
  name: string;
  openDataSource: typeof openDataSource;
  importFiles: typeof importFiles;
}

function buildAt(root: string): Build {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    name: "baseline",
    openDataSource: (require(join(root, "dist/src/db/data-source.js")) as { openDataSource: typeof openDataSource }).openDataSource,
    importFiles: (require(join(root, "dist/src/ingest/import-files.js")) as { importFiles: typeof importFiles }).importFiles,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** A fresh database for one run, and how to remove it. */
async function freshDatabase(args: Args, work: string, name: string): Promise<{ url: string | null; path: string; drop: () => Promise<void> }> {
  if (args.engine === "sqlite") {
    const path = join(work, `${name}.sqlite`);
    return {
      url: null,
      path,
      drop: async () => {
        for (const suffix of ["", "-wal", "-shm"]) await rm(`${path}${suffix}`, { force: true });
      },
    };
  }
  const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const database = `threadline_bench_import_${process.pid}_${name.replace(/\W/g, "_")}`;
  const admin = await new DataSource({ type: "postgres", url: serverUrl }).initialize();
  await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    path: "",
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.destroy();
    },
  };
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

    const builds: Build[] = [{ name: "this", openDataSource, importFiles }];
    if (args.baseline) builds.push(buildAt(args.baseline));
    const results = new Map<string, { dumpsPerSecond: number; rowsPerSecond: number; seconds: number; perCpuSecond: number }[]>();
    for (let run = 1; run <= args.runs; run++) {
      for (const build of run % 2 ? builds : [...builds].reverse()) {
        const target = await freshDatabase(args, work, `${build.name}-${run}`);
        const dataSource = await build.openDataSource(target.url ? { type: "postgres", url: target.url } : { type: "sqlite", path: target.path });
        if (!args.ftsPrefix) await dropFtsPrefixes(dataSource);
        const timing = args.byStatement ? timeStatements(dataSource) : null;
        const start = performance.now();
        const cpu = process.cpuUsage();
        const summary = await build.importFiles(dataSource, await collectDumpFiles([dumps]));
        const used = process.cpuUsage(cpu);
        const seconds = (performance.now() - start) / 1000;
        const statements = timing?.stop();
        let rows = 0;
        for (const table of TABLES) {
          const [{ n }] = await dataSource.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM "${table}"`);
          rows += Number(n);
        }
        await dataSource.destroy();
        await target.drop();
        if (summary.imported !== args.count) {
          const firstBad = summary.outcomes.find((outcome) => outcome.status !== "imported");
          throw new Error(`run ${run}: only ${summary.imported} of ${args.count} imported (${firstBad?.file}: ${firstBad?.error ?? firstBad?.status})`);
        }
        const result = {
          dumpsPerSecond: summary.imported / seconds,
          rowsPerSecond: rows / seconds,
          seconds,
          perCpuSecond: summary.imported / ((used.user + used.system) / 1e6),
        };
        results.set(build.name, [...(results.get(build.name) ?? []), result]);
        console.log(
          `run ${run} ${build.name} on ${args.engine}: ${fmt(summary.imported)} dumps, ${fmt(rows)} rows in ${fmt(seconds, 2)} s: ` +
            `${fmt(result.dumpsPerSecond)} dumps/s, ${fmt(result.rowsPerSecond)} rows/s, ${fmt(result.perCpuSecond)} dumps per CPU-second`,
        );
        if (statements) {
          const total = [...statements.values()].reduce((sum, entry) => sum + entry.ms, 0);
          console.log(`  in statements: ${fmt(total / 1000, 2)} s of ${fmt(seconds, 2)} s (${fmt((100 * total) / 1000 / seconds)}%), by kind:`);
          for (const [kind, entry] of [...statements].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
            console.log(
              `  ${fmt(entry.ms / 1000, 2).padStart(7)} s ${fmt((100 * entry.ms) / 1000 / seconds).padStart(3)}%  ${fmt(entry.count).padStart(6)}×  ${kind}`,
            );
          }
        }
      }
    }
    for (const build of builds) {
      const of = results.get(build.name)!;
      console.log(
        `${build.name}: median of ${args.runs}: ${fmt(median(of.map((r) => r.dumpsPerSecond)))} dumps/s, ` +
          `${fmt(median(of.map((r) => r.rowsPerSecond)))} rows/s, ${fmt(median(of.map((r) => r.seconds)), 2)} s, ` +
          `${fmt(median(of.map((r) => r.perCpuSecond)))} dumps per CPU-second`,
      );
    }
    if (args.baseline) {
      const ratio = (key: "dumpsPerSecond" | "perCpuSecond") => median(results.get("this")!.map((r, i) => r[key] / results.get("baseline")![i][key]));
      console.log(
        `this / baseline (median of per-run ratios): dumps/s ${fmt(ratio("dumpsPerSecond"), 2)}, dumps per CPU-second ${fmt(ratio("perCpuSecond"), 2)}`,
      );
    }
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
