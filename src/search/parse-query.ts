/**
 * The search language, parsed here and nowhere else; the engines only ever see queries that
 * match-sql.ts builds from the terms this returns, so nothing a reader types is engine syntax.
 *
 * - words are ANDed: `putin economy`;
 * - `"quoted words"` match as a phrase, in that order and next to each other;
 * - `-word` or `-"a phrase"` excludes what it names;
 * - `word*` matches words that begin with `word` (two characters at least; a shorter prefix is
 *   a plain word);
 * - anything else is plain text: punctuation separates words, and a run that holds several
 *   words ("well-known", "北京") matches as a phrase of them.
 * Words are compared folded and stemmed (analyze-text.ts): "москва" finds "Москва", "sao paulo"
 * finds "São Paulo", "elections" finds "election".
 */
import { userError } from "../errors";
import { characterCount } from "../text/write-limits";
import { tokenize } from "./analyze-text";

/** Characters one query may hold. */
export const MAX_QUERY_LENGTH = 200;
/** Words one query may hold, counting every word of every phrase and exclusion. */
export const MAX_QUERY_WORDS = 12;
/** The shortest prefix that `word*` looks up; below it the word is taken as it stands. */
export const MIN_PREFIX_LENGTH = 2;

export interface TermWord {
  /** The folded word: compared with the start of indexed words when it is a prefix. */
  form: string;
  stem: string;
}

/** One word or phrase of a query. */
export interface SearchTerm {
  /** One word, or the words of a phrase in order. */
  words: TermWord[];
  /** The last word matches any word that begins with it. */
  prefix: boolean;
  /** The term must not match. */
  negated: boolean;
}

export interface SearchQuery {
  terms: SearchTerm[];
}

/** Where a query came from, so that a refusal names it. */
export interface QuerySource {
  /** The argument path in messages: `query`, `where.search`. */
  path: string;
  /** extensions.argumentName: the top-level argument. */
  argumentName: string;
}

function term(text: string, prefix: boolean, negated: boolean): SearchTerm | null {
  const words = tokenize(text).map(({ form, stem }) => ({ form, stem }));
  if (words.length === 0) return null;
  const last = words[words.length - 1];
  return { words, prefix: prefix && characterCount(last.form) >= MIN_PREFIX_LENGTH, negated };
}

/**
 * The terms of `text`. Too long a query, too many words, or only exclusions is BAD_USER_INPUT
 * naming the argument; a query without any word (blank, only punctuation) has no terms and
 * matches nothing.
 */
export function parseSearchQuery(text: string, source: QuerySource): SearchQuery {
  const refuse = (why: string) => userError(`"${source.path}" ${why}`, { argumentName: source.argumentName });
  // A character is one or two UTF-16 units: past twice the limit there is nothing to count.
  if (text.length > 2 * MAX_QUERY_LENGTH || characterCount(text) > MAX_QUERY_LENGTH) {
    throw refuse(`is longer than ${MAX_QUERY_LENGTH} characters, the limit`);
  }

  const terms: SearchTerm[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/u.test(text[i])) {
      i += 1;
      continue;
    }
    let negated = false;
    if (text[i] === "-" && i + 1 < text.length && !/\s/u.test(text[i + 1])) {
      negated = true;
      i += 1;
    }
    let body: string;
    let prefix = false;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      const end = close === -1 ? text.length : close;
      body = text.slice(i + 1, end);
      i = end + 1;
      if (text[i] === "*") {
        prefix = true;
        while (text[i] === "*") i += 1;
      }
    } else {
      const start = i;
      while (i < text.length && !/\s/u.test(text[i]) && text[i] !== '"') i += 1;
      body = text.slice(start, i);
      prefix = /[\p{L}\p{N}\p{M}]\*+$/u.test(body);
    }
    const parsed = term(body, prefix, negated);
    if (parsed) terms.push(parsed);
  }

  const words = terms.reduce((sum, t) => sum + t.words.length, 0);
  if (words > MAX_QUERY_WORDS) throw refuse(`holds ${words} words; the limit is ${MAX_QUERY_WORDS}`);
  if (terms.length > 0 && terms.every((t) => t.negated)) {
    throw refuse(`only excludes words; name at least one word to look for`);
  }
  return { terms };
}

/** How many words a query holds, for the cost model: 0 for anything that will not parse. */
export function queryWordCount(text: unknown): number {
  if (typeof text !== "string") return 0;
  try {
    return parseSearchQuery(text, { path: "query", argumentName: "query" }).terms.reduce((sum, t) => sum + t.words.length, 0);
  } catch {
    return 0;
  }
}
