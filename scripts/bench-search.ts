/**
 * `npm run bench:search`: search at scale. Builds 100,000 articles and 1,000,000 comments (10 per
 * article) from generated dumps, through the project's own renderer, parser and importer (which
 * fills the search index as it imports), into a SQLite file kept in the temporary folder for the
 * next run; then times ten representative searches through the real Apollo server and prints p50
 * and p95 for each, as `Query.search` and as `articles(where: { search })`, beside the LIKE scan
 * that `where.search` used to be, and both lists again with `boundedCount` instead of
 * `totalCount`, in the same rounds.
 *
 * BENCH_DATABASE_URL=postgres://... builds and measures on PostgreSQL instead (its schema is kept
 * between runs too). BENCH_ARTICLES shrinks the corpus for a quick look; BENCH_RUNS sets the
 * timed runs per query (default 30).
 */
import { benchConfig } from "./bench-config";
import "reflect-metadata";
import { existsSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Database, openDataSource } from "../src/db/data-source";
import { createLocalEvents } from "../src/events/comment-events";
import type { ParsedArticle } from "../src/ingest/dump.types";
import { importArticles } from "../src/ingest/import";
import { DumpError, parseDump } from "../src/ingest/parse-dump";
import { renderDump } from "../src/ingest/render-dump";
import { createServer } from "../src/server";

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 100_000);
const COMMENTS_PER_ARTICLE = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const BATCH = 500;
/** Bumped when the generated corpus changes, so a cached file of the old one is not reused. */
const CORPUS_VERSION = 2;
const CORPUS_SEED = 20_240_101;

/** Seeded PRNG (mulberry32): every run and every machine benchmarks the same corpus. */
function makeRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** News words, most frequent first, then a long tail of made-up words so rare words exist. */
const NEWS = (
  "the of and to in a said that for on is with was by government people minister president year new " +
  "would it from as at his have has are will be an not but they this which their more after had been " +
  "election elections economy security police war peace talks country state officials military city " +
  "report percent market oil prices sanctions trade deal foreign ministry court law health vaccine " +
  "climate summit energy gas pipeline border refugees army troops attack forces defence council union " +
  "prime parliament vote voters campaign party leader opposition protest protesters crisis bank rates " +
  "inflation growth budget tax workers strike company shares investors technology internet software " +
  "satellite space station launch mission scientists research study university students school teachers " +
  "football match team season coach players fans festival film music museum history century weather storm " +
  "flood fire drought harvest farmers food water electricity metro railway airport flight passengers " +
  "ship port arctic route ice region village capital province district mayor governor spokesman agency " +
  "москва россия выборы правительство президент министр экономика город страна новости " +
  "São Paulo Zürich Łódź Kraków Ürümqi Málaga Besançon Brașov Škoda Citroën"
).split(/\s+/);

function makeVocabulary(random: () => number): string[] {
  const syllables = ["ka", "lo", "mi", "ne", "tor", "val", "zen", "dra", "pum", "sel", "vik", "qua", "ber", "sto", "nix", "ral"];
  const tail = new Set<string>();
  while (tail.size < 30_000) {
    const n = 2 + Math.floor(random() * 3);
    let word = "";
    for (let i = 0; i < n; i++) word += syllables[Math.floor(random() * syllables.length)];
    tail.add(word);
  }
  return [...NEWS, ...tail];
}

/** Set phrases news repeats, so that phrase searches have something to find. */
const PHRASES = ["prime minister", "oil prices rose", "united nations", "central bank", "security council", "foreign ministry said"];

/**
 * Word ranks spread like a language's: log-uniform, so a few words are everywhere and most are
 * rare; one sentence in four carries a set phrase.
 */
