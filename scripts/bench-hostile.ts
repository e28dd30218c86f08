/**
 * `npm run bench:hostile -- [--server ROOT] [--engine sqlite|postgres] [--database-url URL]
 *   [--count N] [--tags N] [--subscriptions N] [--fanout M] [--fanout-events N] [--timeout S] [--only ID,...]`
 *
 * Sends the hostile requests of issue 9 to a production server and prints one table row per
 * attack: HTTP status and error code, time to answer, the latency a cheap read sent every 100 ms
 * saw meanwhile, and the server's peak RSS. Two rows measure a second client instead, a signed-in
 * reader reading one cheap read at a time, whose worst latency is their time: `queue-flood` (one
 * address's many connections loop the deep query) and `ws-heavy` (deep queries sent at once over
 * WebSockets). The server is a child process built from ROOT (default:
 * this project), so any build, old or new, can be measured the same way: its own seed CLI fills a
 * fresh database (a temporary SQLite file, or a new PostgreSQL schema that is dropped at the end)
 * from generated dumps plus seeds/, then `node ROOT/dist/src/index.js` serves it with
 * NODE_ENV=production. Every request goes to 127.0.0.1; every loop is bounded in count and time.
 *
 * --only takes attack ids (an unknown one lists them all); BENCH_KEEP=1 keeps the temporary folder
 * with the server's log. The table goes to stdout, progress to stderr.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { createServer as createNetServer, AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SignJWT } from "jose";
import WebSocket from "ws";
import type { ParsedArticle } from "../src/ingest/dump.types";
import { renderDump } from "../src/ingest/render-dump";
import { DEEP_QUERY } from "./deep-query";
import { article, generateDumps, makeRandom, WORDS } from "./generated-dumps";

// pg ships no types of its own and @types/pg is not a dependency; this is the little used here.
interface PgClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- pg has no types here (above), so it is required untyped and given this shape
const { Client: PgClientClass } = require("pg") as { Client: new (config: { connectionString: string }) => PgClient };

const PROJECT_ROOT = resolve(__dirname, "../..");
const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test";
const TOKEN = "bench-hostile-token-0123456789";
/** Signs the token of the reader who is the second client in the flood rows (any build takes JWT_SECRET). */
const JWT_SECRET = "bench-hostile-jwt-secret-0123456789-abcdefgh";
const CHEAP = { query: "{ articles(first: 1) { totalCount } }" };
const PROBE_INTERVAL_MS = 100;
/** Cheap reads are sent every 100 ms whether or not earlier ones answered, up to this many at once. */
const PROBE_MAX_IN_FLIGHT = 400;
const RECOVERY_LIMIT_MS = 120_000;
const START_LIMIT_MS = 120_000;
const SEED_LIMIT_MS = 15 * 60_000;
const WARM_UP_READS = 10;

interface Args {
  server: string;
  engine: "sqlite" | "postgres";
  databaseUrl: string;
  count: number;
  tags: number;
  subscriptions: number;
  /** Subscribers of one article, and the comments posted to them, in the fan-out row. */
  fanout: number;
  fanoutEvents: number;
  timeoutMs: number;
  only: string[] | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    server: PROJECT_ROOT,
    engine: "sqlite",
    databaseUrl: DEFAULT_PG_URL,
    count: 2_000,
    tags: 1_000,
    subscriptions: 20_000,
    fanout: 2_500,
    fanoutEvents: 10,
    timeoutMs: 30_000,
    only: null,
  };
  const whole = (flag: string, value: string, max: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${flag} needs a whole number from 1 to ${max}, got ${value}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case "--server":
        args.server = resolve(value);
        break;
      case "--engine":
        if (value !== "sqlite" && value !== "postgres") throw new Error(`--engine is sqlite or postgres, got ${value}`);
        args.engine = value;
        break;
      case "--database-url":
        args.databaseUrl = value;
        break;
      case "--count":
        args.count = whole(flag, value, 100_000);
        break;
      case "--tags":
        args.tags = whole(flag, value, 10_000);
        break;
      case "--subscriptions":
        args.subscriptions = whole(flag, value, 100_000);
        break;
      case "--fanout":
        args.fanout = whole(flag, value, 12_500);
        break;
      case "--fanout-events":
        args.fanoutEvents = whole(flag, value, 1_000);
        break;
      case "--timeout":
        args.timeoutMs = whole(flag, value, 600) * 1000;
        break;
      case "--only":
        args.only = value
          .split(",")
          .map((id) => id.trim())
          .filter(Boolean);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}; see the comment at the top of scripts/bench-hostile.ts`);
    }
  }
  for (const file of ["dist/src/index.js", "dist/src/ingest/cli.js"]) {
    if (!existsSync(join(args.server, file)))
      throw new Error(`${join(args.server, file)} is missing: build that project first (npx tsc -p tsconfig.build.json)`);
  }
  if (args.engine === "postgres") {
    let host = "";
    try {
      const url = new URL(args.databaseUrl);
      host = /^postgres(ql)?:$/.test(url.protocol) ? url.hostname : "";
    } catch {
      // reported below
    }
    if (host !== "127.0.0.1" && host !== "localhost") throw new Error("--database-url must be a postgres:// URL of a server on 127.0.0.1");
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// Small utilities

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmtMs(ms: number, timeoutMs: number): string {
  if (!Number.isFinite(ms) || ms >= timeoutMs) return `>${timeoutMs / 1000} s`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

const fmtMb = (kb: number | null) => (kb === null ? "?" : `${Math.round(kb / 1024)} MB`);
const fmtBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
const oneLine = (text: string, max = 90) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

// ---------------------------------------------------------------------------------------------
// HTTP

// Response bodies are inspected field by field; `any` keeps that short.

type Body = any;

interface Answer {
  /** null when no response came within the timeout (or the connection failed). */
  status: number | null;
  body: Body;
  bytes: number;
  ms: number;
  timedOut: boolean;
  failure?: string;
}

async function post(url: string, payload: unknown, timeoutMs: number, token?: string): Promise<Answer> {
  const started = performance.now();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(payload), signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    const ms = performance.now() - started;
    let body: Body;
    try {
      body = JSON.parse(text);
    } catch {
      body = { raw: text.slice(0, 200) };
    }
    return { status: response.status, body, bytes: Buffer.byteLength(text), ms, timedOut: false };
  } catch (error) {
    const ms = performance.now() - started;
    const name = (error as Error).name;
    const timedOut = name === "TimeoutError" || name === "AbortError";
    return {
      status: null,
      body: null,
      bytes: 0,
      ms: timedOut ? Infinity : ms,
      timedOut,
      failure: timedOut ? undefined : String((error as Error).cause ?? error),
    };
  }
}

async function get(url: string, timeoutMs: number): Promise<number | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

function errorCode(body: Body): string {
  const code = body?.errors?.[0]?.extensions?.code;
  if (typeof code === "string") return code;
  return body?.errors ? "(none)" : "—";
}

function summary(answer: Answer): string {
  if (answer.timedOut) return "no answer: aborted";
  if (answer.status === null) return `request failed: ${answer.failure ?? "?"}`;
  const error = answer.body?.errors?.[0];
  if (error) return oneLine(String(error.message));
  if (answer.body?.raw !== undefined) return `not JSON: ${oneLine(String(answer.body.raw), 60)}`;
  return `data ${oneLine(JSON.stringify(answer.body?.data ?? null), 60)}`;
}

// ---------------------------------------------------------------------------------------------
// graphql-transport-ws, the protocol graphql-ws speaks, on the ws package

interface WsMessage {
  id?: string;
  type: string;
  payload?: Body;
}

/** Opens a socket (from `localAddress`, a loopback address, when given) and waits for connection_ack. */
function openSocket(wsUrl: string, timeoutMs: number, localAddress?: string): Promise<WebSocket> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(wsUrl, "graphql-transport-ws", localAddress ? { localAddress } : {});
    const timer = setTimeout(() => {
      ws.terminate();
      fail(new Error(`no connection_ack within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as WsMessage;
      if (message.type === "connection_ack") {
        clearTimeout(timer);
        ws.off("message", onMessage);
        ws.off("close", onClose);
        done(ws);
      }
    };
    const onClose = (code: number, reason: Buffer) => {
      clearTimeout(timer);
      fail(new Error(`socket closed before connection_ack: ${code} ${reason.toString()}`));
    };
    ws.on("message", onMessage);
    ws.once("close", onClose);
    ws.once("error", (error) => {
      clearTimeout(timer);
      fail(error);
    });
    ws.once("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: {} })));
  });
}

