/**
 * Text dump -> ParsedDump. Pure and total: no I/O, and every string gets either an article (with
 * warnings for whatever was odd or missing) or a DumpError naming the line where parsing gave up.
 * The layout is described in docs/operating.md (Seeding from dumps); the comments below explain the judgement calls.
 */
import type { ParsedArticle, ParsedComment, ParsedDump, ParsedRelatedLink } from "./dump.types";

export class DumpError extends Error {
  readonly reason: string;
  /** 1-based line where the parser gave up; null when no single line is to blame. */
  readonly line: number | null;
  readonly file: string;

  constructor(file: string, line: number | null, reason: string) {
    super(line === null ? `${file}: ${reason}` : `${file}: line ${line}: ${reason}`);
    this.name = "DumpError";
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

export const TIME_LINE_EXAMPLE = "15:50 GMT +324 February 2017";

/** Name length above which a first avatar line is read as text: real display names are short. */
const MAX_NAME_LENGTH = 64;
/** Datelines open the article; further down an ALL-CAPS word before a dash is just prose. */
const DATELINE_PARAGRAPH_WINDOW = 3;
const QUOTE_LIMIT = 80;

interface Line {
  /** 1-based, as an editor shows it. */
  no: number;
  /** Count of leading whitespace characters after space normalisation. */
  indent: number;
  /** Without leading indentation or trailing whitespace. */
  text: string;
  /** Without trailing whitespace, indentation kept (comment bodies keep relative indents). */
  raw: string;
  blank: boolean;
}

// Scraped pages carry every flavour of non-breaking and typographic space; stored text gets plain
// spaces so search and comparisons behave.
const ODD_SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;

// Letters that render like Latin ones; scrapers (or anti-scraping) swap them into page chrome.
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  "\u0410": "A",
  "\u0430": "a",
  "\u0412": "B",
  "\u0432": "b",
  "\u0415": "E",
  "\u0435": "e",
  "\u041A": "K",
  "\u043A": "k",
  "\u041C": "M",
  "\u043C": "m",
  "\u041D": "H",
  "\u043D": "h",
  "\u041E": "O",
  "\u043E": "o",
  "\u0420": "P",
  "\u0440": "p",
  "\u0421": "C",
  "\u0441": "c",
  "\u0422": "T",
  "\u0442": "t",
  "\u0423": "Y",
  "\u0443": "y",
  "\u0425": "X",
  "\u0445": "x",
  "\u0406": "I",
  "\u0456": "i",
  "\u0408": "J",
  "\u0458": "j",
  "\u0405": "S",
  "\u0455": "s",
  "\u0501": "d",
  "\u051B": "q",
  "\u051D": "w",
  "\u04BB": "h",
  "\u0460": "W",
  "\u0391": "A",
  "\u0392": "B",
  "\u0395": "E",
  "\u0396": "Z",
  "\u0397": "H",
  "\u0399": "I",
  "\u039A": "K",
  "\u039C": "M",
  "\u039D": "N",
  "\u039F": "O",
  "\u03A1": "P",
  "\u03A4": "T",
  "\u03A5": "Y",
  "\u03A7": "X",
  "\u03BF": "o",
  "\u03B1": "a",
  "\u03B9": "i",
  "\u03BA": "k",
  "\u03BD": "v",
  "\u03C1": "p",
  "\u03C4": "t",
  "\u03C5": "u",
  "\u03C7": "x",
};
const HOMOGLYPH_CLASS = new RegExp(`[${Object.keys(HOMOGLYPHS).join("")}]`, "g");

function foldGlyphs(s: string): string {
  return s.normalize("NFKC").replace(HOMOGLYPH_CLASS, (ch) => HOMOGLYPHS[ch] ?? ch);
}

/** Comparison key for chrome lines: homoglyphs folded, case and all whitespace ignored. */
function chromeKey(s: string): string {
  return foldGlyphs(s).toLowerCase().replace(ZERO_WIDTH, "").replace(/\s+/g, "");
}

const GET_SHORT_URL = "getshorturl";
const DISCUSSION_CHROME = new Set([
  "communitystandardsdiscussion",
  "communitystandards",
  "commentviafacebookcommentviasputnik",
  "commentviafacebook",
  "commentviasputnik",
  "•comment",
  "allcomments",
]);
const FOOTER = /^shownewcomments\(\d+\)$/;

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

function quote(text: string): string {
  const chars = Array.from(text);
  const cut = chars.length > QUOTE_LIMIT ? `${chars.slice(0, QUOTE_LIMIT - 1).join("")}…` : text;
  return JSON.stringify(cut);
}

/**
 * A UTF-16 surrogate without its other half: no character at all. It reaches us only through
 * strings a client sends (a decoder never makes one), and neither engine can store it: both
 * drivers write U+FFFD instead, so the stored text would differ from the text the importer looks
 * it up by, and a re-import of the dump would no longer find its own article.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Lines of the text. Lone surrogates become U+FFFD here, as the database would store them, so
 * every field holds the same text on both engines and in the content hash; each line that had
 * one gets a warning.
 */
function splitLines(text: string, warnings: string[]): Line[] {
  const parts = text.split(/\r\n|\r|\n/);
  const lines: Line[] = new Array<Line>(parts.length);
  // String.prototype.isWellFormed (Node 20): false when a lone surrogate is in the text.
  const checkSurrogates = !(text as string & { isWellFormed(): boolean }).isWellFormed();
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i];
    if (checkSurrogates) {
      const fixed = part.replace(LONE_SURROGATE, "\uFFFD");
      if (fixed !== part) warnings.push(`line ${i + 1}: unpaired UTF-16 surrogate replaced with U+FFFD`);
      part = fixed;
    }
    const raw = part.replace(ODD_SPACES, " ").trimEnd();
    const text = raw.trimStart();
    lines[i] = { no: i + 1, indent: raw.length - text.length, text, raw, blank: text === "" };
  }
  return lines;
}