function sentence(random: () => number, vocabulary: string[], words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(vocabulary[Math.floor(Math.exp(random() * Math.log(vocabulary.length))) - 1]);
  if (random() < 0.25) out.splice(Math.floor(random() * out.length), 0, PHRASES[Math.floor(random() * PHRASES.length)]);
  const text = out.join(" ");
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

function article(random: () => number, vocabulary: string[], index: number): ParsedArticle {
  const words = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  return {
    title: `${sentence(random, vocabulary, words(5, 9)).slice(0, -1)} (${index})`,
    publishedAt: new Date(Date.UTC(2015, 0, 1) + index * 600_000),
    section: ["World", "Russia", "Business", "Science", "Sport", "Politics", "Middle East", "Asia", "Europe", "Society"][index % 10],
    imageCaption: null,
    imageCredit: null,
    dateline: null,
    paragraphs: Array.from({ length: words(4, 7) }, () => sentence(random, vocabulary, words(20, 45))),
    relatedLinks: [],
    tags: [`Topic ${index % 500}`, `Region ${index % 37}`, ["Elections", "Economy", "Military", "Energy", "Space"][index % 5]],
    comments: Array.from({ length: COMMENTS_PER_ARTICLE }, (_, c) => ({
      author: `Reader ${(index * 7 + c) % 5000}`,
      hasAvatar: true,
      body: sentence(random, vocabulary, words(8, 40)),
    })),
  };
}

async function build(db: Database): Promise<void> {
  const random = makeRandom(CORPUS_SEED);
  const vocabulary = makeVocabulary(random);
  const started = performance.now();
  for (let start = 0; start < ARTICLES; start += BATCH) {
    const batch: ParsedArticle[] = [];
    for (let i = start; i < Math.min(ARTICLES, start + BATCH); i++) {
      const parsed = parseDump(renderDump(article(random, vocabulary, i)), `bench-${i}.txt`);
      if (parsed instanceof DumpError) throw parsed;
      batch.push(parsed.article);
    }
    const results = await importArticles(db, batch);
    const failed = results.find((result) => result instanceof Error);
    if (failed) throw failed;
    const done = Math.min(ARTICLES, start + BATCH);
    if (done % 10_000 === 0 || done === ARTICLES) {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(`  built ${done} articles, ${done * COMMENTS_PER_ARTICLE} comments in ${seconds.toFixed(0)} s\n`);
    }
  }
  if (db.options.type === "sqlite") {
    // What a long-lived index gets from FTS5's automatic merging over time, done at once.
    await db.query(`INSERT INTO search_article (search_article) VALUES ('optimize')`);
    await db.query(`INSERT INTO search_comment (search_comment) VALUES ('optimize')`);
  } else {
    await db.query(`ANALYZE`);
  }
  process.stderr.write(`built in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

const queries = (rare: string): [string, string][] => [
  ["one word", "election"],
  ["one word, common", "government"],
  ["two words", "oil sanctions"],
  ["two words, common", "minister said"],
  ["phrase", '"prime minister"'],
  ["phrase, three words", '"oil prices rose"'],
  ["prefix", "sanction*"],
  ["exclusion", "election -russia"],
  ["Cyrillic", "москва"],
  ["rare word", rare],
];

const SEARCH = `query($q: String!) { search(query: $q, first: 10) { totalCount edges { cursor score node { __typename ... on Article { id title } ... on Comment { id body } } highlights { field fragment ranges { start length } } } } }`;

/** An article list filtered by the same search, newest first (its default order), as a section page with a search box asks for it. */
const ARTICLES_SEARCH = `query($q: String!) { articles(first: 10, where: { search: $q }) { totalCount nodes { id title publishedAt } } }`;

/** The same two lists with a count that stops at 1,000 (boundedCount), as a results page that shows "1,000+" asks for them. */
const SEARCH_BOUNDED = SEARCH.replace("totalCount", "boundedCount { count isExact }");
const ARTICLES_BOUNDED = ARTICLES_SEARCH.replace("totalCount", "boundedCount { count isExact }");

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** What `articles(where: { search })` ran before the index: one LIKE per word over lower-cased text, newest first, and the count. */
async function likeSearch(db: Database, text: string): Promise<number> {
  const words = text
    .replace(/["*]/g, "")
    .split(/\s+/)
    .filter((w) => w && !w.startsWith("-"));
  const p = (n: number) => (db.options.type === "postgres" ? `$${n}` : "?");
  const where = words.map((_, i) => `"searchText" LIKE ${p(i + 1)} ESCAPE '\\'`).join(" AND ");
  const params = words.map((w) => `%${w.toLowerCase()}%`);
  await db.query(`SELECT "id" FROM "article" WHERE ${where} ORDER BY "publishedAt" DESC, "id" DESC LIMIT 21`, params);
  const [row] = await db.query(`SELECT COUNT(*) AS n FROM "article" WHERE ${where}`, params);
  return Number(row.n);
}

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  const file = join(tmpdir(), `threadline-bench-search-v${CORPUS_VERSION}-${ARTICLES}.sqlite`);
  const cached = !url && existsSync(file);
  const db = await openDataSource(url ? { type: "postgres", url } : { type: "sqlite", path: file });
  try {
    const [{ n }] = await db.query(`SELECT COUNT(*) AS n FROM "article"`);
    if (Number(n) < ARTICLES) {
      process.stderr.write(`building ${ARTICLES} articles and ${ARTICLES * COMMENTS_PER_ARTICLE} comments on ${url ? "PostgreSQL" : file}\n`);
      await build(db);
    } else {
      process.stderr.write(`using the corpus already built${cached ? ` in ${file}` : ""}\n`);
    }
    const config = benchConfig(url ? { type: "postgres" as const, url } : { type: "sqlite" as const, path: file });
    const server = await createServer(config, db, createLocalEvents());
    const run = async (query: string, field: "search" | "articles", q: string) => {
      const started = performance.now();
      const response = await server.apollo.executeOperation({ query, variables: { q } }, { contextValue: await server.context(undefined) });
      const ms = performance.now() - started;
      if (response.body.kind !== "single" || response.body.singleResult.errors) throw new Error(JSON.stringify(response.body));
      const list = (response.body.singleResult.data as Record<string, { totalCount?: number; boundedCount?: { count: number; isExact: boolean } }>)[field];
      const total = list.boundedCount ? `${list.boundedCount.count}${list.boundedCount.isExact ? "" : "+"}` : String(list.totalCount);
      return { ms, total };
    };
    const search = (q: string) => run(SEARCH, "search", q);
    const articles = (q: string) => run(ARTICLES_SEARCH, "articles", q);
    const searchBounded = (q: string) => run(SEARCH_BOUNDED, "search", q);
    const articlesBounded = (q: string) => run(ARTICLES_BOUNDED, "articles", q);
    const like = async (q: string) => {
      const started = performance.now();
      const total = await likeSearch(db, q);
      return { ms: performance.now() - started, total: String(total) };
    };

    // The made-up word of the highest rank the generator draws (it never draws the very last): the rarest.
    const vocabulary = makeVocabulary(makeRandom(CORPUS_SEED));
    const list = queries(vocabulary[vocabulary.length - 2]);
    // Round robin, so that load from elsewhere on the machine falls on every query alike. Each
    // variant's runs: [hits, times]; the LIKE scan (slow, and only a reference) runs a fifth as often.
    const variants = [search, articles, like, searchBounded, articlesBounded];
    const times = list.map(() => variants.map(() => ({ hits: "", runs: [] as number[] })));
    for (const [, q] of list) for (let i = 0; i < 2; i++) await Promise.all([search(q), articles(q), searchBounded(q), articlesBounded(q)]);
    const likeRuns = Math.max(3, Math.floor(RUNS / 5));
    for (let round = 0; round < RUNS; round++) {
      for (const [index, [, q]] of list.entries()) {
        for (const [v, variant] of variants.entries()) {
          if (variant === like && round >= likeRuns) continue;
          const result = await variant(q);
          times[index][v].runs.push(result.ms);
          times[index][v].hits = result.total;
        }
      }
    }
    const load = loadavg()
      .map((n) => n.toFixed(1))
      .join(" ");
    console.log(
      `\n${url ? "PostgreSQL" : "SQLite"}: ${ARTICLES} articles, ${ARTICLES * COMMENTS_PER_ARTICLE} comments; ${RUNS} runs per query (LIKE: ${likeRuns}); load average ${load}`,
    );
    const columns = (hits: string, p50: string, p95: string) => `${hits.padStart(8)} ${p50.padStart(8)} ${p95.padStart(8)}`;
    const figures = ({ hits, runs }: { hits: string; runs: number[] }) => columns(hits, percentile(runs, 50).toFixed(1), percentile(runs, 95).toFixed(1));
    const head = columns("hits", "p50 ms", "p95 ms");
    const table = (title: string, shown: number[]) => {
      console.log(`\n${title}`);
      console.log(`${"query".padEnd(36)} ${shown.map(() => head).join(" | ")}`);
      list.forEach(([name, q], index) => console.log(`${`${name}: ${q}`.padEnd(36)} ${shown.map((v) => figures(times[index][v])).join(" | ")}`));
    };
    table(
      "Query.search (first: 10, totalCount, highlights) | articles(first: 10, where: { search }, totalCount), newest first | old LIKE over article text (SQL only)",
      [0, 1, 2],
    );
    table("The same two with boundedCount (at most 1,000; 1000+ when there are more) instead of totalCount", [3, 4]);
    await server.stop();
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
