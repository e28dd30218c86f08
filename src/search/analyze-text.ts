/**
 * Text -> search tokens: the one definition of a word that the index, the query parser and the
 * highlighter share, done in our code so that SQLite and PostgreSQL index and look up the very
 * same tokens (their own tokenizers, case folding and stemmers differ).
 *
 * A word is a run of letters, digits and combining marks; an apostrophe inside a word joins its
 * parts ("Putin's" is one word, "putins"). Each Han, Hiragana and Katakana character is a word of
 * its own, since those scripts put no spaces between words: a query in them then matches as a
 * phrase of characters. A word is folded (foldKey, then every combining mark dropped after
 * canonical decomposition, and a few letters that carry a stroke instead of a mark replaced), and
 * English words (a-z after folding) are stemmed with Porter's stemmer. So "Москва" is "москва",
 * "São" is "sao", "Łódź" is "lodz" and "Elections" is "elect".
 */
import { foldKey } from "../text/fold";
import { porterStem } from "./porter-stemmer";

/** One word of a text. */
export interface Token {
  /** Where the word stands in the text, in UTF-16 units (end exclusive). */
  start: number;
  end: number;
  /** The folded word: what a prefix (`word*`) is compared with. */
  form: string;
  /** The stem of the folded word: what words and phrases are compared with. */
  stem: string;
}

/** Longer folded words are cut to this many characters, alike when indexing and searching. */
export const MAX_TOKEN_LENGTH = 64;

const WORD = /[\p{L}\p{N}\p{M}]+(?:['\u2019][\p{L}\p{N}\p{M}]+)*/gu;
const ASCII_WORD = /^[A-Za-z0-9]+$/;
const LATIN_WORD = /^[a-z]+$/;
const SPLIT_SCRIPTS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const SPLIT_SCRIPT_CHARS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/u;

/** Letters whose diacritic is part of the letter (no decomposition), written without it. */
const STROKED: Record<string, string> = {
  ł: "l",
  ø: "o",
  đ: "d",
  ħ: "h",
  ŧ: "t",
  ı: "i",
  ƀ: "b",
  ƶ: "z",
  ǥ: "g",
  ɨ: "i",
  ʉ: "u",
  æ: "ae",
  œ: "oe",
  ð: "d",
  þ: "th",
};
const STROKED_LETTERS = new RegExp(`[${Object.keys(STROKED).join("")}]`, "gu");

function truncate(text: string): string {
  if (text.length <= MAX_TOKEN_LENGTH) return text;
  return Array.from(text).slice(0, MAX_TOKEN_LENGTH).join("");
}

/** Folded forms of one word as written; usually one, more when folding splits it ("½" is "1" and "2"). */
function foldWord(word: string): string[] {
  if (ASCII_WORD.test(word)) return [truncate(word.toLowerCase())];
  const folded = foldKey(word.replace(/['\u2019]/g, ""))
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(STROKED_LETTERS, (letter) => STROKED[letter])
    .normalize("NFC");
  return folded.split(NOT_WORD).filter(Boolean).map(truncate);
}

export function stemOf(form: string): string {
  return LATIN_WORD.test(form) ? porterStem(form) : form;
}

/** One token of a word as written: where it stands in the word, its form and its stem. */
export interface WordToken {
  /** Offset and length within the word, in UTF-16 units. */
  readonly offset: number;
  readonly length: number;
  readonly form: string;
  readonly stem: string;
  /** UTF-8 bytes of the stem and of the form, worked out once (the index's budget counts them). */
  readonly stemBytes: number;
  readonly formBytes: number;
}

/**
 * Each distinct word is folded and stemmed once: a word's tokens depend on the word alone, and
 * the same words come back all through a text and a batch of texts. Bounded: emptied when full,
 * and words longer than a token are worked out every time.
 */
const analyzed = new Map<string, readonly WordToken[]>();
const ANALYZED_WORDS = 50_000;

function analyzeWord(word: string): readonly WordToken[] {
  const cached = analyzed.get(word);
  if (cached !== undefined) return cached;
  const tokens: WordToken[] = [];
  const pieces = SPLIT_SCRIPTS.test(word) ? word.matchAll(SPLIT_SCRIPT_CHARS) : [Object.assign([word], { index: 0 })];
  for (const piece of pieces) {
    const offset = piece.index ?? 0;
    for (const form of foldWord(piece[0])) {
      const stem = stemOf(form);
      tokens.push({ offset, length: piece[0].length, form, stem, stemBytes: Buffer.byteLength(stem), formBytes: Buffer.byteLength(form) });
    }
  }
  if (word.length <= MAX_TOKEN_LENGTH) {
    if (analyzed.size >= ANALYZED_WORDS) analyzed.clear();
    analyzed.set(word, tokens);
  }
  return tokens;
}

/** The words of `text`, in order. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const start = match.index;
    for (const token of analyzeWord(match[0])) {
      const tokenStart = start + token.offset;
      tokens.push({ start: tokenStart, end: tokenStart + token.length, form: token.form, stem: token.stem });
    }
  }
  return tokens;
}

/** The words of `text`, in order, folded but not stemmed: what matches a word exactly (the moderators' word lists). */
export function foldedTokens(text: string): Omit<Token, "stem">[] {
  return tokenize(text).map(({ start, end, form }) => ({ start, end, form }));
}

/** The word that starts at `at` (letters, digits, marks, joined by apostrophes); sticky. */
const WORD_AT = new RegExp(WORD.source, "uy");

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39);
}

/**
 * The words of `text`, in order, without their places in it: what the index needs. Calls `visit`
 * with each token (shared, never to be changed) until it answers false. The same words as
 * `tokenize`: ASCII text is scanned here, and the regular expression reads only from where a
 * word may hold more than ASCII letters and digits.
 */
export function forEachToken(text: string, visit: (token: WordToken) => boolean): void {
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    let word: string | null = null;
    if (isAsciiAlnum(code)) {
      let end = i + 1;
      while (end < length && isAsciiAlnum(text.charCodeAt(end))) end += 1;
      const next = end < length ? text.charCodeAt(end) : 0;
      // Anything but ASCII punctuation or space after it may continue the word (a mark, an apostrophe, a letter).
      if (next < 0x80 && next !== 0x27) {
        word = text.slice(i, end);
        i = end;
      }
    } else if (code < 0x80) {
      i += 1;
      continue;
    }
    if (word === null) {
      WORD_AT.lastIndex = i;
      const match = WORD_AT.exec(text);
      if (match === null) {
        // Not a word character: on to the next character (both halves of a surrogate pair).
        const low = code >= 0xd800 && code <= 0xdbff && i + 1 < length ? text.charCodeAt(i + 1) : 0;
        i += low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
        continue;
      }
      word = match[0];
      i += word.length;
    }
    for (const token of analyzeWord(word)) if (!visit(token)) return;
  }
}
