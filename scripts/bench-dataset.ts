/**
 * The read benchmarks' dataset: 1,000 generated articles (about 5.8 KB of stored text each), 30
 * top-level comments under each and 1 to 5 replies under every comment, in a SQLite file.
 *
 * Articles go in through the importer and replies through addComment, the service's own write
 * paths, so whatever those paths maintain besides the rows is right in the file. Building takes a
 * few minutes, so the file is kept in the temporary folder under a name that changes with the
 * generator; runs copy it and never write to it.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addComment } from "../src/discussion/comments";
import { openDataSource } from "../src/db/data-source";
import { createLocalEvents } from "../src/events/comment-events";
import type { ParsedArticle, ParsedComment } from "../src/ingest/dump.types";
import { importArticles } from "../src/ingest/import";

/** Bump when the generator changes, so an old cached file is not taken for the new data. */
const DATASET_VERSION = 1;

export const DATASET = { articles: 1_000, comments: 30, minReplies: 1, maxReplies: 5 } as const;

/** Seeded PRNG (mulberry32): every run and every machine benchmarks the same data. */
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
const FIRST = ["Anna", "Boris", "Chen", "Dmitri", "Elena", "Farid", "Giorgos", "Hana", "Ivan", "José", "Karin", "Liam", "Marta", "Nikolai", "Olga", "Pierre", "Qiang", "Rosa", "Sergei", "Tomás", "Uwe", "Vera", "Wei", "Xenia", "Yusuf"];
const LAST = ["K.", "L.", "M.", "P.", "S.", "V.", "Smith", "Соколов", "O'Brien", "Álvarez", "Ng", "Berg"];
const NAMES = FIRST.flatMap((first) => LAST.map((last) => `${first} ${last}`));
const TAGS = [
  ...["Russia", "Syria", "China", "USA", "EU", "NATO", "Iran", "Turkey", "Ukraine", "Germany", "France"],
  ...["Donald Trump", "Vladimir Putin", "oil prices", "sanctions", "space", "Arctic", "Daesh", "trade war"],
  ...Array.from({ length: 120 }, (_, i) => `Topic ${i + 1}`),
];
const SECTIONS = ["World", "Russia", "Military & Intelligence", "Politics", "Business", "Science & Tech", "Society"];

function sentence(random: Random, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(random.pick(WORDS));
  out[0] = out[0][0].toUpperCase() + out[0].slice(1);
  return `${out.join(" ")}.`;
}

function titleOf(random: Random, index: number): string {
  return `${sentence(random, random.int(5, 10)).slice(0, -1)} (${index + 1})`;
}

function comment(random: Random): ParsedComment {
  const named = random.next() < 0.75;
  return { author: named ? random.pick(NAMES) : null, hasAvatar: named, body: sentence(random, random.int(8, 50)) };
}

function article(random: Random, index: number, titles: string[]): ParsedArticle {
  const withPhoto = random.next() < 0.7;
  const tags = new Set<string>();
  const tagCount = random.int(2, 6);
  while (tags.size < tagCount) tags.add(random.pick(TAGS));
  // Half the related headlines name another article, so RelatedLink.article finds one.
  const relatedLinks = Array.from({ length: random.int(1, 4) }, () => ({
    title: random.next() < 0.5 ? titles[random.int(0, titles.length - 1)] : sentence(random, random.int(5, 9)).slice(0, -1),
  }));
  return {
    title: titles[index],
    publishedAt: new Date(Date.UTC(2016, 0, 1) + index * 3_600_000 + random.int(0, 59) * 60_000),
    section: random.pick(SECTIONS),
    imageCaption: withPhoto ? sentence(random, random.int(6, 14)) : null,
    imageCredit: withPhoto ? `© Sputnik/ ${random.pick(NAMES)}` : null,
    dateline: null,
    paragraphs: Array.from({ length: random.int(5, 9) }, () => sentence(random, random.int(50, 80))),
    relatedLinks: relatedLinks.filter((link, i) => relatedLinks.findIndex((other) => other.title === link.title) === i),
    tags: [...tags],
    comments: Array.from({ length: DATASET.comments }, () => comment(random)),
  };
}

async function build(path: string, log: (line: string) => void): Promise<void> {
  const random = makeRandom(20170224);
  const titles = Array.from({ length: DATASET.articles }, (_, i) => titleOf(random, i));
  const db = await openDataSource({ type: "sqlite", path }, { readers: 0 });
  try {
    const started = performance.now();
    const articles = Array.from({ length: DATASET.articles }, (_, i) => article(random, i, titles));
    for (let i = 0; i < articles.length; i += 100) {
      for (const result of await importArticles(db, articles.slice(i, i + 100))) if (result instanceof Error) throw result;
    }
    log(`  ${DATASET.articles} articles imported in ${((performance.now() - started) / 1000).toFixed(1)} s; adding replies`);
    const events = createLocalEvents();
    const parents = await db.query(`SELECT "id", "articleId" FROM comment WHERE "parentId" IS NULL ORDER BY "id"`);
    let replies = 0;
    for (const parent of parents as { id: number; articleId: number }[]) {
      const count = random.int(DATASET.minReplies, DATASET.maxReplies);
      for (let r = 0; r < count; r++) {
        const { author, body } = comment(random);
        await addComment(db, events, { articleId: parent.articleId, parentId: parent.id, body, authorName: author });
        replies += 1;
      }
    }
    await db.query("ANALYZE");
    log(`  ${parents.length} comments and ${replies} replies in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.destroy();
  }
}

/** A fresh copy of the dataset at `target`, built first if the cache lacks it. */
export async function copyDataset(target: string, log: (line: string) => void = console.log): Promise<void> {
  const cacheDir = join(tmpdir(), "threadline-bench-data");
  const cached = join(cacheDir, `read-1k-v${DATASET_VERSION}.sqlite`);
  if (!existsSync(cached)) {
    mkdirSync(cacheDir, { recursive: true });
    const building = `${cached}.building-${process.pid}`;
    log(`building the dataset (once; kept at ${cached})`);
    await build(building, log);
    rmSync(`${building}-wal`, { force: true });
    rmSync(`${building}-shm`, { force: true });
    renameSync(building, cached);
  }
  copyFileSync(cached, target);
}