function lineOfOffset(text: string, offset: number): number {
  const before = text.slice(0, offset);
  return before.split(/\r\n|\r|\n/).length;
}

/**
 * Rejects what is plainly not text: a dump never holds NUL bytes or runs of undecodable bytes.
 * Refusing NUL (rather than dropping it) also keeps the engines alike: PostgreSQL cannot store
 * it in text, SQLite would.
 */
function checkBinary(text: string, file: string): DumpError | null {
  const nul = text.indexOf("\u0000");
  if (nul >= 0) {
    return new DumpError(file, lineOfOffset(text, nul), "binary data (NUL bytes): not a text dump");
  }
  const sample = text.length > 65536 ? text.slice(0, 65536) : text;
  let bad = 0;
  let visible = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) bad++;
    if (c > 0x20) visible++;
  }
  if (bad >= 4 && bad * 3 > visible) {
    return new DumpError(file, null, "binary data (mostly undecodable bytes): not a text dump");
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Publication time

interface TimeResult {
  date: Date;
  warning: string | null;
}

const TIME_LINE = /^(\d{1,2})[:.](\d{2})\s*(?:GMT|UTC)\s*(?:([+\-\u2212])\s*(\d{2,4})|(\d{1,2}))\s*([A-Za-z]+)\.?,?\s*(\d{4})$/i;

function monthIndex(word: string): number {
  const w = word.toLowerCase();
  if (w.length < 3) return -1;
  return MONTHS.findIndex((m) => m === w || (w.length <= 4 && m.startsWith(w)));
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month + 1, 0);
  return d.getUTCDate();
}

interface OffsetSplit {
  offset: number;
  day: number;
}

/**
 * The page glues the whole-hour GMT offset to the day ("+324" = +3, 24). Both parts are one or two
 * digits, so a digit run can split two ways; every split that gives a real offset and day counts.
 */
function offsetDaySplits(sign: number, digits: string, maxDay: number): OffsetSplit[] {
  const splits: OffsetSplit[] = [];
  for (let offsetLength = 1; offsetLength <= 2; offsetLength++) {
    const dayDigits = digits.slice(offsetLength);
    if (dayDigits.length < 1 || dayDigits.length > 2) continue;
    const offsetDigits = digits.slice(0, offsetLength);
    // "+03..." would be a zero-padded offset, which the pages never print.
    if (offsetLength === 2 && offsetDigits.startsWith("0")) continue;
    const offset = sign * Number(offsetDigits);
    const day = Number(dayDigits);
    if (offset < -12 || offset > 14 || day < 1 || day > maxDay) continue;
    // "-0" would otherwise leave a negative zero that prints and compares oddly.
    splits.push({ offset: offset === 0 ? 0 : offset, day });
  }
  return splits;
}

