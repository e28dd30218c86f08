/**
 * The moderators' word lists (BANNED, SUSPECT) and the screening of readers' comments by them and
 * by PREMODERATE_LINKS. A reader's new comment, or an edit, with a banned word is REJECTED at once;
 * one with a suspect word or a link is held (PENDING). Moderators and the service token are not
 * screened, as pre-moderation does not hold them. Matching is word-matcher.ts's: whole words
 * and phrases, with Threadline's folding.
 *
 * The lists live in word_list rows. Each instance keeps a matcher built from them and builds it
 * again when a list changes: at once on the instance that changed it, on the others when the
 * event bus tells them (wordListsChanged), and, should an event be lost, when a version check
 * (at most every REVALIDATE_MS, on a comment's way in) finds the rows newer than its copy.
 */
import { DataSource } from "typeorm";
import { requireModerator, type Caller } from "../auth/caller";
import type { Clock } from "../clock";
import type { Database } from "../db/data-source";
import { run, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { CommentStatus, WordList } from "../entities";
import { userError } from "../errors";
import type { CommentEvents } from "../events/comment-events";
import { containsLink } from "../text/links";
import { foldedWords, WordListKind, WordMatcher } from "./word-matcher";
import { characterCount, WRITE_LIMITS } from "../text/write-limits";

export type { WordListKind };

export interface WordListsValue {
  banned: string[];
  suspect: string[];
}

/** How long a matcher is used before its lists' versions are read again (a lost event's longest effect). */
const REVALIDATE_MS = 10_000;

interface Loaded {
  lists: WordListsValue;
  matcher: WordMatcher;
  /** "BANNED:3,SUSPECT:1": the rows' versions the copy was built from. */
  versions: string;
  checkedAt: number;
}

async function readVersions(db: DataSource): Promise<string> {
  const rows = await run<{ kind: string; version: number | string }>(db, sql`SELECT "kind", "version" FROM word_list ORDER BY "kind"`);
  return rows.map((row) => `${row.kind}:${Number(row.version)}`).join(",");
}

async function readLists(db: DataSource): Promise<{ lists: WordListsValue; versions: string }> {
  const rows = await run<{ kind: string; words: string; version: number | string }>(db, sql`SELECT "kind", "words", "version" FROM word_list ORDER BY "kind"`);
  const lists: WordListsValue = { banned: [], suspect: [] };
  for (const row of rows) {
    const words = JSON.parse(row.words) as string[];
    if (row.kind === "BANNED") lists.banned = words;
    if (row.kind === "SUSPECT") lists.suspect = words;
  }
  return { lists, versions: rows.map((row) => `${row.kind}:${Number(row.version)}`).join(",") };
}

/** One instance's copy of the lists and their matcher (see the top of this file). */
export class WordListCache {
  private loaded: Loaded | null = null;
  private loading: Promise<Loaded> | null = null;
  /** Raised by every invalidation: a load begun before one is not kept. */
  private generation = 0;
  private listening: AsyncIterator<unknown> | null = null;

  constructor(
    private readonly read: () => DataSource,
    private readonly events: CommentEvents,
  ) {}

  /** Follows other instances' changes on the event bus until close(). */
  listen(): void {
    if (this.listening) return;
    const iterator = this.events.subscribe("wordListsChanged")[Symbol.asyncIterator]();
    this.listening = iterator;
    void (async () => {
      try {
        while (!(await iterator.next()).done) this.invalidate();
      } catch (error) {
        console.error("[threadline] word lists: the event bus stopped telling of changes:", error);
      }
    })();
  }

  async close(): Promise<void> {
    const iterator = this.listening;
    this.listening = null;
    await iterator?.return?.();
  }

  /** Drops this instance's copy: the next comment reads the lists again. */
  invalidate(): void {
    this.generation += 1;
    this.loaded = null;
    this.loading = null;
  }

  private async current(): Promise<Loaded> {
    const loaded = this.loaded;
    if (loaded && Date.now() - loaded.checkedAt < REVALIDATE_MS) return loaded;
    if (loaded) {
      const versions = await readVersions(this.read());
      if (versions === loaded.versions && this.loaded === loaded) {
        loaded.checkedAt = Date.now();
        return loaded;
      }
      if (this.loaded === loaded) this.invalidate();
    }
    if (!this.loading) {
      const generation = this.generation;
      const loading = readLists(this.read()).then(({ lists, versions }) => {
        const made: Loaded = { lists, versions, matcher: new WordMatcher(lists), checkedAt: Date.now() };
        if (generation === this.generation) this.loaded = made;
        return made;
      });
      this.loading = loading;
      // A failed load is not kept: the next comment tries again.
      loading.catch(() => {
        if (this.loading === loading) this.loading = null;
      });
    }
    return this.loading;
  }

  async lists(): Promise<WordListsValue> {
    return (await this.current()).lists;
  }

  async matcher(): Promise<WordMatcher> {
    return (await this.current()).matcher;
  }
}

/** What screening decided for a comment: the status it gets at most, and why (shown to its author). */
export interface ScreenVerdict {
  status: CommentStatus.REJECTED | CommentStatus.PENDING;
  reason: string;
}

/**
 * The verdict on a reader's text, or null when it passes: a banned word rejects it; a suspect word,
 * or a link when PREMODERATE_LINKS is on, holds it. The caller decides who is screened.
 */
export async function screenText(cache: WordListCache, premoderateLinks: boolean, text: string): Promise<ScreenVerdict | null> {
  const found = (await cache.matcher()).match(text);
  if (found?.kind === "BANNED") {
    return { status: CommentStatus.REJECTED, reason: `the comment contains "${found.written}", which is on the banned word list` };
  }
  if (found)
    return { status: CommentStatus.PENDING, reason: `the comment contains "${found.written}", which is on the suspect word list: a moderator will review it` };
  if (premoderateLinks && containsLink(text)) return { status: CommentStatus.PENDING, reason: `the comment contains a link: a moderator will review it` };
  return null;
}

/**
 * A list as setWordList stores it: each entry trimmed, with runs of white space as one space; at
 * most WRITE_LIMITS.wordListEntries entries of at most WRITE_LIMITS.wordListEntry characters,
 * each with at least one word; entries that fold to the same words kept once (the first).
 */
export function cleanWordList(words: string[]): string[] {
  const max = WRITE_LIMITS.wordListEntries;
  if (words.length > max) throw userError(`"words" holds ${words.length} entries; a list holds at most ${max}`, { argumentName: "words" });
  const seen = new Set<string>();
  const cleaned: string[] = [];
  words.forEach((word, index) => {
    const entry = word.replace(/\s+/gu, " ").trim();
    const argumentName = `words[${index}]`;
    if (entry.includes("\u0000")) throw userError(`"${argumentName}" must not contain NUL characters`, { argumentName });
    const length = characterCount(entry);
    if (length > WRITE_LIMITS.wordListEntry) {
      throw userError(`"${argumentName}" is ${length} characters long; an entry holds at most ${WRITE_LIMITS.wordListEntry}`, { argumentName });
    }
    const folded = foldedWords(entry);
    if (folded.length === 0) throw userError(`"${argumentName}" holds no word (letters or digits)`, { argumentName });
    const key = folded.join(" ");
    if (seen.has(key)) return;
    seen.add(key);
    cleaned.push(entry);
  });
  return cleaned;
}

/**
 * setWordList: replaces one list, for moderators and the service token. The change reaches this
 * instance's matcher at once and the other instances' through the event bus.
 */
export async function setWordList(
  db: Database,
  events: CommentEvents,
  cache: WordListCache,
  caller: Caller,
  clock: Clock,
  kind: WordListKind,
  words: string[],
): Promise<void> {
  requireModerator(caller, "setWordList");
  const cleaned = cleanWordList(words);
  const version = await inTransaction(db, async (manager) => {
    // One statement, so two moderators saving at once on two instances both raise the version.
    await run(
      manager,
      sql`INSERT INTO word_list ("kind", "words", "version", "updatedAt") VALUES (${kind}, ${JSON.stringify(cleaned)}, 1, ${clock()})
          ON CONFLICT ("kind") DO UPDATE SET "words" = excluded."words", "version" = word_list."version" + 1, "updatedAt" = excluded."updatedAt"`,
    );
    return (await manager.findOneByOrFail(WordList, { kind })).version;
  });
  cache.invalidate();
  try {
    events.publish("wordListsChanged", { version });
  } catch (error) {
    console.error("[threadline] could not publish wordListsChanged:", error);
  }
}
