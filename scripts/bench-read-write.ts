/**
 * `npm run bench:read-write -- [--seconds S] [--rounds R] [--clients C] [--readers N]` (defaults
 * 1, 10, 8, 2): SQLite read throughput with and without a concurrent import, in two modes
 * measured in one run:
 *
 * - "shared": reads go to the writer's connection (`readers: 0`), as before read isolation; a
 *   read that arrives during an import runs inside its transaction;
 * - "readers": reads go to N read-only WAL connections of their own (the default).
 *
 * Each mode serves its own copy of one seeded file. C clients each send a front-page list and an
 * article page in turn, through the real Apollo server (executeOperation), for S seconds; with
 * import, a writer meanwhile imports 3,000-comment dumps through the importDump mutation, one
 * after another. Short phases alternate between the modes R times, so load from elsewhere on
 * the machine falls on both. Prints requests/s, p50/p99 latency and imports finished per mode,
 * and the ratios readers ÷ shared (median over rounds of phases run back to back).
 */
import { benchConfig } from "./bench-config";
import "reflect-metadata";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SQLITE_READERS, openDataSource } from "../src/db/data-source";
import { withQueryTally } from "../src/db/query-counter";
import { createLocalEvents } from "../src/events/comment-events";
import type { ParsedArticle } from "../src/ingest/dump.types";
import { importArticles } from "../src/ingest/import";
import { renderDump } from "../src/ingest/render-dump";
import { createServer, ThreadlineServer } from "../src/server";
import { writeLaneBench } from "./bench-write-lane";

const ARTICLES = 300;
const COMMENTS = 30;
const IMPORT_COMMENTS = 3000;
const TOKEN = "bench-token-0123456789";

const LIST = `query List {
  articles(first: 20) { totalCount nodes { id slug title section publishedAt commentCount tags { name slug } } }
}`;
const PAGE = `query Page($slug: String!) {
  article(slug: $slug) {
    title paragraphs dateline tags { name slug } relatedLinks { title article { slug } }
    commentCount
    comments(first: 10) { totalCount nodes { id body hasAvatar createdAt replyCount author { name } } }
  }
}`;
const IMPORT = `mutation($text: String!) { importDump(text: $text) { status article { id commentCount } } }`;

interface Args {
  seconds: number;
  rounds: number;
  clients: number;
  readers: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 1, rounds: 10, clients: 8, readers: DEFAULT_SQLITE_READERS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = Number(inline ?? argv[++i]);
    const key = flag.replace(/^--/, "") as keyof Args;
    if (!(key in args) || !flag.startsWith("--")) throw new Error(`unknown argument ${argv[i]}; use --seconds S --rounds R --clients C --readers N`);
    if (!(value > 0)) throw new Error(`${flag} needs a positive number`);
    args[key] = value;
  }
  return args;
}

