/**
 * `npm run bench:read-write -- --writes [--engine sqlite|postgres] [--baseline DIR] [--seconds S]
 *                            [--rounds R] [--writers W] [--readers N] [--accept-encoding E]`
 *                            (defaults sqlite, none, 5, 2, 4, 8, identity):
 * whether writes wait behind heavy reads. Threadline runs as served (NODE_ENV=production, real
 * HTTP, its default admission settings except MAX_QUEUED_PER_CLIENT=0, since every client here
 * shares one address) on a copy of the read benchmarks' dataset (bench-dataset.ts). W writers post
 * comments with the service token, one after another each, for S seconds: first alone, then while
 * N readers loop the README's deep query (20 articles). Prints comments/s alone and with readers,
 * their ratio, the writes' p50/p99 latency with readers, and the readers' req/s. Every request
 * sends Accept-Encoding E ("gzip, br" to have the answers compressed, as browsers ask).
 *
 * --baseline DIR runs another build (a checkout with `node scripts/build.mjs server` done) beside
 * this one, interleaved phase by phase, on its own copy of the data: before and after in one run.
 * --engine postgres serves the data from PostgreSQL (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres), a fresh copy of the kept dataset per build.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DataSource } from "typeorm";
import { copyDataset, postgresDataset } from "./bench-dataset";
import { DEEP_QUERY } from "./deep-query";

const ROOT = resolve(__dirname, "../..");

interface Args {
  engine: "sqlite" | "postgres";
  baseline: string | null;
  seconds: number;
  rounds: number;
  writers: number;
  readers: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { engine: "sqlite", baseline: null, seconds: 5, rounds: 2, writers: 4, readers: 8 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    if (flag === "--writes") continue;
    const value = inline ?? argv[++i];
    if (flag === "--accept-encoding") {
      acceptEncoding = value;
      continue;
    }
    if (flag === "--engine") {
      if (value !== "sqlite" && value !== "postgres") throw new Error(`--engine takes sqlite or postgres, got ${value}`);
      args.engine = value;
    } else if (flag === "--baseline") args.baseline = resolve(value);
    else if (["--seconds", "--rounds", "--writers", "--readers"].includes(flag)) {
      const n = Number(value);
      if (!(n > 0)) throw new Error(`${flag} needs a positive number, got ${value}`);
      args[flag.slice(2) as "seconds" | "rounds" | "writers" | "readers"] = n;
    } else throw new Error(`unknown argument ${argv[i]}; see the usage at the top of scripts/bench-write-lane.ts`);
  }
  return args;
}

interface Build {
  name: string;
  root: string;
  url: string;
  token: string;
  process: ChildProcess;
  exited: Promise<void>;
  articleIds: string[];
  cleanup: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createNetServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => done(port));
    });
  });
}

let acceptEncoding = "identity";

async function post(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "accept-encoding": acceptEncoding, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok || answer.errors) throw new Error(`HTTP ${response.status}: ${JSON.stringify(answer).slice(0, 500)}`);
  return answer;
}

/** The node flags the build's own `npm start` serves with. */
function startFlags(root: string): string[] {
  const start: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts?.start ?? "";
  return (/\bnode((?: --[\w-]+(?:=\S+)?)*) dist\/src\/index\.js/.exec(start)?.[1] ?? "").split(" ").filter(Boolean);
}

