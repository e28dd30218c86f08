/**
 * `npm run bench:import -- [--count N] [--runs R]`: seeds a fresh SQLite file from N generated dumps
 * through the same path as `npm run seed` (collectDumpFiles + importFiles), R times, and prints
 * throughput per run and the median. Target: 10,000 dumps at >= 300 dumps/s.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDataSource } from "../src/db/data-source";
import type { ParsedArticle, ParsedComment } from "../src/ingest/dump.types";
import { collectDumpFiles, importFiles } from "../src/ingest/import-files";
import { DumpError, parseDump } from "../src/ingest/parse-dump";
import { renderDump } from "../src/ingest/render-dump";

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

/** Seeded PRNG (mulberry32), so every run and every machine benchmarks the same dumps. */
function makeRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  return { next, int, pick };
}
type Random = ReturnType<typeof makeRandom>;

const WORDS = (
  "the of and to in a is that for on with as by was from at government said minister talks " +
  "military economy border agreement security sanctions president officials report meeting " +
  "energy pipeline market election parliament opposition troops region city council summit " +
  "statement press ministry foreign defense trade export import growth crisis forces strike " +
  "negotiations treaty nuclear oil gas prices weather flood bridge railway airport satellite"
).split(" ");
const FIRST = [
  "Anna", "Boris", "Chen", "Dmitri", "Elena", "Farid", "Giorgos", "Hana", "Ivan", "José", "Karin",
  "Liam", "Marta", "Nikolai", "Olga", "Pierre", "Qiang", "Rosa", "Sergei", "Tomás", "Uwe", "Vera",
  "Wei", "Xenia", "Yusuf", "Zoë", "Дмитрий", "Светлана", "王", "李", "Ümit", "Øystein",
];
const LAST = ["K.", "L.", "M.", "P.", "S.", "V.", "_77", "Smith", "Соколов", "小明", "O'Brien", "Álvarez"];
const NAMES = FIRST.flatMap((first) => LAST.map((last) => `${first} ${last}`)).slice(0, 300);
const TAGS = [
  ...["Russia", "Syria", "China", "USA", "EU", "NATO", "Iran", "Turkey", "Ukraine", "Germany", "France"],
  ...["Donald Trump", "Vladimir Putin", "oil prices", "sanctions", "space", "Arctic", "Daesh", "trade war"],
  ...["Москва", "中国", "Economy", "Military", "Elections", "Energy", "Climate", "Transport", "Science"],
  ...Array.from({ length: 150 }, (_, i) => `Topic ${i + 1}`),
];
const SECTIONS = ["World", "Russia", "Military & Intelligence", "Politics", "Business", "Science & Tech", "Society"];

function sentence(random: Random, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(random.pick(WORDS));
  // Capitalised but never ALL CAPS: an upper-case opening word before a dash would read as a dateline.
  out[0] = out[0][0].toUpperCase() + out[0].slice(1);
  return `${out.join(" ")}.`;
}

function comment(random: Random): ParsedComment {
  const roll = random.next();
  const text = () => sentence(random, random.int(8, 60));
  if (roll < 0.25) return { author: null, hasAvatar: false, body: text() };
  if (roll < 0.4) return { author: null, hasAvatar: true, body: text() };
  // Named commenters sometimes write several paragraphs.
  const body = random.next() < 0.2 ? `${text()}\n\n${text()}` : text();
  return { author: random.pick(NAMES), hasAvatar: true, body };
}

function article(random: Random, index: number): ParsedArticle {
  const title = `${sentence(random, random.int(5, 11)).slice(0, -1)} (${index + 1})`;
  const withPhoto = random.next() < 0.7;
  const tags = new Set<string>();
  const tagCount = random.int(2, 6);
  while (tags.size < tagCount) tags.add(random.pick(TAGS));
  return {
    title,
    publishedAt: new Date(Date.UTC(2016, 0, 1) + random.int(0, 3 * 365 * 24 * 60) * 60_000),
    section: random.pick(SECTIONS),
    imageCaption: withPhoto ? sentence(random, random.int(6, 14)) : null,
    imageCredit: withPhoto ? `© Sputnik/ ${random.pick(NAMES)}` : null,
    dateline: null,
    paragraphs: Array.from({ length: random.int(4, 10) }, () => sentence(random, random.int(30, 90))),
    relatedLinks: Array.from({ length: random.int(0, 4) }, () => ({ title: sentence(random, random.int(5, 10)).slice(0, -1) })),
    tags: [...tags],
    comments: Array.from({ length: random.int(20, 50) }, () => comment(random)),
  };
}

async function generate(folder: string, count: number): Promise<number> {
  const random = makeRandom(20170224);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const text = renderDump(article(random, i), {
      // A share of scraper-style variants, so the parser works as it does on real folders.
      crlf: i % 10 === 0,
      bom: i % 7 === 0,
      utcOffsetHours: random.pick([3, 3, 3, 0, 1, 5, -5, 10]),
      footerCount: random.int(0, 5),
    });
    bytes += Buffer.byteLength(text);
    await writeFile(join(folder, `${String(i).padStart(6, "0")}.txt`), text);
  }
  return bytes;
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
    const bytes = await generate(dumps, args.count);
    console.log(
      `generated ${fmt(args.count)} dumps (${fmt(bytes / 1024 / 1024, 1)} MiB) in ${fmt((performance.now() - generatedAt) / 1000, 2)} s`,
    );

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
