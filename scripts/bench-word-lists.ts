/**
 * `npm run bench:word-lists`: what the moderators' word lists cost a comment on its way in. Builds
 * a banned and a suspect list of BENCH_WORDS entries each (default 10,000: the most a list may
 * hold; a fifth of them phrases of two or three words, some with diacritics and Cyrillic), then
 * screens generated comments (the dumps' generator: 8 to 120 words; one in fifty carrying a
 * suspect entry) and the longest body a
 * comment may have, as addComment and editComment do (discussion/word-lists.ts screenText: the
 * matcher, then the link check), and prints microseconds per comment, with the time to build the matcher once
 * per list change. Pure computation: no database.
 */
import "reflect-metadata";
import { loadavg } from "node:os";
import { containsLink } from "../src/text/links";
import { WordMatcher } from "../src/discussion/word-matcher";
import { WRITE_LIMITS } from "../src/text/write-limits";
import { comment, makeRandom } from "./generated-dumps";

const WORDS = Number(process.env.BENCH_WORDS ?? WRITE_LIMITS.wordListEntries);
const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 20_000);

const SYLLABLES = ["ka", "lo", "mé", "zu", "ри", "ёж", "ta", "ne", "vo", "ß", "qi", "pa", "rü", "xo", "ди"];

function makeEntry(random: ReturnType<typeof makeRandom>): string {
  const word = () => Array.from({ length: random.int(2, 4) }, () => SYLLABLES[random.int(0, SYLLABLES.length - 1)]).join("");
  return random.next() < 0.2 ? Array.from({ length: random.int(2, 3) }, word).join(" ") : word();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const random = makeRandom(20_261_206);
  const banned = Array.from({ length: WORDS }, () => makeEntry(random));
  const suspect = Array.from({ length: WORDS }, () => makeEntry(random));
  const built = performance.now();
  const matcher = new WordMatcher({ banned, suspect });
  const buildMs = performance.now() - built;

  // One comment in fifty carries a suspect entry, so the path that finds one is timed too.
  const bodies = Array.from({ length: COMMENTS }, (_, i) => {
    const body = comment(random).body;
    return i % 50 === 0 ? `${body} ${suspect[random.int(0, suspect.length - 1)]}.` : body;
  });
  const longest = "lorem ipsum dolor sit amet, ".repeat(Math.ceil(WRITE_LIMITS.commentBody / 28)).slice(0, WRITE_LIMITS.commentBody);
  // Warm-up, so the JIT has compiled the path before it is timed.
  // What screenText does once the instance has its matcher: the lists, then the link check.
  const screen = (body: string) => matcher.match(body) ?? containsLink(body);
  for (const body of bodies.slice(0, 2_000)) screen(body);

  const times: number[] = [];
  let held = 0;
  for (const body of bodies) {
    const start = performance.now();
    if (screen(body)) held += 1;
    times.push((performance.now() - start) * 1000);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((sum, x) => sum + x, 0) / times.length;
  const longTimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    screen(longest);
    longTimes.push((performance.now() - start) * 1000);
  }
  longTimes.sort((a, b) => a - b);

  const words = bodies.reduce((sum, body) => sum + body.split(/\s+/).length, 0) / bodies.length;
  console.log(`word lists: ${matcher.size} entries (${WORDS} banned + ${WORDS} suspect); matcher built in ${buildMs.toFixed(1)} ms`);
  console.log(`load average ${loadavg()[0].toFixed(2)}`);
  console.log(
    `generated comments (${COMMENTS}, ${words.toFixed(0)} words on average; ${held} caught): ` +
      `mean ${mean.toFixed(1)} µs, p50 ${percentile(times, 50).toFixed(1)} µs, p99 ${percentile(times, 99).toFixed(1)} µs per comment`,
  );
  console.log(
    `longest body (${WRITE_LIMITS.commentBody} characters): p50 ${percentile(longTimes, 50).toFixed(0)} µs, p99 ${percentile(longTimes, 99).toFixed(0)} µs per comment`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
