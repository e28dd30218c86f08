/**
 * `npm run bench:compare -- [--duration S] [--warmup S] [--connections N] [--rounds R] [--only q1,q3]
 *                          [--threadline DIR] [--baseline DIR] [--node-options "FLAGS"] [--profile [SERVER]]
 *                          [--accept-encoding br|gzip] [--cache] [--engine postgres|sqlite]`
 *
 * Threadline (NODE_ENV=production, real HTTP) beside two servers written for the comparison that
 * read the same SQLite file (bench/): a "reference", plain graphql-js with DataLoader over the same
 * SQL, and a "floor", node:http with hand-written batched SQL and JSON.stringify. Their answers to
 * q1-q4 (bench/queries.ts) are first checked against Threadline's; then each query is put under
 * load (autocannon) on the three servers in turn, and the script prints req/s, latency p50/p99,
 * peak RSS, server CPU per request, and the ratios Threadline / reference and Threadline / floor.
 * With --rounds R the whole interleaved sequence runs R times and each figure is the median.
 * --threadline runs another build (a checkout with `npm run build` done) against the same
 * reference, floor and data; --baseline DIR runs another build beside this one (on its own copy of
 * the data), interleaved with the others: how before/after figures are taken on one machine, in
 * one run. Each Threadline build runs with the node flags of its own `npm start` (its package.json),
 * as it is served; --node-options passes node flags to every server alike.
 *
 * BENCH_DATABASE_URL=postgres://... adds Threadline on PostgreSQL (its default settings), serving
 * the same generated data from a database of its own on that server (built once, then kept), and
 * prints PostgreSQL's cost per request against SQLite's; with --baseline, the other build serves
 * that database too ("baseline PG"). --engine postgres does the same on BENCH_DATABASE_URL or, when
 * it is not set, on postgres://postgres@127.0.0.1:5432/postgres; --engine sqlite leaves PostgreSQL out.
 *
 * On PostgreSQL, "PostGraphile" (bench/postgraphile-server.ts, PostGraphile 4) serves the same
 * database through views of what the public sees (scripts/postgraphile-schema.ts, made anew each
 * run in a schema of their own, and removed when it ends). Its answers to q1-q4, asked in its own schema, are checked against
 * Threadline PG's for the same objects (bench/postgraphile-queries.ts says what is normalised); it
 * is loaded in the same rounds, and a last table sets Threadline PG's req/s against PostGraphile's,
 * with CPU per request of each server and of PostgreSQL's processes on this machine.
 *
 * --profile instead runs one query (q3 unless --only names another) on one server (Threadline unless
 * `reference`, `floor` or `PostGraphile` is named) under `node --cpu-prof`, and prints the share of
 * busy CPU spent in garbage collection and where the rest went, over the load window only (the
 * profile is kept for DevTools).
 *
 * Threadline runs with its response cache off (RESPONSE_CACHE_MB=0), so every request executes.
 * --cache adds "Threadline cached" (RESPONSE_CACHE_MB=64, the default) on the same file: each query
 * is the same anonymous read repeated, so after the first request every one is answered from memory.
 *
 * --accept-encoding sends that Accept-Encoding with every request under load (none by default), so
 * the cost of compressing answers shows beside the same run without it.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import autocannon from "autocannon";
import { Readers } from "../bench/bench-sql";
import { BenchQuery, benchQueries } from "../bench/queries";
import { postgraphileQuery, postgraphileShape, threadlineShape } from "../bench/postgraphile-queries";
import { copyDataset, postgresDataset } from "./bench-dataset";
import { dropPostgraphileSchema, POSTGRAPHILE_SCHEMA, preparePostgraphileSchema } from "./postgraphile-schema";
import { printProfileSummary, summariseProfile } from "./cpu-profile";

const ROOT = resolve(__dirname, "../..");

/** The PostgreSQL server `--engine postgres` uses when BENCH_DATABASE_URL is not set. */
const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

