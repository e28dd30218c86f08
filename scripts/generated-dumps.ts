/**
 * Generated text dumps for the benchmarks: a seeded vocabulary of news words, names, tags and
 * sections, rendered with renderDump so the parser reads them as it reads real folders. The same
 * seed gives the same dumps on every run and every machine.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ParsedArticle, ParsedComment } from "../src/ingest/dump.types";
import { renderDump } from "../src/ingest/render-dump";

/** Seeded PRNG (mulberry32), so every run and every machine benchmarks the same dumps. */
export function makeRandom(seed: number) {
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
export type Random = ReturnType<typeof makeRandom>;

export const WORDS = (
  "the of and to in a is that for on with as by was from at government said minister talks " +
  "military economy border agreement security sanctions president officials report meeting " +
  "energy pipeline market election parliament opposition troops region city council summit " +
  "statement press ministry foreign defense trade export import growth crisis forces strike " +
  "negotiations treaty nuclear oil gas prices weather flood bridge railway airport satellite"
).split(" ");
const FIRST = [
  "Anna",
  "Boris",
  "Chen",
  "Dmitri",
  "Elena",
  "Farid",
  "Giorgos",
  "Hana",
  "Ivan",
  "José",
  "Karin",
  "Liam",
  "Marta",
  "Nikolai",
  "Olga",
  "Pierre",
  "Qiang",
  "Rosa",
  "Sergei",
  "Tomás",
  "Uwe",
  "Vera",
  "Wei",
  "Xenia",
  "Yusuf",
  "Zoë",
  "Дмитрий",
  "Светлана",
  "王",
  "李",
  "Ümit",
  "Øystein",
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

export function sentence(random: Random, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(random.pick(WORDS));
  // Capitalised but never ALL CAPS: an upper-case opening word before a dash would read as a dateline.
  out[0] = out[0][0].toUpperCase() + out[0].slice(1);
  return `${out.join(" ")}.`;
}

export function comment(random: Random): ParsedComment {
  const roll = random.next();
  const text = () => sentence(random, random.int(8, 60));
  if (roll < 0.25) return { author: null, hasAvatar: false, body: text() };
  if (roll < 0.4) return { author: null, hasAvatar: true, body: text() };
  // Named commenters sometimes write several paragraphs.
  const body = random.next() < 0.2 ? `${text()}\n\n${text()}` : text();
  return { author: random.pick(NAMES), hasAvatar: true, body };
}

export function article(random: Random, index: number): ParsedArticle {
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

/** Writes `count` dumps named 000000.txt, ... into folder; returns their total size in bytes. */
export async function generateDumps(folder: string, count: number): Promise<number> {
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