/** One operation over a fresh socket: its first message (next, error or complete), or a timeout. */
async function wsOnce(wsUrl: string, query: string, timeoutMs: number): Promise<{ message: WsMessage | null; ms: number; failure?: string }> {
  const started = performance.now();
  let ws: WebSocket;
  try {
    ws = await openSocket(wsUrl, timeoutMs);
  } catch (error) {
    return { message: null, ms: performance.now() - started, failure: (error as Error).message };
  }
  try {
    const message = await new Promise<WsMessage | null>((done) => {
      const timer = setTimeout(() => done(null), Math.max(0, timeoutMs - (performance.now() - started)));
      ws.on("message", (data) => {
        const parsed = JSON.parse(String(data)) as WsMessage;
        if (parsed.id === "1") {
          clearTimeout(timer);
          done(parsed);
        }
      });
      ws.once("close", (code, reason) => {
        clearTimeout(timer);
        done({ type: "closed", payload: { code, reason: reason.toString() } });
      });
      ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }));
    });
    return { message, ms: message ? performance.now() - started : Infinity };
  } finally {
    ws.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// The server under test, as a child process

interface Database {
  /** DATABASE_URL for the seed CLI and the server. */
  url: string;
  describe: string;
  /** Ends the child's statements still running on the database after a kill. */
  release(): Promise<void>;
  drop(): Promise<void>;
}

async function sqliteDatabase(work: string): Promise<Database> {
  const path = join(work, "bench.sqlite");
  return {
    url: `sqlite:${path}`,
    describe: `SQLite file ${path}`,
    async release() {},
    async drop() {},
  };
}

async function postgresDatabase(baseUrl: string): Promise<Database> {
  const schema = `bench_hostile_${process.pid}_${Date.now().toString(36)}`;
  const admin = new PgClientClass({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  // pg reads libpq's `options` and `application_name` from the URL: the server's tables land in
  // the fresh schema, and its connections can be told apart from every other client's.
  const url = new URL(baseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  url.searchParams.set("application_name", schema);
  const release = async () => {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`, [schema]);
  };
  let dropped = false;
  return {
    url: url.toString(),
    describe: `PostgreSQL schema ${schema} at ${new URL(baseUrl).host}${new URL(baseUrl).pathname}`,
    release,
    async drop() {
      if (dropped) return;
      dropped = true;
      await release();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

function childEnv(database: Database, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // A clean environment: nothing of the caller's (REDIS_URL, JWT_SECRET, ...) reaches the server.
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? "C.UTF-8",
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    API_TOKEN: TOKEN,
    JWT_SECRET,
    ...extra,
  };
}

/**
 * Every process this script started and that may still run: an interrupted run (Ctrl-C) ends them
 * rather than leaving a server, possibly stuck in a query, behind.
 */
const liveChildren = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  return child;
}

class ServerChild {
  exit: { code: number | null; signal: string | null } | null = null;
  private unexpected = 0;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(root: string, database: Database, logPath: string): Promise<ServerChild> {
    const port = await freePort();
    const log = createWriteStream(logPath, { flags: "a" });
    log.write(`\n--- start on port ${port} at ${new Date().toISOString()}\n`);
    const child = track(
      spawn(process.execPath, [join(root, "dist/src/index.js")], {
        cwd: root,
        env: childEnv(database, { PORT: String(port) }),
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    const server = new ServerChild(child, port);
    const count = (chunk: Buffer) => {
      log.write(chunk);
      server.unexpected += (chunk.toString().match(/unexpected error/g) ?? []).length;
    };
    child.stdout?.on("data", count);
    child.stderr?.on("data", count);
    child.once("exit", (code, signal) => {
      server.exit = { code, signal };
      log.end(`--- exited: code ${code} signal ${signal}\n`);
    });
    const deadline = performance.now() + START_LIMIT_MS;
    while (performance.now() < deadline) {
      if (server.exit) throw new Error(`the server exited during start (code ${server.exit.code}); see ${logPath}`);
      const answer = await post(server.url, CHEAP, 2_000);
      if (answer.status === 200) return server;
      await sleep(200);
    }
    server.kill();
    throw new Error(`the server did not answer within ${START_LIMIT_MS / 1000} s; see ${logPath}`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/graphql`;
  }

  get healthUrl(): string {
    return `http://127.0.0.1:${this.port}/health`;
  }

  /** "[threadline] unexpected error" lines the server has logged so far. */
  get unexpectedErrors(): number {
    return this.unexpected;
  }

  /** VmRSS in kB, or null once the process is gone. */
  rssKb(): number | null {
    if (this.exit || this.child.pid === undefined) return null;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, "utf8"));
      return match ? Number(match[1]) : null;
    } catch {
      return null;
    }
  }

  kill(): void {
    if (!this.exit) this.child.kill("SIGKILL");
  }

  async waitExit(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!this.exit && performance.now() < deadline) await sleep(50);
    return this.exit !== null;
  }

  /** SIGTERM, then SIGKILL when it has not exited within the grace period. */
  async stop(): Promise<void> {
    if (this.exit) return;
    this.child.kill("SIGTERM");
    if (!(await this.waitExit(15_000))) {
      this.kill();
      await this.waitExit(5_000);
    }
  }
}