interface Args {
  duration: number;
  warmup: number;
  connections: number;
  rounds: number;
  only: string[] | null;
  /** Root of the Threadline build to run (dist/src/index.js under it). */
  threadline: string;
  /** Root of another Threadline build to run beside it, or null. */
  baseline: string | null;
  /** Node flags for every server. */
  nodeOptions: string[];
  /** The server to profile, or null to compare. */
  profile: string | null;
  /** Accept-Encoding sent under load, or null for none. */
  acceptEncoding: string | null;
  /** Whether to add Threadline with its response cache on. */
  cache: boolean;
  /** --engine: postgres runs the PostgreSQL part even without BENCH_DATABASE_URL, sqlite leaves it out; null: as BENCH_DATABASE_URL says. */
  engine: "postgres" | "sqlite" | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    duration: 10,
    warmup: 3,
    connections: 10,
    rounds: 1,
    only: null,
    threadline: ROOT,
    baseline: null,
    nodeOptions: [],
    profile: null,
    acceptEncoding: null,
    cache: false,
    engine: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    if (flag === "--profile") {
      const named = inline ?? (argv[i + 1] && !argv[i + 1].startsWith("--") ? argv[++i] : undefined);
      args.profile = named ?? "Threadline";
      if (!["Threadline", "reference", "floor", "PostGraphile"].includes(args.profile)) {
        throw new Error(`--profile takes Threadline, reference, floor or PostGraphile, got ${named}`);
      }
      continue;
    }
    if (flag === "--cache") {
      args.cache = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (flag === "--accept-encoding") {
      args.acceptEncoding = value;
      continue;
    }
    if (flag === "--engine") {
      if (value !== "postgres" && value !== "sqlite") throw new Error(`--engine takes postgres or sqlite, got ${value}`);
      args.engine = value;
      continue;
    }
    if (flag === "--only") {
      args.only = value.split(",");
      continue;
    }
    if (flag === "--threadline") {
      args.threadline = resolve(value);
      continue;
    }
    if (flag === "--baseline") {
      args.baseline = resolve(value);
      continue;
    }
    if (flag === "--node-options") {
      args.nodeOptions = value.split(/\s+/).filter(Boolean);
      continue;
    }
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got ${value}`);
    if (flag === "--duration") args.duration = n;
    else if (flag === "--warmup") args.warmup = n;
    else if (flag === "--connections") args.connections = Math.round(n);
    else if (flag === "--rounds") args.rounds = Math.round(n);
    else throw new Error(`unknown argument ${argv[i]}; see the usage at the top of scripts/bench-compare.ts`);
  }
  return args;
}

interface Server {
  name: string;
  url: string;
  process: ChildProcess;
  exited: Promise<void>;
  dialect?: Dialect;
}

/**
 * How a server with a schema of its own (PostGraphile) is asked the benchmark's queries, and how
 * its answers are checked: against a Threadline server on the same database, both put in a shape
 * that leaves out what only the format differs in (bench/postgraphile-queries.ts).
 */
interface Dialect {
  query: (query: BenchQuery) => BenchQuery;
  checkedAgainst: string;
  threadlineShape: (answer: any) => unknown;
  ownShape: (answer: any) => unknown;
}

/** What the server is sent for a benchmark query. */
const askedOf = (server: Server, query: BenchQuery): BenchQuery => server.dialect?.query(query) ?? query;

interface ServerSpec {
  name: string;
  /** A Threadline build, whose figures are set against the reference's and the floor's. */
  threadline: boolean;
  /** The folder the server runs in; `script` is under it. */
  root: string;
  script: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  dialect?: Dialect;
  /** Run before the server starts: what it serves may depend on the servers started before it. */
  prepare?: () => Promise<void>;
}

/**
 * The node flags `npm start` runs the server with in the build at `root` (its package.json's
 * start script), so that Threadline is measured as it is served.
 */
function startFlags(root: string): string[] {
  const start: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts?.start ?? "";
  const flags = /\bnode((?: --[\w-]+(?:=\S+)?)*) dist\/src\/index\.js/.exec(start)?.[1] ?? "";
  return flags.split(" ").filter(Boolean);
}

async function startServer(spec: ServerSpec, nodeFlags: string[], onLine: (line: string) => void = () => undefined): Promise<Server> {
  const { name, root, script, args, env, port } = spec;
  await spec.prepare?.();
  const served = spec.threadline ? startFlags(root) : [];
  const child = spawn(process.execPath, [...served, ...nodeFlags, join(root, script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop()!;
    lines.forEach(onLine);
  });
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`${name} exited at start:\n${output}`);
    if (waited > 60_000) throw new Error(`${name} did not answer within 60 s:\n${output}`);
    try {
      await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
      break;
    } catch {
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }
  return { name, url, process: child, exited, dialect: spec.dialect };
}

async function stopServer(server: Server): Promise<void> {
  if (server.process.exitCode === null) server.process.kill("SIGINT");
  await server.exited;
}

async function post(url: string, query: BenchQuery): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: query.query, variables: query.variables }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${query.name} with HTTP ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

/** Where two JSON values first differ, for the report of a mismatch. */
function firstDifference(a: unknown, b: unknown, path = "$"): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
    if (found) return found;
  }
  return `${path}: differs`;
}

function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) the process (every thread) or one of its threads has used so far. */
function cpuSeconds(pid: number, thread?: number): number {
  try {
    const fields = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, "utf8")
      .replace(/^.*\) /s, "")
      .split(" ");
    // utime and stime, fields 14 and 15 of stat, counted in clock ticks of 1/100 s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds used so far by each PostgreSQL backend on this machine connected to `database`, by
 * pid, told by its process title ("postgres: 15/main: USER DATABASE HOST ..."): other databases'
 * work on a shared machine stays out. Only one server is under load at a time, so what they used
 * over a window is that server's share of the database's work; empty when the database runs elsewhere.
 */
function postgresCpu(database: string): Map<number, number> {
  const used = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, "utf8").split(" ").includes(database)) continue;
    } catch {
      continue; // ended since the listing
    }
    const seconds = cpuSeconds(Number(entry));
    if (Number.isFinite(seconds)) used.set(Number(entry), seconds);
  }
  return used;
}

/** CPU seconds PostgreSQL used between two readings; a backend that started in between counts from zero. */
function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  if (after.size === 0) return NaN;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** One line of `node --trace-gc`: the heap before and after, and how long the main thread paused. */
interface GcEvent {
  kind: string;
  before: number;
  after: number;
  pauseMs: number;
}

function parseGcLine(line: string): GcEvent | null {
  const match = /: (Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)\b.*? ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+) \/ [\d.]+ ms/.exec(line);
  return match ? { kind: match[1], before: Number(match[2]), after: Number(match[3]), pauseMs: Number(match[4]) } : null;
}

/** Collections and pause time by kind: "153 Scavenge 1,200 ms, 12 Mark-Compact 300 ms". */
function gcKinds(events: GcEvent[]): string {
  const kinds = new Map<string, { count: number; ms: number }>();
  for (const event of events) {
    const kind = kinds.get(event.kind) ?? { count: 0, ms: 0 };
    kind.count += 1;
    kind.ms += event.pauseMs;
    kinds.set(event.kind, kind);
  }
  return [...kinds].map(([kind, { count, ms }]) => `${count} ${kind} ${fmt(ms)} ms`).join(", ");
}

/** MiB allocated between the first and the last collection: what each one found beyond what the last left. */
function allocatedMiB(events: GcEvent[]): number {
  let total = 0;
  for (let i = 1; i < events.length; i++) total += Math.max(0, events[i].before - events[i - 1].after);
  return total;
}

interface Measure {
  rps: number;
  p50: number;
  p99: number;
  rss: number;
  /** Server CPU time per answered request: less sensitive than req/s to other load on the machine. */
  cpuMs: number;
  /** CPU time of the server's main (JavaScript) thread over the window. */
  mainThreadMs: number;
  /** PostgreSQL's CPU time per answered request, when it is measured (NaN otherwise). */
  databaseCpuMs: number;
  requests: number;
  failures: number;
}

/** Puts the server under load with the benchmark query (in its own schema's words); `database`: the PostgreSQL database whose backends' CPU to measure too. */
async function load(
  server: Server,
  benchQuery: BenchQuery,
  connections: number,
  duration: number,
  acceptEncoding: string | null,
  database: string | null = null,
): Promise<Measure> {
  const query = askedOf(server, benchQuery);
  let rss = rssMiB(server.process.pid!);
  const sampler = setInterval(() => (rss = Math.max(rss, rssMiB(server.process.pid!))), 250);
  const cpuBefore = cpuSeconds(server.process.pid!);
  const mainBefore = cpuSeconds(server.process.pid!, server.process.pid!);
  const databaseBefore = database ? postgresCpu(database) : new Map<number, number>();
  try {
    const result = await autocannon({
      url: server.url,
      connections,
      duration,
      method: "POST",
      headers: { "content-type": "application/json", ...(acceptEncoding ? { "accept-encoding": acceptEncoding } : {}) },
      body: JSON.stringify({ query: query.query, variables: query.variables }),
    });
    const answered = Math.max(1, result.requests.total);
    const cpuMs = ((cpuSeconds(server.process.pid!) - cpuBefore) * 1000) / answered;
    const mainThreadMs = (cpuSeconds(server.process.pid!, server.process.pid!) - mainBefore) * 1000;
    const databaseCpuMs = database ? (postgresCpuBetween(databaseBefore, postgresCpu(database)) * 1000) / answered : NaN;
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      rss,
      cpuMs,
      mainThreadMs,
      databaseCpuMs,
      requests: answered,
      failures: result.errors + result.timeouts + result.non2xx,
    };
  } finally {
    clearInterval(sampler);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Each figure's median over the rounds. */
function medianMeasure(measures: Measure[]): Measure {
  const of = (pick: (m: Measure) => number) => median(measures.map(pick));
  return {
    rps: of((m) => m.rps),
    p50: of((m) => m.p50),
    p99: of((m) => m.p99),
    rss: of((m) => m.rss),
    cpuMs: of((m) => m.cpuMs),
    mainThreadMs: of((m) => m.mainThreadMs / m.requests),
    databaseCpuMs: of((m) => m.databaseCpuMs),
    requests: 1,
    failures: measures.reduce((sum, m) => sum + m.failures, 0),
  };
}

/** An article with resolvable related links and commenters, from the middle of the file. */
async function pickSlug(path: string): Promise<string> {
  const readers = await Readers.open(path, 1);
  const rows = await readers.take()(
    `SELECT a."slug" FROM article a WHERE (SELECT COUNT(*) FROM related_link rl JOIN article t ON t."title" = rl."title" WHERE rl."articleId" = a."id") >= 2 ORDER BY a."id" LIMIT 1 OFFSET 20`,
  );
  readers.close();
  return rows[0].slug as string;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "-");

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), "threadline-compare-"));
  const servers: Server[] = [];
  /** The PostgreSQL database whose PostGraphile views go when the run ends. */
  let postgraphileViewsIn: string | null = null;
  const profileDir = join(tmpdir(), "threadline-bench-profiles", new Date().toISOString().replace(/[:.]/g, "-"));
  try {
    const file = join(work, "bench.sqlite");
    await copyDataset(file);
    const slug = await pickSlug(file);
    const queries = benchQueries(slug).filter((query) => (args.only ? args.only.includes(query.name) : !args.profile || query.name === "q3"));
    const threadline = (name: string, root: string, databaseUrl: string, port: number, cacheMb = 0): ServerSpec => ({
      name,
      threadline: true,
      root,
      script: "dist/src/index.js",
      args: [],
      // The load comes from one address over 10 connections: the per-client share (MAX_QUEUED_PER_CLIENT)
      // would refuse most of it, and this measures throughput, not fairness. Older builds ignore the variable.
      // The response cache is off unless asked for (--cache): the other servers execute every request.
      env: {
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        API_TOKEN: randomBytes(16).toString("hex"),
        MAX_QUEUED_PER_CLIENT: "0",
        RESPONSE_CACHE_MB: String(cacheMb),
      },
      port,
    });
    const specs: ServerSpec[] = [threadline("Threadline", args.threadline, `sqlite:${file}`, 4801)];
    if (args.cache && !args.profile) specs.push(threadline("Threadline cached", args.threadline, `sqlite:${file}`, 4806, 64));
    if (args.baseline && !args.profile) {
      // A file of its own: each build brings its copy's schema to the version it knows.
      const copy = join(work, "baseline.sqlite");
      await copyDataset(copy);
      specs.push(threadline("baseline", args.baseline, `sqlite:${copy}`, 4804));
    }
    const pgUrl = args.engine === "sqlite" ? undefined : process.env.BENCH_DATABASE_URL || (args.engine === "postgres" ? DEFAULT_POSTGRES_URL : undefined);
    let pgDatabaseName: string | null = null;
    if (pgUrl) {
      if (!/^postgres(ql)?:\/\//.test(pgUrl)) throw new Error(`BENCH_DATABASE_URL must be a postgres:// URL, got ${pgUrl}`);
      const pgDatabase = await postgresDataset(pgUrl);
      postgraphileViewsIn = pgDatabase;
      pgDatabaseName = decodeURIComponent(new URL(pgDatabase).pathname.slice(1));
      // Views on Threadline's tables would stop a migration that changes them: they go before Threadline
      // starts, and again when the run ends, for a build that knows nothing of them.
      await dropPostgraphileSchema(pgDatabase);
      specs.push(threadline("Threadline PG", args.threadline, pgDatabase, 4805));
      // The runs only read, so the baseline build serves the same database.
      if (args.baseline && !args.profile) specs.push(threadline("baseline PG", args.baseline, pgDatabase, 4808));
      specs.push({
        name: "PostGraphile",
        threadline: false,
        root: ROOT,
        script: "dist/bench/postgraphile-server.js",
        args: ["--database", pgDatabase, "--schema", POSTGRAPHILE_SCHEMA, "--port", "4807"],
        env: { NODE_ENV: "production" },
        port: 4807,
        dialect: { query: postgraphileQuery, checkedAgainst: "Threadline PG", threadlineShape, ownShape: postgraphileShape },
        // After Threadline PG, whose migrations bring the tables the views read up to date.
        prepare: () => preparePostgraphileSchema(pgDatabase),
      });
    }
    specs.push(
      // graphql-js checks instanceof more thoroughly outside production; every server runs as deployed.
      {
        name: "reference",
        threadline: false,
        root: ROOT,
        script: "dist/bench/reference-server.js",
        args: ["--db", file, "--port", "4802"],
        env: { NODE_ENV: "production" },
        port: 4802,
      },
      {
        name: "floor",
        threadline: false,
        root: ROOT,
        script: "dist/bench/floor-server.js",
        args: ["--db", file, "--port", "4803"],
        env: { NODE_ENV: "production" },
        port: 4803,
      },
    );

