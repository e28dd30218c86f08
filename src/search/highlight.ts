/**
 * Highlights: where the looked-for terms of a search stand in the stored text of a hit. Computed
 * here from the same tokens the index holds (analyze-text.ts), not by an engine, so both engines
 * mark the same words; plain text and ranges, no markup, so a client marks them its own way.
 */
import { Token, tokenize } from "./analyze-text";
import type { SearchQuery, SearchTerm } from "./parse-query";

/** A stretch of a fragment, in UTF-16 units (as JavaScript strings count). */
export interface TextRange {
  start: number;
  length: number;
}

export interface Highlight {
  field: string;
  fragment: string;
  ranges: TextRange[];
}

/** Longest fragment served, in UTF-16 units, ellipses included; longer texts are cut around their first match. */
export const MAX_FRAGMENT_LENGTH = 200;
/** Context kept before the first match when a text is cut. */
const LEAD = 60;
/** Paragraphs highlighted per article, the first that match. */
export const MAX_PARAGRAPH_HIGHLIGHTS = 3;
const ELLIPSIS = "\u2026";

function wordMatches(token: Token, term: SearchTerm, index: number): boolean {
  const word = term.words[index];
  const last = index === term.words.length - 1;
  if (term.prefix && last) {
    // A lone prefix is looked up among stems and forms; the last word of a phrase among stems.
    return token.stem.startsWith(word.form) || (term.words.length === 1 && token.form.startsWith(word.form));
  }
  return token.stem === word.stem;
}

/** Where the looked-for terms of `query` occur in `text`, in order, overlaps merged. */
export function matchRanges(text: string, query: SearchQuery): { start: number; end: number }[] {
  const tokens = tokenize(text);
  const found: { start: number; end: number }[] = [];
  for (const term of query.terms) {
    if (term.negated) continue;
    const n = term.words.length;
    for (let i = 0; i + n <= tokens.length; i++) {
      let all = true;
      for (let j = 0; j < n && all; j++) all = wordMatches(tokens[i + j], term, j);
      if (all) found.push({ start: tokens[i].start, end: tokens[i + n - 1].end });
    }
  }
  found.sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: { start: number; end: number }[] = [];
  for (const range of found) {
    const previous = merged[merged.length - 1];
    if (previous && range.start <= previous.end) previous.end = Math.max(previous.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/** Moves an offset off the second half of a surrogate pair. */
function safe(text: string, offset: number): number {
  const code = text.charCodeAt(offset);
  return offset > 0 && offset < text.length && code >= 0xdc00 && code <= 0xdfff ? offset - 1 : offset;
}

/** The text, or the part of it around its first match, with the ranges that fall in it. */
export function highlight(field: string, text: string, query: SearchQuery): Highlight | null {
  const found = matchRanges(text, query);
  if (found.length === 0) return null;
  if (text.length <= MAX_FRAGMENT_LENGTH) {
    return { field, fragment: text, ranges: found.map((r) => ({ start: r.start, length: r.end - r.start })) };
  }
  // Start a little before the first match, at a word boundary when there is one near.
  let start = Math.max(0, found[0].start - LEAD);
  if (start > 0) {
    const space = text.slice(start, found[0].start).search(/\s/u);
    start = space === -1 ? safe(text, start) : start + space + 1;
  }
  const room = MAX_FRAGMENT_LENGTH - (start > 0 ? 1 : 0) - 1;
  let end = Math.min(text.length, start + room);
  if (end < text.length) {
    const lastSpace = text.slice(start, end).search(/\s\S*$/u);
    end = lastSpace > found[0].end - start ? start + lastSpace : safe(text, end);
  }
  const slice = text.slice(start, end);
  const leading = slice.length - slice.trimStart().length;
  const lead = start > 0 ? ELLIPSIS : "";
  const fragment = lead + slice.trim() + (end < text.length ? ELLIPSIS : "");
  const shift = lead.length - start - leading;
  const ranges = found.filter((r) => r.start >= start && r.end <= end).map((r) => ({ start: r.start + shift, length: r.end - r.start }));
  return { field, fragment, ranges };
}

export interface HighlightedArticle {
  title: string;
  section: string | null;
  tags: string[];
  paragraphs: string[];
}

/** An article's highlights: title, section, each matching tag, then the first matching paragraphs. */
export function articleHighlights(article: HighlightedArticle, query: SearchQuery): Highlight[] {
  const out: Highlight[] = [];
  const add = (h: Highlight | null) => h !== null && out.push(h);
  add(highlight("title", article.title, query));
  if (article.section !== null) add(highlight("section", article.section, query));
  for (const tag of article.tags) add(highlight("tags", tag, query));
  let paragraphs = 0;
  for (const paragraph of article.paragraphs) {
    if (paragraphs >= MAX_PARAGRAPH_HIGHLIGHTS) break;
    const h = highlight("paragraphs", paragraph, query);
    if (h) {
      out.push(h);
      paragraphs += 1;
    }
  }
  return out;
}

export function commentHighlights(body: string, query: SearchQuery): Highlight[] {
  const h = highlight("body", body, query);
  return h ? [h] : [];
}