/** Imports the dump folder with the server's own CLI, as an operator would. */
async function seed(root: string, database: Database, folder: string): Promise<{ ms: number; code: number | null; report: string }> {
  const started = performance.now();
  const child = track(
    spawn(process.execPath, [join(root, "dist/src/ingest/cli.js"), folder], {
      cwd: root,
      env: childEnv(database),
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), SEED_LIMIT_MS);
  const code = await new Promise<number | null>((done) => child.once("exit", (exitCode) => done(exitCode)));
  clearTimeout(timer);
  return { ms: performance.now() - started, code, report: output.trim() };
}

// ---------------------------------------------------------------------------------------------
// What runs alongside each attack

/** Samples the server's VmRSS every 100 ms. */
function sampleRss(server: () => ServerChild) {
  let peak = server().rssKb();
  const timer = setInterval(() => {
    const kb = server().rssKb();
    if (kb !== null && (peak === null || kb > peak)) peak = kb;
  }, 100);
  return {
    peak: () => peak,
    stop: () => clearInterval(timer),
  };
}

interface ProbeResult {
  latencies: number[];
  failed: number;
  skipped: number;
}

/** A cheap read every 100 ms, as another reader of the site would send it. */
function probeReads(url: string, timeoutMs: number) {
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let failed = 0;
  let skipped = 0;
  const fire = () => {
    if (inFlight.size >= PROBE_MAX_IN_FLIGHT) {
      skipped += 1;
      return;
    }
    const read: Promise<void> = post(url, CHEAP, timeoutMs).then((answer) => {
      latencies.push(answer.ms);
      if (answer.status !== 200) failed += 1;
      inFlight.delete(read);
    });
    inFlight.add(read);
  };
  fire();
  const timer = setInterval(fire, PROBE_INTERVAL_MS);
  return {
    /** Stops sending; waits for the reads still out (each is bounded by the timeout). */
    async stop(): Promise<ProbeResult> {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return { latencies, failed, skipped };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The attacks

interface Outcome {
  /** "400", "200", "WS error", ... */
  status: string;
  code: string;
  /** Time to the answer; Infinity when aborted. */
  ms: number;
  note: string;
  /** Replaces the RSS column (the subscription flood reports before / peak / after close). */
  rss?: string;
}

interface Bench {
  server(): ServerChild;
  args: Args;
  /** An article to subscribe to and comment on. */
  articleId: string;
}

interface Attack {
  id: string;
  /** Counts in the title follow --tags and --subscriptions. */
  title: string | ((args: Args) => string);
  run(bench: Bench): Promise<Outcome>;
}

function httpOutcome(answer: Answer, note = summary(answer)): Outcome {
  return {
    status: answer.timedOut ? "—" : answer.status === null ? "failed" : String(answer.status),
    code: answer.timedOut || answer.status === null ? "—" : errorCode(answer.body),
    ms: answer.ms,
    note,
  };
}

function httpAttack(id: string, title: string, payload: () => unknown, note?: (answer: Answer) => string): Attack {
  return {
    id,
    title,
    async run(bench) {
      const body = payload();
      const answer = await post(bench.server().url, body, bench.args.timeoutMs);
      return httpOutcome(answer, note ? note(answer) : summary(answer));
    },
  };
}

/** Fragments F0..F{n-1}, each spreading the next one twice: 2^n selections once spread out. */
function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) =>
    i === levels - 1 ? `fragment F${i} on Article { id title }` : `fragment F${i} on Article { ...F${i + 1} ...F${i + 1} }`,
  );
  return `{ articles(first: 1) { nodes { ...F0 } } }\n${fragments.join("\n")}`;
}

function aliases(count: number, field: string, header = ""): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`a${i}: ${field}`);
  return `${header}{ ${parts.join(" ")} }`;
}

/** Words every generated article uses many times, so each LIKE matches and the AND chain runs long. */
function searchWords(count: number): string {
  return Array.from({ length: count }, (_, i) => WORDS[i % WORDS.length]).join(" ");
}

function benchArticle(title: string, overrides: Partial<ParsedArticle>): ParsedArticle {
  const base = article(makeRandom(title.length * 7919), 0);
  return { ...base, title, publishedAt: new Date(Date.UTC(2019, 5, 1, 12, 0)), ...overrides };
}

const IMPORT = `mutation($text: String!, $fileName: String) { importDump(text: $text, fileName: $fileName) { article { id slug } warnings } }`;
const ADD_COMMENT = `mutation($articleId: ID!, $body: String!, $parentId: ID) { addComment(articleId: $articleId, body: $body, authorName: "Bench Chain", parentId: $parentId) { comment { id } } }`;

function nulAttack(id: string, what: string, query: string, variables: Record<string, unknown>): Attack {
  return httpAttack(id, `NUL in ${what}`, () => ({ query, variables }));
}