    if (args.profile) {
      mkdirSync(profileDir, { recursive: true });
      const spec = specs.find((candidate) => candidate.name === (args.profile === "Threadline" && pgUrl ? "Threadline PG" : args.profile));
      if (!spec) throw new Error(`--profile ${args.profile} needs PostgreSQL: set BENCH_DATABASE_URL or pass --engine postgres`);
      let inWindow = false;
      const gcEvents: GcEvent[] = [];
      const server = await startServer(spec, [...args.nodeOptions, "--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--trace-gc"], (line) => {
        const event = inWindow ? parseGcLine(line) : null;
        if (event) gcEvents.push(event);
      });
      servers.push(server);
      const [query] = queries;
      await load(server, query, args.connections, args.warmup, args.acceptEncoding);
      inWindow = true;
      const from = Number(process.hrtime.bigint() / 1000n);
      const measure = await load(server, query, args.connections, args.duration, args.acceptEncoding);
      const to = Number(process.hrtime.bigint() / 1000n);
      inWindow = false;
      await stopServer(server);
      const [profile] = readdirSync(profileDir).filter((name) => name.endsWith(".cpuprofile"));
      if (!profile) throw new Error(`no profile was written to ${profileDir}`);
      const pauses = gcEvents.reduce((sum, event) => sum + event.pauseMs, 0);
      console.log(
        `${query.name} on ${spec.name} under --cpu-prof: ${fmt(measure.rps, 1)} req/s, p50 ${measure.p50} ms, p99 ${measure.p99} ms, ` +
          `peak RSS ${fmt(measure.rss)} MiB, CPU per request ${fmt(measure.cpuMs)} ms (main thread ${fmt(measure.mainThreadMs / measure.requests)} ms)`,
      );
      console.log(
        `--trace-gc: about ${fmt(allocatedMiB(gcEvents) / measure.requests, 1)} MiB allocated per request; ${gcEvents.length} collections paused the main thread ` +
          `${fmt(pauses)} ms = ${fmt((pauses / measure.mainThreadMs) * 100, 1)}% of its CPU time (${gcKinds(gcEvents)})`,
      );
      printProfileSummary(summariseProfile(join(profileDir, profile), from, to));
      console.log(`profile: ${join(profileDir, profile)} (open in Chrome DevTools, Performance tab)`);
      return;
    }