function parseTimeLine(line: Line, file: string): TimeResult | DumpError {
  const folded = foldGlyphs(line.text).replace(/\s+/g, " ");
  const m = TIME_LINE.exec(folded);
  if (!m) {
    return new DumpError(file, line.no, `expected a publication time like '${TIME_LINE_EXAMPLE}', found ${quote(line.text)}`);
  }
  const [, hh, mm, signChar, glued, bareDay, monthWord, yyyy] = m;
  const hour = Number(hh);
  const minute = Number(mm);
  const year = Number(yyyy);
  const month = monthIndex(monthWord);
  const invalid = (why: string): DumpError => new DumpError(file, line.no, `invalid publication time ${quote(line.text)}: ${why}`);
  if (month < 0) return invalid(`unknown month ${quote(monthWord)}`);
  if (hour > 23 || minute > 59) return invalid(`no such time of day ${hh}:${mm}`);
  const maxDay = daysInMonth(year, month);
  let split: OffsetSplit;
  let warning: string | null = null;
  if (glued === undefined) {
    const day = Number(bareDay);
    if (day < 1 || day > maxDay) return invalid(`${MONTHS[month]} ${year} has no day ${day}`);
    split = { offset: 0, day };
  } else {
    const sign = signChar === "+" ? 1 : -1;
    const splits = offsetDaySplits(sign, glued, maxDay);
    if (splits.length === 0) {
      return invalid(`"${signChar}${glued}" splits into no GMT offset (-12..+14) and day of ${monthWord} ${year}`);
    }
    split = splits[0];
    if (splits.length > 1) {
      const other = splits[1];
      warning =
        `line ${line.no}: ambiguous GMT offset and day "${signChar}${glued}": read as ` +
        `${gmt(split.offset)}, day ${split.day} (${gmt(other.offset)}, day ${other.day} would also fit)`;
    }
  }
  const date = new Date(0);
  // setUTCFullYear keeps years below 100 literal, unlike Date.UTC.
  date.setUTCFullYear(year, month, split.day);
  date.setUTCHours(hour - split.offset, minute, 0, 0);
  return { date, warning };
}

function gmt(offset: number): string {
  return `GMT${offset < 0 ? "-" : "+"}${Math.abs(offset)}`;
}

// ---------------------------------------------------------------------------------------------
// Header: [caption] title [© credit] section, above "Get short URL"

interface Header {
  title: string | null;
  section: string | null;
  imageCaption: string | null;
  imageCredit: string | null;
}

function isCredit(text: string): boolean {
  return text.startsWith("©") || /^\(c\)\s/i.test(text);
}

function parseHeader(lines: Line[], endLine: number, warnings: string[]): Header {
  const header: Header = { title: null, section: null, imageCaption: null, imageCredit: null };
  const unused = (line: Line): void => {
    warnings.push(`line ${line.no}: unrecognised header line left out: ${quote(line.text)}`);
  };
  let creditAt = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (isCredit(lines[i].text)) {
      creditAt = i;
      break;
    }
  }
  if (creditAt >= 0) {
    header.imageCredit = lines[creditAt].text;
    const after = lines.slice(creditAt + 1);
    if (after.length === 0) {
      warnings.push(`line ${endLine}: no section line above 'Get short URL'`);
    } else {
      header.section = after[after.length - 1].text;
      after.slice(0, -1).forEach(unused);
    }
    if (creditAt >= 1) header.title = lines[creditAt - 1].text;
    if (creditAt >= 2) header.imageCaption = lines[creditAt - 2].text;
    lines.slice(0, Math.max(0, creditAt - 2)).forEach(unused);
    return header;
  }
  if (lines.length === 1) {
    header.title = lines[0].text;
    warnings.push(`line ${endLine}: no section line above 'Get short URL'`);
    return header;
  }
  if (lines.length >= 2) {
    header.section = lines[lines.length - 1].text;
    header.title = lines[lines.length - 2].text;
  }
  if (lines.length >= 3) {
    const caption = lines[lines.length - 3];
    header.imageCaption = caption.text;
    warnings.push(`line ${caption.no}: photo caption without a © credit line: ${quote(caption.text)}`);
    lines.slice(0, -3).forEach(unused);
  }
  return header;
}

/**
 * Without "Get short URL" the header's end is a guess: through the line after the © credit when
 * there is one, else the first run of adjacent non-blank lines (title and maybe section).
 */
function guessHeaderEnd(lines: Line[], from: number, to: number): number {
  const firstNonBlank: number[] = [];
  for (let i = from; i < to && firstNonBlank.length < 4; i++) {
    if (!lines[i].blank) firstNonBlank.push(i);
  }
  const credit = firstNonBlank.find((i) => isCredit(lines[i].text));
  if (credit !== undefined) {
    return credit + 1 < to && !lines[credit + 1].blank ? credit + 2 : credit + 1;
  }
  if (firstNonBlank.length === 0) return to;
  let end = firstNonBlank[0] + 1;
  while (end < to && !lines[end].blank && end - firstNonBlank[0] < 2) end++;
  return end;
}

