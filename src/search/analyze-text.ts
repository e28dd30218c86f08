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

/** The words of `text`, in order. */
export function tokenize(text: string): Token[] {
  return foldedTokens(text).map((token) => ({ ...token, stem: stemOf(token.form) }));
}

/** The words of `text`, in order, folded but not stemmed: what matches a word exactly (the moderators' word lists). */
export function foldedTokens(text: string): Omit<Token, "stem">[] {
  const tokens: Omit<Token, "stem">[] = [];
  for (const match of text.matchAll(WORD)) {
    const start = match.index;
    const word = match[0];
    const pieces = SPLIT_SCRIPTS.test(word) ? word.matchAll(SPLIT_SCRIPT_CHARS) : [Object.assign([word], { index: 0 })];
    for (const piece of pieces) {
      const pieceStart = start + (piece.index ?? 0);
      for (const form of foldWord(piece[0])) tokens.push({ start: pieceStart, end: pieceStart + piece[0].length, form });
    }
  }
  return tokens;
}