    // Threadline first: it brings the file's schema up to date before the others read it.
    for (const spec of specs) servers.push(await startServer(spec, args.nodeOptions));

    // Same answers first: a faster server that answers something else proves nothing.
    for (const query of queries) {
      const texts = await Promise.all(servers.map((server) => post(server.url, askedOf(server, query))));
      const [expected] = texts;
      const verdicts = servers.slice(1).map((server, i) => {
        const text = texts[i + 1];
        const dialect = server.dialect;
        if (dialect) {
          const theirs = texts[servers.findIndex((candidate) => candidate.name === dialect.checkedAgainst)];
          const difference = firstDifference(dialect.threadlineShape(JSON.parse(theirs)), dialect.ownShape(JSON.parse(text)));
          if (difference) throw new Error(`${server.name} answers ${query.name} unlike ${dialect.checkedAgainst} at ${difference}`);
          return `${server.name}: same objects as ${dialect.checkedAgainst}`;
        }
        if (text === expected) return `${server.name}: same bytes`;
        const difference = firstDifference(JSON.parse(expected), JSON.parse(text));
        if (difference) throw new Error(`${server.name} answers ${query.name} unlike Threadline at ${difference}`);
        return `${server.name}: same JSON`;
      });
      console.log(`${query.name} (${(expected.length / 1024).toFixed(1)} KiB): ${verdicts.join(", ")}`);
    }