/** A signed-in reader's token: a client of its own, counted apart from the flooding address. */
function readerToken(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: sub, role: "commenter" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

/** The heaviest read the cost limit admits: the README's deep query, 50 articles with everything under them. */
const SLOW = { query: DEEP_QUERY, variables: { first: 50 } };
const FLOOD_CONNECTIONS = 150;
const FLOOD_SECONDS = 20;
const WS_SOCKETS = 4;
const WS_PER_SOCKET = 10;

/** A second client: a signed-in reader who sends a cheap read, waits for its answer, then 100 ms. */
function victimReads(url: string, timeoutMs: number, token: string) {
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const answer = await post(url, CHEAP, timeoutMs, token);
      latencies.push(answer.ms);
      const key = answer.status === null ? "failed" : answer.status === 200 ? "200" : `${answer.status} ${errorCode(answer.body)}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      await sleep(PROBE_INTERVAL_MS);
    }
  })();
  return {
    /** Stops after the read in flight; the worst latency and a note. */
    async stop(): Promise<{ worst: number; text: string }> {
      stopped = true;
      await loop;
      const worst = Math.max(...latencies);
      return {
        worst,
        text: `victim (a signed-in reader, one cheap read at a time): worst ${fmtMs(worst, timeoutMs)}, median ${fmtMs(median(latencies), timeoutMs)}, answers ${counted(statuses)}`,
      };
    },
  };
}

const counted = (counts: Map<string, number>) => [...counts].map(([key, n]) => `${n} × ${key}`).join(", ");

/** The second client's view of one client's flood: queue fairness (MAX_QUEUED_PER_CLIENT). */
const queueFlood: Attack = {
  id: "queue-flood",
  title: `queue flood by one client against a second client: ${FLOOD_CONNECTIONS} connections from one address loop the deep query for ${FLOOD_SECONDS} s (waiting 1 s after a refusal)`,
  async run(bench) {
    const server = bench.server();
    const victim = victimReads(server.url, bench.args.timeoutMs, await readerToken("bench-victim"));
    const statuses = new Map<string, number>();
    const until = performance.now() + FLOOD_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: FLOOD_CONNECTIONS }, async () => {
        while (performance.now() < until) {
          const answer = await post(server.url, SLOW, bench.args.timeoutMs);
          const key = answer.status === null ? "failed" : answer.status === 200 ? "200" : `${answer.status} ${errorCode(answer.body)}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (answer.status !== 200) await sleep(1_000);
        }
      }),
    );
    const { worst, text } = await victim.stop();
    return { status: "—", code: "—", ms: worst, note: `time is the victim's worst; ${text}; the flooder's answers: ${counted(statuses)}` };
  },
};

/** Heavy queries over WebSocket, which used to skip admission, against a second client's reads over HTTP. */
const wsHeavy: Attack = {
  id: "ws-heavy",
  title: `WebSocket heavy queries: ${WS_SOCKETS} sockets × ${WS_PER_SOCKET} deep queries sent at once, against a second client`,
  async run(bench) {
    const server = bench.server();
    const victim = victimReads(server.url, bench.args.timeoutMs, await readerToken("bench-victim"));
    const started = performance.now();
    const outcomes = new Map<string, number>();
    let last = 0;
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < WS_SOCKETS; i++) sockets.push(await openSocket(server.wsUrl, 10_000));
      await Promise.all(
        sockets.map(
          (ws) =>
            new Promise<void>((done) => {
              let left = WS_PER_SOCKET;
              const timer = setTimeout(done, bench.args.timeoutMs);
              ws.on("message", (data) => {
                const message = JSON.parse(String(data)) as WsMessage;
                if (message.type === "complete") return;
                const error = message.type === "error" ? message.payload?.[0] : message.payload?.errors?.[0];
                const key = error ? `${message.type} ${error.extensions?.code ?? "?"}` : message.type;
                outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
                last = performance.now() - started;
                if (--left === 0) {
                  clearTimeout(timer);
                  done();
                }
              });
              for (let n = 0; n < WS_PER_SOCKET; n++) ws.send(JSON.stringify({ id: `q${n}`, type: "subscribe", payload: SLOW }));
            }),
        ),
      );
    } finally {
      for (const ws of sockets) ws.terminate();
    }
    const { worst, text } = await victim.stop();
    return {
      status: "—",
      code: "—",
      ms: worst,
      note: `time is the victim's worst; ${text}; the sockets' answers: ${counted(outcomes)}, the last after ${fmtMs(last, Infinity)}`,
    };
  },
};