// ---------------------------------------------------------------------------------------------
// Body

const DATELINE = /^(\p{Lu}[\p{Lu}\p{M}.'’-]*(?:[ ,]\s*\p{Lu}[\p{Lu}\p{M}.'’-]*){0,4})(\s*\([^()]{1,40}\))?\s+[\u2013\u2014-]\s+(\S.*)$/u;

interface Dateline {
  dateline: string;
  rest: string;
}

/** Conservative on purpose: an ALL-CAPS place, maybe "(Agency)", then a spaced dash. */
function matchDateline(paragraph: string): Dateline | null {
  if (paragraph.length > 2000 && !/^\p{Lu}{2}/u.test(paragraph)) return null;
  const m = DATELINE.exec(paragraph);
  if (!m) return null;
  const place = m[1];
  if (place.length > 40 || place.replace(/[^\p{Lu}]/gu, "").length < 2) return null;
  const agency = m[2] === undefined ? "" : ` ${m[2].trim()}`;
  return { dateline: `${place}${agency}`, rest: m[3] };
}

/**
 * Index of the first line after the double blank that closes the body, or -1. With the discussion
 * in sight, the last double blank that still has lines (headlines, tags) after it wins, so a stray
 * double blank between paragraphs does not cut the body short; without it (a truncated file) the
 * first one is all there is to go on.
 */