    console.log(
      `\nload: autocannon, ${args.connections} connections, ${args.warmup} s warm-up + ${args.duration} s per server and query, interleaved` +
        `${args.rounds > 1 ? `; ${args.rounds} rounds, medians shown` : ""}${args.nodeOptions.length > 0 ? `; node ${args.nodeOptions.join(" ")}` : ""}`,
    );
    const rounds = new Map<string, Measure[]>();
    for (let round = 0; round < args.rounds; round++) {
      for (const query of queries) {
        for (const server of servers) {
          await load(server, query, args.connections, args.warmup, args.acceptEncoding);
          const measure = await load(server, query, args.connections, args.duration, args.acceptEncoding, pgDatabaseName);
          const key = `${query.name} ${server.name}`;
          rounds.set(key, [...(rounds.get(key) ?? []), measure]);
          if (measure.failures > 0) console.log(`  ${server.name} ${query.name}: ${measure.failures} failed requests`);
        }
      }
    }
    const results = new Map([...rounds].map(([key, measures]) => [key, medianMeasure(measures)]));

    console.log("");
    console.log(`| query | server | req/s | p50 ms | p99 ms | peak RSS MiB | CPU ms/req | main thread ms/req |`);
    console.log(`|---|---|---:|---:|---:|---:|---:|---:|`);
    for (const query of queries) {
      for (const server of servers) {
        const m = results.get(`${query.name} ${server.name}`)!;
        console.log(
          `| ${query.name} | ${server.name} | ${fmt(m.rps, 1)} | ${m.p50} | ${m.p99} | ${fmt(m.rss)} | ${fmt(m.cpuMs, 2)} | ${fmt(m.mainThreadMs / m.requests, 2)} |`,
        );
      }
    }
    const reference = servers.find((server) => server.name === "reference")!;
    const floor = servers.find((server) => server.name === "floor")!;
    const builds = servers.filter((server) => specs.find((spec) => spec.name === server.name)!.threadline);
    console.log("");
    console.log(`| query | server | req/s | reference | floor | ÷ reference | ÷ floor | same, by CPU per request |`);
    console.log(`|---|---|---:|---:|---:|---:|---:|---:|`);
    for (const query of queries) {
      const r = results.get(`${query.name} ${reference.name}`)!;
      const f = results.get(`${query.name} ${floor.name}`)!;
      for (const build of builds) {
        const t = results.get(`${query.name} ${build.name}`)!;
        console.log(
          `| ${query.name} ${query.description} | ${build.name} | ${fmt(t.rps, 1)} | ${fmt(r.rps, 1)} | ${fmt(f.rps, 1)} | ${fmt(t.rps / r.rps, 2)} | ${fmt(t.rps / f.rps, 3)} | ` +
            `${fmt(r.cpuMs / t.cpuMs, 2)} / ${fmt(f.cpuMs / t.cpuMs, 3)} |`,
        );
      }
    }
    if (pgUrl) {
      // Time per request under the same load: SQLite's req/s over PostgreSQL's. Threadline's own CPU
      // leaves out PostgreSQL's backends, so only the throughput ratio compares the engines.
      console.log("");
      console.log(`| query | SQLite req/s | PostgreSQL req/s | PostgreSQL ÷ SQLite, time per request | p50 ms SQLite / PostgreSQL |`);
      console.log(`|---|---:|---:|---:|---:|`);
      for (const query of queries) {
        const lite = results.get(`${query.name} Threadline`)!;
        const pg = results.get(`${query.name} Threadline PG`)!;
        console.log(`| ${query.name} | ${fmt(lite.rps, 1)} | ${fmt(pg.rps, 1)} | ${fmt(lite.rps / pg.rps, 2)} | ${lite.p50} / ${pg.p50} |`);
      }
      // Against PostGraphile on the same database. PostGraphile builds each answer in one SQL statement,
      // so much of its work is PostgreSQL's: CPU per request is shown for the server and for PostgreSQL apart.
      const postgraphile = servers.find((server) => server.name === "PostGraphile")!;
      const pgBuilds = builds.filter((build) => build.name.endsWith(" PG"));
      console.log("");
      console.log(
        `| query | server | req/s | PostGraphile req/s | ÷ PostGraphile | server CPU ms/req, this / PostGraphile | PostgreSQL CPU ms/req, this / PostGraphile |`,
      );
      console.log(`|---|---|---:|---:|---:|---:|---:|`);
      for (const query of queries) {
        const g = results.get(`${query.name} ${postgraphile.name}`)!;
        for (const build of pgBuilds) {
          const t = results.get(`${query.name} ${build.name}`)!;
          console.log(
            `| ${query.name} | ${build.name} | ${fmt(t.rps, 1)} | ${fmt(g.rps, 1)} | ${fmt(t.rps / g.rps, 2)} | ${fmt(t.cpuMs, 2)} / ${fmt(g.cpuMs, 2)} | ` +
              `${fmt(t.databaseCpuMs, 2)} / ${fmt(g.databaseCpuMs, 2)} |`,
          );
        }
      }
    }
  } finally {
    await Promise.all(servers.map(stopServer));
    if (postgraphileViewsIn) await dropPostgraphileSchema(postgraphileViewsIn);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