const ATTACKS: Attack[] = [
  httpAttack("fragments", "1 KB query: 24 fragments, each spreading the next twice", () => ({ query: fragmentBomb(24) })),
  httpAttack("aliases-search", "1,000 aliases of `articles(first: 0, where: { search: $s }) { totalCount }`, $s a word no article holds", () => ({
    query: aliases(1_000, "articles(first: 0, where: { search: $s }) { totalCount }", "query($s: String) "),
    // A word no article holds: every LIKE then reads each article's whole text.
    variables: { s: "xylophone" },
  })),
  httpAttack("fragments-wide", "5 levels of fragments on Query, each spreading the next 40 times (within the depth limit)", () => {
    const levels = 5;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Query { __typename }` : `fragment F${i} on Query { ${Array.from({ length: 40 }, () => `...F${i + 1}`).join(" ")} }`,
    );
    return { query: `{ ...F0 }\n${fragments.join("\n")}` };
  }),
  httpAttack("search-30x12", "30 aliases × a 12-word search (the word limit; over the cost budget)", () => ({
    query: aliases(30, "articles(first: 0, where: { search: $s }) { totalCount }", "query($s: String) "),
    variables: { s: searchWords(12) },
  })),
  httpAttack("search-998", "50 aliases × a 998-word search", () => ({
    query: aliases(50, "articles(first: 0, where: { search: $s }) { totalCount }", "query($s: String) "),
    variables: { s: searchWords(998) },
  })),
  httpAttack("search-999", "one 999-word search", () => ({
    query: "query($s: String) { articles(first: 0, where: { search: $s }) { totalCount } }",
    variables: { s: searchWords(999) },
  })),
  {
    id: "tags",
    title: (args) => `\`article { tags { articles(first: 1) { nodes { tags { slug } } } } }\` after a ${args.tags.toLocaleString("en-US")}-tag import`,
    async run(bench) {
      const count = bench.args.tags;
      const text = renderDump(
        benchArticle(`Hostile bench article with ${count} tags`, {
          tags: Array.from({ length: count }, (_, i) => `Bench tag ${String(i + 1).padStart(5, "0")}`),
        }),
      );
      const imported = await post(bench.server().url, { query: IMPORT, variables: { text, fileName: "many-tags.txt" } }, 120_000, TOKEN);
      const slug = imported.body?.data?.importDump?.article?.slug;
      const importNote = `import of ${count} tags: ${imported.status ?? "no answer"} ${slug ? "ok" : errorCode(imported.body)} in ${fmtMs(imported.ms, 120_000)}`;
      if (!slug) {
        // The build refused the dump; the query then runs against an ordinary article.
        const fallback = await post(bench.server().url, { query: "{ articles(first: 1) { nodes { slug } } }" }, 10_000);
        const other = fallback.body?.data?.articles?.nodes?.[0]?.slug;
        const answer = await post(
          bench.server().url,
          { query: "query($slug: String) { article(slug: $slug) { tags { articles(first: 1) { nodes { tags { slug } } } } } }", variables: { slug: other } },
          bench.args.timeoutMs,
        );
        return httpOutcome(answer, `${importNote} (${oneLine(summary(imported), 60)}); query on another article: ${fmtBytes(answer.bytes)}`);
      }
      const answer = await post(
        bench.server().url,
        { query: "query($slug: String) { article(slug: $slug) { tags { articles(first: 1) { nodes { tags { slug } } } } } }", variables: { slug } },
        bench.args.timeoutMs,
      );
      const detail = answer.body?.errors ? summary(answer) : `${fmtBytes(answer.bytes)} of JSON`;
      return httpOutcome(answer, `${importNote}; ${detail}`);
    },
  },
  {
    id: "introspection-ws",
    title: "introspection over WebSocket, no token",
    async run(bench) {
      const { message, ms, failure } = await wsOnce(
        bench.server().wsUrl,
        "{ __schema { mutationType { name fields { name } } types { name } } }",
        bench.args.timeoutMs,
      );
      if (!message) return { status: failure ? "WS refused" : "—", code: "—", ms, note: failure ?? "no message" };
      if (message.type === "next" && message.payload?.data?.__schema) {
        const schema = message.payload.data.__schema;
        const mutations = (schema.mutationType?.fields ?? []).map((field: { name: string }) => field.name);
        return { status: "WS next", code: "—", ms, note: `schema returned: ${schema.types.length} types, mutations ${mutations.join(", ")}` };
      }
      const error = Array.isArray(message.payload) ? message.payload[0] : message.payload?.errors?.[0];
      return { status: `WS ${message.type}`, code: error?.extensions?.code ?? "—", ms, note: oneLine(error?.message ?? JSON.stringify(message.payload)) };
    },
  },
  httpAttack(
    "introspection-http",
    "introspection over HTTP",
    () => ({ query: "{ __schema { mutationType { name } types { name } } }" }),
    (answer) => (answer.body?.data?.__schema ? `schema returned: ${answer.body.data.__schema.types.length} types` : summary(answer)),
  ),
  httpAttack(
    "suggestions",
    '"Did you mean …" over HTTP: `{ articles(frist: 1) { totalCont } }`',
    () => ({ query: "{ articles(frist: 1) { totalCont } }" }),
    (answer) => {
      const messages = (answer.body?.errors ?? []).map((error: { message: string }) => error.message).join(" / ");
      return `${/Did you mean/.test(messages) ? "suggests" : "no suggestion"}: ${oneLine(messages, 80)}`;
    },
  ),
  {
    id: "suggestions-ws",
    title: '"Did you mean …" over WebSocket: `subscription { commentAdded(articleId: "x") { bdy } }`',
    async run(bench) {
      const { message, ms, failure } = await wsOnce(bench.server().wsUrl, 'subscription { commentAdded(articleId: "x") { bdy } }', bench.args.timeoutMs);
      if (!message) return { status: failure ? "WS refused" : "—", code: "—", ms, note: failure ?? "no message" };
      const errors = Array.isArray(message.payload) ? message.payload : (message.payload?.errors ?? []);
      const text = errors.map((error: { message: string }) => error.message).join(" / ");
      return {
        status: `WS ${message.type}`,
        code: errors[0]?.extensions?.code ?? "—",
        ms,
        note: `${/Did you mean/.test(text) ? "suggests" : "no suggestion"}: ${oneLine(text, 80)}`,
      };
    },
  },
  httpAttack("tags-fanout", "`articles(first: 5) { nodes { tags { articles(first: 1) { nodes { tags { slug } } } } } }` (within the cost budget)", () => ({
    query: "{ articles(first: 5) { nodes { tags { articles(first: 1) { nodes { tags { slug } } } } } } }",
  })),
  httpAttack("aliases-101", "101 aliases of `__typename` (graphql-cop)", () => ({ query: aliases(101, "__typename", "query cop ") })),
  httpAttack("aliases-80000", "80,000 aliases of `__typename` (1.4 MB)", () => ({ query: aliases(80_000, "__typename") })),
  httpAttack("depth", "depth refusal: 13 levels of `replies { nodes { … } }`", () => {
    let nested = "id";
    for (let i = 0; i < 12; i++) nested = `replies { nodes { ${nested} } }`;
    return { query: `{ comment(id: "x") { ${nested} } }` };
  }),
  httpAttack("cost", "cost refusal: 100 × 100 × 100 nested pages", () => ({
    query: "query($n: Int) { articles(first: $n) { nodes { comments(first: $n) { nodes { replies(first: $n) { nodes { body } } } } } } }",
    variables: { n: 100 },
  })),
  {
    id: "ancestors-nesting",
    title: "`ancestors` nested four levels deep on a reply chain of up to 100, posted as deep as the server allows",
    async run(bench) {
      const url = bench.server().url;
      let deepest: string | null = null;
      let length = 0;
      for (let i = 0; i < 100; i++) {
        const variables = { articleId: bench.articleId, body: `Chain reply ${i}`, parentId: deepest };
        const posted = await post(url, { query: ADD_COMMENT, variables }, bench.args.timeoutMs, TOKEN);
        const id = posted.body?.data?.addComment?.comment?.id;
        if (typeof id !== "string") break;
        deepest = id;
        length = i + 1;
      }
      const query = "query($id: ID!) { comment(id: $id) { ancestors { ancestors { ancestors { ancestors { id } } } } } }";
      const answer = await post(url, { query, variables: { id: deepest } }, bench.args.timeoutMs);
      return httpOutcome(answer, `chain of ${length}, answer ${(answer.bytes / 1e6).toFixed(1)} MB; ${summary(answer)}`);
    },
  },
  httpAttack("variable-type", 'wrong variable type: `$n: Int` given "ten"', () => ({
    query: "query($n: Int) { articles(first: $n) { totalCount } }",
    variables: { n: "ten" },
  })),
  httpAttack("tag-slug-in", "`tagSlugIn` with 50,000 entries", () => ({
    query: "query($t: [String!]) { articles(first: 1, where: { tagSlugIn: $t }) { totalCount } }",
    variables: { t: Array.from({ length: 50_000 }, (_, i) => `slug-${i}`) },
  })),
  nulAttack("nul-search", "search", "query($s: String) { articles(first: 1, where: { search: $s }) { totalCount } }", { s: "\u0000" }),
  nulAttack("nul-slug", "article slug", "query($slug: String) { article(slug: $slug) { id } }", { slug: "a\u0000b" }),
  nulAttack("nul-name", "author name", "query($name: String) { author(name: $name) { id } }", { name: "\u0000" }),
  nulAttack("nul-tag", "tag slug", "query($slug: String!) { tag(slug: $slug) { id } }", { slug: "\u0000" }),
  nulAttack("nul-section", "section", "query($s: String) { articles(first: 1, where: { section: $s }) { totalCount } }", { s: "World\u0000" }),
  {
    id: "import-long-comment",
    title: "`importDump` with one 500,000-character comment",
    async run(bench) {
      const body = searchWords(200_000)
        .slice(0, 500_000)
        .replace(/^./, (c) => c.toUpperCase());
      const text = renderDump(benchArticle("Hostile bench article with a long comment", { comments: [{ author: "Bench Reader", hasAvatar: true, body }] }));
      const answer = await post(bench.server().url, { query: IMPORT, variables: { text, fileName: "long-comment.txt" } }, bench.args.timeoutMs, TOKEN);
      const stored = answer.body?.data?.importDump?.article;
      if (!stored) return httpOutcome(answer);
      const check = await post(
        bench.server().url,
        { query: "query($id: ID!) { node(id: $id) { ... on Article { comments(first: 1) { nodes { body } } } } }", variables: { id: stored.id } },
        bench.args.timeoutMs,
      );
      const length = check.body?.data?.node?.comments?.nodes?.[0]?.body?.length;
      return httpOutcome(answer, `imported; the stored comment has ${length ?? "?"} characters`);
    },
  },
  {
    id: "subscriptions",
    title: (args) => `${args.subscriptions.toLocaleString("en-US")} subscriptions on one unauthenticated socket, then one \`addComment\``,
    async run(bench) {
      const total = bench.args.subscriptions;
      const server = bench.server();
      const before = server.rssKb();
      const sampler = sampleRss(() => server);
      const started = performance.now();
      let ws: WebSocket;
      try {
        ws = await openSocket(server.wsUrl, 10_000);
      } catch (error) {
        sampler.stop();
        return { status: "WS refused", code: "—", ms: performance.now() - started, note: (error as Error).message };
      }
      const counts = { error: 0, next: 0, complete: 0, pong: 0 };
      let firstError: Body = null;
      let closed: string | null = null;
      let lastMessageAt = performance.now();
      ws.on("message", (data) => {
        lastMessageAt = performance.now();
        const message = JSON.parse(String(data)) as WsMessage;
        if (message.type === "error") {
          counts.error += 1;
          firstError ??= Array.isArray(message.payload) ? message.payload[0] : message.payload;
        } else if (message.type === "next") counts.next += 1;
        else if (message.type === "complete") counts.complete += 1;
        else if (message.type === "pong") counts.pong += 1;
      });
      ws.once("close", (code, reason) => (closed = `${code} ${reason.toString()}`.trim()));

      const query = "subscription($a: ID!) { commentAdded(articleId: $a) { id } }";
      for (let i = 0; i < total && !closed; i++) {
        ws.send(JSON.stringify({ id: `s${i}`, type: "subscribe", payload: { query, variables: { a: bench.articleId } } }));
      }
      ws.send(JSON.stringify({ type: "ping" }));
      // The flood has been taken in once the ping is answered, the socket has been quiet for a
      // second and a cheap read answers quickly again (bounded by two minutes).
      const floodDeadline = performance.now() + 120_000;
      while (performance.now() < floodDeadline && !closed) {
        if (counts.pong > 0 && performance.now() - lastMessageAt > 1_000) {
          const read = await post(server.url, CHEAP, 5_000);
          if (read.status === 200 && read.ms < 500) break;
        }
        await sleep(200);
      }
      const floodMs = performance.now() - started;

      const comment = await post(
        server.url,
        {
          query:
            'mutation($a: ID!) { addComment(articleId: $a, body: "One comment while the socket holds its subscriptions.", authorName: "Bench Reader") { comment { id } } }',
          variables: { a: bench.articleId },
        },
        bench.args.timeoutMs,
        TOKEN,
      );
      // Deliveries: the first may take a while with thousands of listeners; then until none
      // arrived for two seconds (bounded by a minute and a half in all).
      const commentedAt = performance.now();
      const deliveryDeadline = commentedAt + 90_000;
      while (counts.next === 0 && performance.now() < commentedAt + 30_000 && !closed) await sleep(100);
      const firstDeliveryMs = counts.next > 0 ? performance.now() - commentedAt : null;
      let seen = -1;
      while (performance.now() < deliveryDeadline && seen !== counts.next) {
        seen = counts.next;
        await sleep(2_000);
      }
      const deliveriesMs = performance.now() - commentedAt;
      const closedByServer = closed;
      ws.terminate();
      await sleep(10_000);
      const after = server.rssKb();
      sampler.stop();
      const refused =
        counts.error > 0
          ? `${counts.error} refused (${firstError?.extensions?.code ?? "?"}: ${oneLine(String(firstError?.message ?? ""), 50)})`
          : "none refused";
      return {
        status: comment.timedOut ? "—" : String(comment.status ?? "failed"),
        code: comment.timedOut || comment.status === null ? "—" : errorCode(comment.body),
        ms: comment.ms,
        note:
          `time is the addComment's; ${total} subscribe messages taken in ${fmtMs(floodMs, 1e9)}, ${refused}` +
          `${closedByServer ? `, socket closed by the server (${closedByServer})` : ""}; ${counts.next} events delivered` +
          (firstDeliveryMs === null
            ? " (none within 30 s)"
            : `, the first ${fmtMs(firstDeliveryMs, 1e9)} and the last within ${fmtMs(deliveriesMs, 1e9)} after the comment was sent`),
        rss: `${fmtMb(before)} → ${fmtMb(sampler.peak())} → ${fmtMb(after)} 10 s after close`,
      };
    },
  },
  queueFlood,
  wsHeavy,
  {
    id: "fanout",
    title: (args) =>
      `subscription fan-out: ${args.fanout.toLocaleString("en-US")} \`commentEvents\` subscriptions on one article (50 to a socket), ` +
      `${args.fanoutEvents} comments posted one after another`,
    async run(bench) {
      const { fanout, fanoutEvents, timeoutMs } = bench.args;
      const server = bench.server();
      const perSocket = 50;
      // What the reader app asks of each event, less the signed-in reader's own fields.
      const query =
        "subscription($a: ID!) { commentEvents(articleId: $a) { kind comment { id body status depth createdAt author { id name } parent { id } article { id commentCount } } } }";
      const sockets: WebSocket[] = [];
      const counts = { delivered: 0, errors: 0, closed: 0 };
      /** Subscriptions that have had an event, by socket and id. */
      const heard = new Set<string>();
      let firstError: Body = null;
      const started = performance.now();
      try {
        for (let i = 0; i * perSocket < fanout; i++) {
          // Each socket from an address of its own, as readers' sockets come, so no limit per address applies.
          const ws = await openSocket(server.wsUrl, 10_000, `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);
          sockets.push(ws);
          const socket = i;
          ws.on("message", (data) => {
            const message = JSON.parse(String(data)) as WsMessage;
            const errors = message.type === "error" ? message.payload : message.type === "next" ? message.payload?.errors : undefined;
            if (errors) {
              counts.errors += 1;
              firstError ??= Array.isArray(errors) ? errors[0] : errors;
            } else if (message.type === "next") {
              counts.delivered += 1;
              heard.add(`${socket}:${message.id}`);
            }
          });
          ws.once("close", () => (counts.closed += 1));
          for (let j = 0; j < perSocket && i * perSocket + j < fanout; j++) {
            ws.send(JSON.stringify({ id: `s${j}`, type: "subscribe", payload: { query, variables: { a: bench.articleId } } }));
          }
        }
      } catch (error) {
        for (const ws of sockets) ws.terminate();
        return { status: "WS refused", code: "—", ms: performance.now() - started, note: `after ${sockets.length} sockets: ${(error as Error).message}` };
      }
      const comment = (body: string) =>
        post(
          server.url,
          {
            query: 'mutation($a: ID!, $b: String!) { addComment(articleId: $a, body: $b, authorName: "Bench Reader") { comment { id } } }',
            variables: { a: bench.articleId, b: body },
          },
          timeoutMs,
          TOKEN,
        );
      const waitFor = async (total: number, limitMs: number) => {
        const deadline = performance.now() + limitMs;
        while (counts.delivered + counts.errors < total && counts.closed === 0 && performance.now() < deadline) await sleep(20);
      };
      // A subscription listens some time after its subscribe message: comments are posted until
      // every one has heard one (bounded by two minutes), and the stream is then let settle.
      const warmUntil = performance.now() + 120_000;
      while (heard.size < fanout && counts.closed === 0 && performance.now() < warmUntil) {
        await comment("Warming up the subscriptions.");
        await sleep(1_000);
      }
      let settled = -1;
      while (settled !== counts.delivered) {
        settled = counts.delivered;
        await sleep(1_000);
      }
      const warmed = heard.size;
      counts.delivered = 0;
      // The row's cheap reads span the whole attack, subscribing included; these only the deliveries.
      const victim = probeReads(server.url, timeoutMs);
      const sentAt = performance.now();
      let last: Answer | null = null;
      for (let i = 1; i <= fanoutEvents; i++) last = await comment(`Fan-out comment ${i} of ${fanoutEvents}.`);
      const postedMs = performance.now() - sentAt;
      const expected = fanoutEvents * fanout;
      await waitFor(expected, 300_000);
      const deliveredMs = performance.now() - sentAt;
      const victimReads = await victim.stop();
      for (const ws of sockets) ws.terminate();
      const complete = counts.delivered >= expected;
      return {
        status: last?.timedOut ? "—" : String(last?.status ?? "failed"),
        code: last === null || last.timedOut || last.status === null ? "—" : errorCode(last.body),
        ms: complete ? deliveredMs : Infinity,
        note:
          `time: from the first comment until all ${expected.toLocaleString("en-US")} events arrived (${fmtMs(deliveredMs, 1e9)}); ` +
          `${counts.delivered.toLocaleString("en-US")} delivered${complete ? "" : " (gave up)"}; the ${fanoutEvents} addComment took ${fmtMs(postedMs, 1e9)} in all; ` +
          `cheap reads while delivering: ${fmtMs(Math.max(...victimReads.latencies), timeoutMs)} max / ${fmtMs(median(victimReads.latencies), timeoutMs)} median ` +
          `(${victimReads.latencies.length} reads${victimReads.failed > 0 ? `, ${victimReads.failed} not 200` : ""}); ` +
          `${warmed}/${fanout} subscriptions warmed up` +
          (counts.errors > 0 ? `; ${counts.errors} errors (${firstError?.extensions?.code ?? "?"}: ${oneLine(String(firstError?.message ?? ""), 50)})` : "") +
          (counts.closed > 0 ? `; ${counts.closed} sockets closed by the server` : ""),
      };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Running one attack with its measurements, and the recovery after it

interface Row {
  title: string;
  status: string;
  code: string;
  time: string;
  reads: string;
  rss: string;
  back: string;
  note: string;
}

class Runner {
  private current: ServerChild;
  constructor(
    private readonly args: Args,
    private readonly database: Database,
    private readonly logPath: string,
    first: ServerChild,
  ) {
    this.current = first;
  }

  get server(): ServerChild {
    return this.current;
  }

  async restart(): Promise<void> {
    this.current.kill();
    await this.current.waitExit(10_000);
    await this.database.release();
    this.current = await ServerChild.start(this.args.server, this.database, this.logPath);
  }

  /**
   * A new process for every attack, so that its RSS and latencies are its own and not what an
   * earlier attack left behind; warmed up with a few ordinary reads first.
   */
  async fresh(): Promise<void> {
    await this.current.stop();
    await this.database.release();
    this.current = await ServerChild.start(this.args.server, this.database, this.logPath);
    for (let i = 0; i < WARM_UP_READS; i++) {
      await post(this.current.url, CHEAP, 10_000);
      await post(this.current.url, { query: "{ articles(first: 5) { nodes { title section tags { slug } commentCount } } }" }, 10_000);
    }
  }

  /** Waits until /health answers (any status: old builds have no such route) and a cheap read is served. */
  async recover(): Promise<string> {
    const started = performance.now();
    const deadline = started + RECOVERY_LIMIT_MS;
    while (performance.now() < deadline && !this.current.exit) {
      const health = await get(this.current.healthUrl, 2_000);
      if (health !== null) {
        const read = await post(this.current.url, CHEAP, 2_000);
        if (read.status === 200) return fmtMs(performance.now() - started, Infinity);
      }
      await sleep(250);
    }
    const why = this.current.exit
      ? `server exited (code ${this.current.exit.code}, ${this.current.exit.signal ?? "no signal"})`
      : `not back in ${RECOVERY_LIMIT_MS / 1000} s`;
    await this.restart();
    return `restarted: ${why}`;
  }

  async run(attack: Attack, articleId: string): Promise<Row> {
    await this.fresh();
    const server = this.current;
    const before = server.rssKb();
    const unexpectedBefore = server.unexpectedErrors;
    const sampler = sampleRss(() => server);
    const probe = probeReads(server.url, this.args.timeoutMs);
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await attack.run({ server: () => server, args: this.args, articleId });
    } catch (error) {
      outcome = { status: "—", code: "—", ms: performance.now() - started, note: `bench error: ${(error as Error).message}` };
    }
    // At least a second of cheap reads, so a quick refusal still gets a fair sample.
    const elapsed = performance.now() - started;
    if (elapsed < 1_000) await sleep(1_000 - elapsed);
    // Recovery is timed from the attack's end, while the cheap reads still out come back.
    const [reads, back] = await Promise.all([probe.stop(), this.recover()]);
    const unexpected = server.unexpectedErrors - unexpectedBefore;
    sampler.stop();
    const finite = reads.latencies.filter(Number.isFinite);
    const timedOut = reads.latencies.length - finite.length;
    const max = timedOut > 0 ? Infinity : Math.max(...finite);
    const readText =
      `${fmtMs(max, this.args.timeoutMs)} / ${fmtMs(median(reads.latencies), this.args.timeoutMs)} (${reads.latencies.length} reads` +
      `${timedOut > 0 ? `, ${timedOut} aborted` : ""}${reads.failed - timedOut > 0 ? `, ${reads.failed - timedOut} not 200` : ""}` +
      `${reads.skipped > 0 ? `, ${reads.skipped} not sent` : ""})`;
    const notes = [outcome.note];
    if (unexpected > 0) notes.push(`server logged ${unexpected} unexpected error${unexpected === 1 ? "" : "s"}`);
    return {
      title: typeof attack.title === "string" ? attack.title : attack.title(this.args),
      status: outcome.status,
      code: outcome.code,
      time: fmtMs(outcome.ms, this.args.timeoutMs),
      reads: readText,
      rss: outcome.rss ?? `${fmtMb(sampler.peak())} (from ${fmtMb(before)})`,
      back,
      note: notes.join("; "),
    };
  }
}

function table(rows: Row[]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const lines = [
    "| attack | HTTP | code | time | cheap reads meanwhile: max / median | server RSS peak | back after | note |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    lines.push(`| ${[row.title, row.status, row.code, row.time, row.reads, row.rss, row.back, row.note].map(cell).join(" | ")} |`);
  }
  return lines.join("\n");
}

function describeBuild(root: string): string {
  try {
    return execFileSync("git", ["-C", root, "log", "-1", "--format=%h %s"], { encoding: "utf8" }).trim();
  } catch {
    return "not a git checkout";
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const attacks = args.only ? ATTACKS.filter((attack) => args.only?.includes(attack.id)) : ATTACKS;
  if (args.only && attacks.length !== args.only.length) {
    throw new Error(`unknown attack in --only; the ids are ${ATTACKS.map((attack) => attack.id).join(", ")}`);
  }
  const progress = (text: string) => process.stderr.write(`${text}\n`);
  const work = await mkdtemp(join(tmpdir(), "threadline-hostile-"));
  const logPath = join(work, "server.log");
  let database: Database | null = null;
  let runner: Runner | null = null;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      progress(`${signal}: ending the server and removing the database`);
      for (const child of liveChildren) child.kill("SIGKILL");
      void (async () => {
        await database?.drop().catch(() => undefined);
        await rm(work, { recursive: true, force: true });
        process.exit(130);
      })();
    });
  }
  try {
    const dumps = join(work, "dumps");
    await mkdir(dumps);
    progress(`generating ${args.count} dumps in ${dumps}`);
    const bytes = await generateDumps(dumps, args.count);
    await cp(join(PROJECT_ROOT, "seeds"), join(dumps, "seeds"), { recursive: true });

    database = args.engine === "postgres" ? await postgresDatabase(args.databaseUrl) : await sqliteDatabase(work);
    progress(`seeding ${database.describe} with ${join(args.server, "dist/src/ingest/cli.js")}`);
    const seeded = await seed(args.server, database, dumps);
    if (seeded.code !== 0 && seeded.code !== 1) throw new Error(`the seed CLI failed (exit ${seeded.code}):\n${seeded.report}`);

    const first = await ServerChild.start(args.server, database, logPath);
    runner = new Runner(args, database, logPath, first);
    const found = await post(first.url, { query: "{ articles(first: 1) { totalCount nodes { id } } }" }, 10_000);
    const articleId: string = found.body?.data?.articles?.nodes?.[0]?.id;
    const articleCount: number = found.body?.data?.articles?.totalCount;
    if (!articleId) throw new Error(`no article to attack: ${JSON.stringify(found.body)}`);
    const health = await get(first.healthUrl, 5_000);

    console.log(`# Hostile requests against ${args.server}`);
    console.log(`build: ${describeBuild(args.server)}`);
    console.log(`engine: ${database.describe}; NODE_ENV=production; node ${process.version}; GET /health: ${health ?? "no answer"}`);
    console.log(
      `data: ${articleCount} articles, from ${args.count} generated dumps (${fmtBytes(bytes)}) plus seeds/, imported by that build's seed CLI ` +
        `in ${fmtMs(seeded.ms, Infinity)} (exit ${seeded.code}: ${oneLine(seeded.report.split("\n")[0] ?? "", 100)})`,
    );
    console.log(
      `each attack: answer aborted at ${args.timeoutMs / 1000} s; a cheap read (\`${CHEAP.query}\`) sent every ${PROBE_INTERVAL_MS} ms ` +
        `meanwhile; RSS sampled every 100 ms from /proc; then /health and a cheap read must answer (restart after ${RECOVERY_LIMIT_MS / 1000} s). ` +
        `Every attack gets a freshly started server, warmed up with ${WARM_UP_READS * 2} ordinary reads.`,
    );
    console.log("");

    const rows: Row[] = [];
    for (const [i, attack] of attacks.entries()) {
      progress(`[${i + 1}/${attacks.length}] ${attack.id}`);
      const row = await runner.run(attack, articleId);
      progress(`    ${row.status} ${row.code} in ${row.time}; reads ${row.reads}; RSS ${row.rss}; back ${row.back}; ${row.note}`);
      rows.push(row);
    }
    console.log(table(rows));
  } finally {
    await runner?.server.stop();
    await database?.drop().catch((error: Error) => progress(`could not drop the database: ${error.message}`));
    if (process.env.BENCH_KEEP) progress(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