async function startBuild(name: string, root: string, args: Args, dir: string): Promise<Build> {
  let databaseUrl: string;
  let cleanup = async () => undefined as void;
  if (args.engine === "sqlite") {
    const path = join(dir, `${name}.sqlite`);
    await copyDataset(path);
    databaseUrl = `sqlite:${path}`;
  } else {
    const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const kept = new URL(await postgresDataset(serverUrl));
    const copy = `threadline_bench_lane_${name}_${process.pid}`;
    const admin = await new DataSource({ type: "postgres", url: serverUrl }).initialize();
    await admin.query(`DROP DATABASE IF EXISTS "${copy}"`);
    await admin.query(`CREATE DATABASE "${copy}" TEMPLATE "${kept.pathname.slice(1)}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${copy}`;
    databaseUrl = url.toString();
    cleanup = async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${copy}"`);
      await admin.destroy();
    };
  }
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const child = spawn(process.execPath, [...startFlags(root), join(root, "dist/src/index.js")], {
    cwd: root,
    // The response cache is off: the readers all send one anonymous query, which it would answer
    // from memory between writes, and this measures writes beside reads that run.
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      API_TOKEN: token,
      MAX_QUEUED_PER_CLIENT: "0",
      RESPONSE_CACHE_MB: "0",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let errors = "";
  child.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`${name} exited at start:\n${errors}`);
    if (waited > 60_000) throw new Error(`${name} did not answer within 60 s:\n${errors}`);
    try {
      await post(url, { query: "{ __typename }" });
      break;
    } catch {
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }
  // Comments go to articles the deep query does not read (it reads the oldest 20).
  const listed = await post(url, { query: "{ articles(first: 100, orderBy: PUBLISHED_AT_DESC) { nodes { id } } }" });
  const articleIds = ((listed.data as { articles: { nodes: { id: string }[] } }).articles.nodes ?? []).map((node) => node.id);
  return { name, root, url, token, process: child, exited, articleIds, cleanup };
}

async function stopBuild(build: Build): Promise<void> {
  if (build.process.exitCode === null) build.process.kill("SIGINT");
  await build.exited;
  await build.cleanup();
}

const ADD = `mutation Add($articleId: ID!, $body: String!, $authorName: String) {
  addComment(articleId: $articleId, body: $body, authorName: $authorName) { comment { id } }
}`;

interface Phase {
  writes: number[];
  reads: number;
  seconds: number;
}

let written = 0;

/** Writers (and readers, when `withReaders`) for `seconds`: each client sends its next request when the last is answered. */
async function phase(build: Build, args: Args, withReaders: boolean): Promise<Phase> {
  const deadline = Date.now() + args.seconds * 1000;
  const writes: number[] = [];
  let reads = 0;
  const started = performance.now();
  const writers = Array.from({ length: args.writers }, async (_, w) => {
    while (Date.now() < deadline) {
      const n = written++;
      const begun = performance.now();
      await post(
        build.url,
        {
          query: ADD,
          variables: { articleId: build.articleIds[(n * 7 + w) % build.articleIds.length], body: `Lane benchmark comment ${n}`, authorName: `Lane ${w}` },
        },
        build.token,
      );
      writes.push(performance.now() - begun);
    }
  });
  const readers = withReaders
    ? Array.from({ length: args.readers }, async () => {
        while (Date.now() < deadline) {
          await post(build.url, { query: DEEP_QUERY, variables: { first: 20 } });
          reads += 1;
        }
      })
    : [];
  await Promise.all([...writers, ...readers]);
  return { writes, reads, seconds: (performance.now() - started) / 1000 };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

export async function writeLaneBench(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const dir = mkdtempSync(join(tmpdir(), "threadline-bench-lane-"));
  const builds: Build[] = [];
  try {
    builds.push(await startBuild("this", ROOT, args, dir));
    if (args.baseline) builds.push(await startBuild("baseline", args.baseline, args, dir));
    // Warm-up: every document compiled and cached before anything is timed.
    for (const build of builds) {
      await phase(build, { ...args, seconds: 1 }, true);
    }
    const alone = new Map<string, Phase[]>();
    const loaded = new Map<string, Phase[]>();
    for (let round = 0; round < args.rounds; round++) {
      for (const build of round % 2 ? [...builds].reverse() : builds) {
        alone.set(build.name, [...(alone.get(build.name) ?? []), await phase(build, args, false)]);
        loaded.set(build.name, [...(loaded.get(build.name) ?? []), await phase(build, args, true)]);
      }
    }
    console.log(
      `writes under deep reads on ${args.engine}: ${args.writers} writers posting comments with the service token, alone and beside ` +
        `${args.readers} readers of the deep query (20 articles); ${args.rounds} rounds of ${args.seconds} s phases, interleaved`,
    );
    const rate = (phases: Phase[]) => phases.reduce((n, p) => n + p.writes.length, 0) / phases.reduce((s, p) => s + p.seconds, 0);
    for (const build of builds) {
      const a = alone.get(build.name)!;
      const l = loaded.get(build.name)!;
      const latencies = l.flatMap((p) => p.writes);
      const reads = l.reduce((n, p) => n + p.reads, 0) / l.reduce((s, p) => s + p.seconds, 0);
      console.log(
        `  ${build.name.padEnd(8)} (${build.root}): alone ${rate(a).toFixed(1)} comments/s (p50 ${percentile(
          a.flatMap((p) => p.writes),
          50,
        ).toFixed(1)} ms); with readers ${rate(l).toFixed(1)} comments/s, ratio ${(rate(l) / rate(a)).toFixed(2)}, ` +
          `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; deep reads ${reads.toFixed(1)} req/s`,
      );
    }
  } finally {
    for (const build of builds) await stopBuild(build);
    rmSync(dir, { recursive: true, force: true });
  }
}
