/**
 * The moderators' word lists as a matcher: which banned or suspect entry a text contains, if any.
 * Entries and texts are cut into words as the search analyzer cuts them (search/analyze-text.ts),
 * so case, diacritics, ё/е and the other foldings are Threadline's own, the same on both engines,
 * and a match is always of whole words: "Scunthorpe" is one word, and a banned "cunt" is not in
 * it. An entry of several words (a phrase) matches those words in a row, whatever stands between
 * them in the text (spaces, punctuation, line breaks). Words are compared as folded, not stemmed:
 * a banned "elect" does not catch "elections".
 *
 * Built once per list change: a map from each entry's first word to the entries that start with
 * it, so a text costs one look-up per word, and a phrase is only compared where its first word is.
 */
import { foldedTokens } from "../search/analyze-text";

export type WordListKind = "BANNED" | "SUSPECT";

/** An entry found in a text: which list, the entry as the list has it, and the words as the text wrote them. */
export interface WordMatch {
  kind: WordListKind;
  entry: string;
  written: string;
}

interface Entry {
  kind: WordListKind;
  entry: string;
  /** The folded words after the first. */
  rest: string[];
}

/** The folded words of an entry or a text, in order. */
export function foldedWords(text: string): string[] {
  return foldedTokens(text).map((token) => token.form);
}

export class WordMatcher {
  private readonly byFirstWord = new Map<string, Entry[]>();
  readonly size: number;

  constructor(lists: { banned: readonly string[]; suspect: readonly string[] }) {
    let size = 0;
    for (const [kind, entries] of [
      ["BANNED", lists.banned],
      ["SUSPECT", lists.suspect],
    ] as const) {
      for (const entry of entries) {
        const words = foldedWords(entry);
        if (words.length === 0) continue;
        const bucket = this.byFirstWord.get(words[0]) ?? [];
        bucket.push({ kind, entry, rest: words.slice(1) });
        this.byFirstWord.set(words[0], bucket);
        size += 1;
      }
    }
    // A banned entry wins over a suspect one that starts at the same word.
    for (const bucket of this.byFirstWord.values()) bucket.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "BANNED" ? -1 : 1));
    this.size = size;
  }

  /**
   * The first banned entry the text contains, else the first suspect one, else null. Cost: one
   * tokenization of the text and one map look-up per word, plus a comparison per phrase that
   * starts at a word of the text.
   */
  match(text: string): WordMatch | null {
    if (this.size === 0) return null;
    const tokens = foldedTokens(text);
    let suspect: WordMatch | null = null;
    for (let i = 0; i < tokens.length; i++) {
      const bucket = this.byFirstWord.get(tokens[i].form);
      if (!bucket) continue;
      for (const candidate of bucket) {
        if (candidate.kind === "SUSPECT" && suspect !== null) continue;
        const end = i + candidate.rest.length;
        if (end >= tokens.length) continue;
        let same = true;
        for (let k = 0; k < candidate.rest.length && same; k++) same = tokens[i + 1 + k].form === candidate.rest[k];
        if (!same) continue;
        const found = { kind: candidate.kind, entry: candidate.entry, written: text.slice(tokens[i].start, tokens[end].end) };
        if (candidate.kind === "BANNED") return found;
        suspect = found;
      }
    }
    return suspect;
  }
}