function findBodyEnd(lines: Line[], from: number, to: number, discussionFollows: boolean): number {
  let found = -1;
  let sawParagraph = false;
  for (let i = from; i < to; i++) {
    if (!lines[i].blank) {
      sawParagraph = true;
      continue;
    }
    if (!sawParagraph || !lines[i - 1].blank) continue;
    let j = i;
    while (j < to && lines[j].blank) j++;
    if (!discussionFollows) return j;
    if (j < to || found < 0) found = j;
    i = j - 1;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Comments

interface RawComment {
  bulletLine: Line;
  hasAvatar: boolean;
  /** The text after "• " for comments without avatar. */
  first: string | null;
  /** Continuation lines; null marks a blank line. */
  rest: (Line | null)[];
}

function isFooter(line: Line, outer: number): boolean {
  return line.indent <= outer && FOOTER.test(chromeKey(line.text));
}

function isBullet(line: Line, outer: number): boolean {
  return line.indent <= outer && (line.text === "•" || line.text.startsWith("• ") || line.text.startsWith("•\t"));
}

function joinCommentLines(texts: (string | null)[]): string {
  let out = "";
  let pendingBreak = "";
  for (const t of texts) {
    if (t === null) {
      if (out !== "") pendingBreak = "\n\n";
      continue;
    }
    out += pendingBreak + t;
    pendingBreak = "\n";
  }
  return out;
}

function finishComment(raw: RawComment, outer: number, position: number, warnings: string[]): ParsedComment | null {
  // The comment's own indentation is the smallest among its indented lines; deeper indents are the
  // reader's and stay. Stray unindented lines (already warned about) just lose their indent.
  let minIndent = Infinity;
  for (const l of raw.rest) if (l !== null && l.indent > outer && l.indent < minIndent) minIndent = l.indent;
  const texts: (string | null)[] = raw.rest.map((l) => (l === null ? null : l.indent <= outer ? l.text : l.raw.slice(minIndent)));
  if (raw.first !== null) texts.unshift(raw.first);
  while (texts.length > 0 && (texts[0] === null || texts[0] === "")) texts.shift();
  while (texts.length > 0 && texts[texts.length - 1] === null) texts.pop();
  let author: string | null = null;
  if (raw.first === null && texts.length >= 2 && texts[1] !== null) {
    const name = (texts[0] ?? "").trim();
    // A long first line running straight into the next is a line-broken text, not a name.
    if (Array.from(name).length <= MAX_NAME_LENGTH) {
      author = name;
      texts.shift();
    }
  }
  const body = joinCommentLines(texts);
  if (body.trim() === "") {
    warnings.push(`line ${raw.bulletLine.no}: comment ${position} has no text and was dropped`);
    return null;
  }
  return { author, hasAvatar: raw.hasAvatar, body };
}

function parseComments(lines: Line[], outer: number, warnings: string[]): ParsedComment[] {
  const raws: RawComment[] = [];
  let current: RawComment | null = null;
  for (const line of lines) {
    if (line.blank) {
      if (current !== null) current.rest.push(null);
      continue;
    }
    if (isBullet(line, outer)) {
      const after = line.text.slice(1).trim();
      const hasAvatar = chromeKey(after) === "avatar";
      current = { bulletLine: line, hasAvatar, first: hasAvatar ? null : after, rest: [] };
      raws.push(current);
      continue;
    }
    if (current === null) {
      warnings.push(`line ${line.no}: unrecognised line before the first comment: ${quote(line.text)}`);
      continue;
    }
    if (line.indent <= outer) {
      warnings.push(`line ${line.no}: unindented line kept as text of comment ${raws.length}: ${quote(line.text)}`);
    }
    current.rest.push(line);
  }
  const comments: ParsedComment[] = [];
  raws.forEach((raw, i) => {
    const c = finishComment(raw, outer, i + 1, warnings);
    if (c !== null) comments.push(c);
  });
  return comments;
}

/** From the first chrome line to the end: skips the chrome, finds the footer, reads the thread. */
function parseDiscussion(lines: Line[], start: number, outer: number, warnings: string[]): ParsedComment[] {
  const n = lines.length;
  let i = start;
  for (; i < n; i++) {
    const l = lines[i];
    if (l.blank) continue;
    const key = chromeKey(l.text);
    if (l.indent > outer || !DISCUSSION_CHROME.has(key)) break;
    if (key === "allcomments") {
      i++;
      break;
    }
  }
  let last = n - 1;
  while (last >= i && lines[last].blank) last--;
  let threadEnd = n;
  if (last >= i && isFooter(lines[last], outer)) {
    threadEnd = last;
  } else {
    const lastNo = lines[Math.max(last, start)].no;
    warnings.push(`no 'Show new comments' footer: the dump looks truncated after line ${lastNo}` + (last >= i ? "; the last comment may be incomplete" : ""));
  }
  return parseComments(lines.slice(i, threadEnd), outer, warnings);
}

// ---------------------------------------------------------------------------------------------
// Tags

function parseTags(line: Line, warnings: string[]): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const piece of line.text.split(",")) {
    const tag = piece.trim();
    if (tag === "") continue;
    const key = tag.toLowerCase();
    if (seen.has(key)) {
      warnings.push(`line ${line.no}: duplicate tag ${quote(tag)} dropped`);
      continue;
    }
    seen.add(key);
    tags.push(tag);
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------

function nonBlank(lines: Line[], from: number, to: number): Line[] {
  const out: Line[] = [];
  for (let i = from; i < to; i++) if (!lines[i].blank) out.push(lines[i]);
  return out;
}

function parse(text: string, file: string): ParsedDump | DumpError {
  const withoutBom = text.replace(/^\uFEFF+/, "");
  if (withoutBom.trim() === "") return new DumpError(file, null, "empty file");
  const binary = checkBinary(withoutBom, file);
  if (binary) return binary;

  const warnings: string[] = [];
  const lines = splitLines(withoutBom, warnings);
  const n = lines.length;

  let t = 0;
  while (lines[t].blank) t++;
  const time = parseTimeLine(lines[t], file);
  if (time instanceof DumpError) return time;
  if (time.warning !== null) warnings.push(time.warning);

  let firstAfterTime = t + 1;
  while (firstAfterTime < n && lines[firstAfterTime].blank) firstAfterTime++;
  if (firstAfterTime >= n) {
    return new DumpError(file, lines[t].no, "no title: the dump ends after the publication time");
  }
  // The scraper indents everything under the time line; comment text sits deeper than this.
  const outer = lines[firstAfterTime].indent;

  let chrome = -1;
  for (let i = firstAfterTime; i < n; i++) {
    if (lines[i].indent <= outer && DISCUSSION_CHROME.has(chromeKey(lines[i].text))) {
      chrome = i;
      break;
    }
  }
  const articleEnd = chrome >= 0 ? chrome : n;

  let shortUrl = -1;
  for (let i = firstAfterTime; i < articleEnd; i++) {
    if (chromeKey(lines[i].text) === GET_SHORT_URL) {
      shortUrl = i;
      break;
    }
  }
  let bodyStart: number;
  let headerEnd: number;
  if (shortUrl >= 0) {
    headerEnd = shortUrl;
    bodyStart = shortUrl + 1;
  } else {
    // With neither landmark there is nothing to tell header lines from body lines: most likely
    // the download stopped inside the header.
    if (chrome < 0) {
      return new DumpError(file, lines[n - 1].no, "no 'Get short URL' line and no discussion: the dump looks cut off inside the header");
    }
    headerEnd = guessHeaderEnd(lines, firstAfterTime, articleEnd);
    bodyStart = headerEnd;
    warnings.push(`no 'Get short URL' line: the header was taken to end at line ${lines[headerEnd - 1].no}`);
  }
  const headerLineNo = headerEnd < n ? lines[headerEnd].no : lines[n - 1].no;
  const header = parseHeader(nonBlank(lines, firstAfterTime, headerEnd), headerLineNo, warnings);
  if (header.title === null) {
    return new DumpError(file, headerLineNo, "no title line above the photo credit or section");
  }

  const bodyEnd = findBodyEnd(lines, bodyStart, articleEnd, chrome >= 0);
  // The scraper may have missed the chrome of a thread that is there: a bullet or the footer at
  // the outer indentation after the body still starts the discussion.
  let discussion = chrome;
  if (chrome < 0 && bodyEnd >= 0) {
    for (let i = bodyEnd; i < n; i++) {
      const l = lines[i];
      if (isBullet(l, outer) || isFooter(l, outer)) {
        discussion = i;
        warnings.push(`line ${l.no}: no discussion chrome ('Community standards', 'All comments') before the comments`);
        break;
      }
    }
  }
  const tailEnd = discussion >= 0 ? discussion : n;

  let paragraphLines: Line[];
  let tail: Line[] = [];
  if (bodyEnd >= 0) {
    paragraphLines = nonBlank(lines, bodyStart, bodyEnd);
    tail = nonBlank(lines, bodyEnd, tailEnd);
  } else if (discussion >= 0) {
    const all = nonBlank(lines, bodyStart, tailEnd);
    paragraphLines = all.slice(0, -1);
    tail = all.slice(-1);
    if (all.length > 0) {
      warnings.push(`line ${all[all.length - 1].no}: no double blank line after the body: ` + "related headlines, if any, were read as paragraphs");
    }
  } else {
    paragraphLines = nonBlank(lines, bodyStart, n);
  }
  if (paragraphLines.length === 0) {
    const at = bodyStart < n ? lines[bodyStart].no : lines[n - 1].no;
    return new DumpError(file, at, "no body paragraphs after the header");
  }

  const paragraphs = paragraphLines.map((l) => l.text);
  let dateline: string | null = null;
  for (let i = 0; i < Math.min(DATELINE_PARAGRAPH_WINDOW, paragraphs.length); i++) {
    const d = matchDateline(paragraphs[i]);
    if (d) {
      dateline = d.dateline;
      paragraphs[i] = d.rest;
      break;
    }
  }

  let relatedLines: Line[] = [];
  let tags: string[] = [];
  if (discussion >= 0) {
    if (tail.length === 0) {
      warnings.push(`line ${lines[discussion].no}: no tags line before the discussion`);
    } else {
      relatedLines = tail.slice(0, -1);
      tags = parseTags(tail[tail.length - 1], warnings);
    }
  } else {
    relatedLines = tail;
    const where = bodyEnd >= 0 ? "after the related headlines" : "inside the body";
    warnings.push(`no tags line: the dump looks truncated (it ends ${where} at line ${lines[n - 1].no})`);
  }
  const relatedLinks: ParsedRelatedLink[] = relatedLines.map((l) => ({ title: l.text }));

  const comments = discussion >= 0 ? parseDiscussion(lines, discussion, outer, warnings) : [];

  const article: ParsedArticle = {
    title: header.title,
    publishedAt: time.date,
    section: header.section,
    imageCaption: header.imageCaption,
    imageCredit: header.imageCredit,
    dateline,
    paragraphs,
    relatedLinks,
    tags,
    comments,
  };
  return { article, warnings };
}

/**
 * Parses one dump. Never throws: a failure to make sense of the text is a DumpError value, so a
 * folder import can report every bad file and carry on.
 */
export function parseDump(text: string, fileName = "<input>"): ParsedDump | DumpError {
  try {
    return parse(text, fileName);
  } catch (e) {
    // Unreachable by design (the property tests assert it); kept so one bad file never takes a
    // whole import down.
    const why = e instanceof Error ? e.message : String(e);
    return new DumpError(fileName, null, `internal parser error: ${why}`);
  }
}