function article(i: number, comments: number, title = `Read-write benchmark story ${i}`, year = 2019): ParsedArticle {
  return {
    title,
    publishedAt: new Date(Date.UTC(year, 0, 1, 0, i % 100_000)),
    section: ["World", "Business", "Science & Tech"][i % 3],
    imageCaption: null,
    imageCredit: null,
    dateline: null,
    paragraphs: Array.from({ length: 8 }, (_, p) => `Paragraph ${p} of story ${i}, long enough to read like the news of the day.`),
    relatedLinks: [{ title: `Read-write benchmark story ${i + 1}` }, { title: "A headline nobody wrote" }],
    tags: ["World", `Topic ${i % 11}`, `Region ${i % 5}`],
    comments: Array.from({ length: comments }, (_, c) => ({
      author: c % 4 ? `Reader ${(i * 7 + c) % 400}` : null,
      hasAvatar: c % 4 !== 0,
      body: `Comment ${c} on story ${i}: a reader's view, a sentence or two long.`,
    })),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

type Mode = "shared" | "readers";
type Load = "idle" | "import";

interface Phase {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Imports finished within the phase, and its length in seconds. */
  imports: number;
  seconds: number;
}

async function execute(server: ThreadlineServer, query: string, variables: Record<string, unknown>, token?: string): Promise<void> {
  const tally = { count: 0 };
  const response = await withQueryTally(tally, async () =>
    server.apollo.executeOperation({ query, variables }, { contextValue: await server.context(token ? `Bearer ${token}` : undefined, tally) }),
  );
  if (response.body.kind !== "single" || response.body.singleResult.errors) throw new Error(JSON.stringify(response.body));
}

/** A server on its own copy of the seeded file, with reads on the writer's connection or on readers. */
async function startMode(seeded: string, dir: string, mode: Mode, args: Args) {
  const path = join(dir, `${mode}.sqlite`);
  copyFileSync(seeded, path);
  const db = await openDataSource({ type: "sqlite", path }, { readers: mode === "shared" ? 0 : args.readers });
  const config = benchConfig({ type: "sqlite", path }, TOKEN);
  const server = await createServer(config, db, createLocalEvents());
  const slugs = (await db.query(`SELECT "slug" FROM article ORDER BY "id"`)).map((row: { slug: string }) => row.slug) as string[];
  return {
    server,
    slugs,
    imported: 0,
    async close() {
      await server.stop();
      await db.destroy();
    },
  };
}
type Running = Awaited<ReturnType<typeof startMode>>;

/** Readers for `args.seconds`, with or without an import running meanwhile. */
async function phase(target: Running, load: Load, args: Args): Promise<Phase> {
  let stop = false;
  let imports = 0;
  const writer = (async () => {
    while (load === "import" && !stop) {
      // Dated long before the seeded stories, so the list page the readers fetch stays the same.
      const n = target.imported++;
      await execute(target.server, IMPORT, { text: renderDump(article(n, IMPORT_COMMENTS, `Imported during the benchmark, number ${n}`, 2001)) }, TOKEN);
      if (!stop) imports += 1;
    }
  })();
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  const deadline = Date.now() + args.seconds * 1000;
  await Promise.all(
    Array.from({ length: args.clients }, async (_, client) => {
      for (let i = client; Date.now() < deadline; i++) {
        const begun = process.hrtime.bigint();
        await execute(target.server, i % 2 ? LIST : PAGE, { slug: target.slugs[(i * 37) % target.slugs.length] });
        latencies.push(Number(process.hrtime.bigint() - begun) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  stop = true;
  await writer;
  latencies.sort((a, b) => a - b);
  return { requestsPerSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), imports, seconds: elapsed };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "threadline-bench-rw-"));
  const running: Running[] = [];
  try {
    const seeded = join(dir, "seeded.sqlite");
    const seeding = await openDataSource({ type: "sqlite", path: seeded }, { readers: 0 });
    await importArticles(
      seeding,
      Array.from({ length: ARTICLES }, (_, i) => article(i, COMMENTS)),
    );
    // Closing folds the WAL into the file, so a plain copy of it is the whole database.
    await seeding.destroy();

    const modes: Mode[] = ["shared", "readers"];
    const loads: Load[] = ["idle", "import"];
    const servers = new Map<Mode, Running>();
    for (const mode of modes) {
      const started = await startMode(seeded, dir, mode, args);
      running.push(started);
      servers.set(mode, started);
      for (let i = 0; i < 50; i++) await execute(started.server, i % 2 ? LIST : PAGE, { slug: started.slugs[i] }); // warm-up
    }

    // Short phases that alternate modes, so that whatever else the machine does falls on both.
    const results = new Map<string, Phase[]>();
    for (let round = 0; round < args.rounds; round++) {
      for (const load of loads) {
        for (const mode of round % 2 ? [...modes].reverse() : modes) {
          const key = `${mode}/${load}`;
          results.set(key, [...(results.get(key) ?? []), await phase(servers.get(mode)!, load, args)]);
        }
      }
    }

    const of = (mode: Mode, load: Load) => results.get(`${mode}/${load}`)!;
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const summary = (mode: Mode, load: Load) => ({
      rps: median(of(mode, load).map((p) => p.requestsPerSecond)),
      p50: median(of(mode, load).map((p) => p.p50)),
      p99: median(of(mode, load).map((p) => p.p99)),
      // A phase finishes only a few imports, so they are totalled over all rounds.
      imports: sum(of(mode, load).map((p) => p.imports)) / sum(of(mode, load).map((p) => p.seconds)),
    });
    /** Median over rounds of readers ÷ shared, each ratio from phases run back to back. */
    const pairedRatio = (load: Load) => median(of("readers", load).map((p, round) => p.requestsPerSecond / of("shared", load)[round].requestsPerSecond));

    console.log(
      `read-under-write on a SQLite file: ${ARTICLES} articles x ${COMMENTS} comments; ${args.clients} clients alternating a ` +
        `20-article list and an article page; imports of ${IMPORT_COMMENTS}-comment dumps one after another; ` +
        `${args.rounds} rounds of ${args.seconds} s phases; medians`,
    );
    for (const mode of modes) {
      const label =
        mode === "shared" ? "shared   (reads on the writer's connection)" : `readers  (${args.readers} read-only connection${args.readers === 1 ? "" : "s"})`;
      console.log(`  ${label}`);
      for (const load of loads) {
        const s = summary(mode, load);
        const imports = load === "import" ? `, ${s.imports.toFixed(2)} imports/s` : "";
        console.log(
          `    ${load === "idle" ? "no import  " : "with import"}: ${s.rps.toFixed(0).padStart(5)} req/s, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms${imports}`,
        );
      }
    }
    console.log(
      `  readers / shared: req/s ${pairedRatio("idle").toFixed(2)} without import, ${pairedRatio("import").toFixed(2)} with import; ` +
        `imports/s ${(summary("readers", "import").imports / summary("shared", "import").imports).toFixed(2)}`,
    );
  } finally {
    for (const started of running) await started.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

(process.argv.includes("--writes") ? writeLaneBench(process.argv.slice(2)) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
