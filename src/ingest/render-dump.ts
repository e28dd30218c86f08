/**
 * ParsedArticle -> text dump in the exact layout of seeds/000_264e2ba6f5280dab.txt: the inverse of
 * parseDump for well-formed articles. Used to generate test and benchmark dumps, so it only joins
 * strings.
 *
 * "Well-formed" means what the format can express: single-line, trimmed header fields, paragraphs,
 * headlines and tags (no commas in a tag, at least one tag, unique case-insensitively); a credit
 * starting with "©" (one is prefixed otherwise) and a caption only alongside a credit; a section;
 * at least one paragraph, none of which opens like a dateline; comment text without leading or
 * trailing blank lines or indentation; an anonymous avatar comment whose first line is followed by
 * a blank line or nothing (otherwise that line reads as a name); a comment without avatar whose
 * text is not "avatar".
 */
import type { ParsedArticle } from "./dump.types";

export interface RenderDumpOptions {
  crlf?: boolean;
  bom?: boolean;
  /** Whole hours; the page prints local time. Default +3 (Moscow), as on Sputnik. */
  utcOffsetHours?: number;
  /** The "Show new comments (N)" count, which the parser ignores. Default 0. */
  footerCount?: number;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const OUTER = "    ";
const INNER = "      ";

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * "15:50 GMT +324 February 2017". A two-digit offset gets a two-digit day so that "+1102" cannot
 * read as +1, day 102; a one-digit offset keeps the day bare as the pages do ("+37 April").
 */
export function renderTimeLine(instant: Date, utcOffsetHours: number): string {
  const local = new Date(instant.getTime() + utcOffsetHours * 3_600_000);
  const sign = utcOffsetHours < 0 ? "-" : "+";
  const offset = Math.abs(utcOffsetHours);
  const day = offset >= 10 ? pad2(local.getUTCDate()) : String(local.getUTCDate());
  return `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())} GMT ${sign}${offset}${day} ` + `${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()}`;
}

export function renderDump(article: ParsedArticle, options: RenderDumpOptions = {}): string {
  const out: string[] = [renderTimeLine(article.publishedAt, options.utcOffsetHours ?? 3)];
  if (article.imageCaption !== null) out.push(OUTER + article.imageCaption, "");
  out.push(OUTER + article.title, "");
  if (article.imageCredit !== null) {
    const credit = article.imageCredit.startsWith("©") ? article.imageCredit : `© ${article.imageCredit}`;
    out.push(OUTER + credit);
  }
  if (article.section !== null) out.push(OUTER + article.section);
  out.push(`${OUTER}Get short URL`, "");

  article.paragraphs.forEach((p, i) => {
    if (i > 0) out.push("");
    out.push(OUTER + (i === 0 && article.dateline !== null ? `${article.dateline} – ${p}` : p));
  });
  out.push("", "");

  for (const link of article.relatedLinks) out.push(OUTER + link.title);
  if (article.tags.length > 0) out.push(OUTER + article.tags.join(", "));
  out.push(
    `${OUTER}Community standardsDiscussion`,
    `${OUTER}Comment via FacebookComment via Sputnik`,
    // The Cyrillic С is what the real pages carry.
    `${OUTER}• \u0421omment`,
    "",
    `${OUTER}All comments`,
    "",
  );

  for (const c of article.comments) {
    const lines = c.body.split("\n");
    if (c.hasAvatar) {
      out.push(`${OUTER}• avatar`);
      if (c.author !== null) out.push(INNER + c.author);
      for (const l of lines) out.push(l === "" ? "" : INNER + l);
    } else {
      out.push(`${OUTER}• ${lines[0]}`);
      for (let i = 1; i < lines.length; i++) out.push(lines[i] === "" ? "" : INNER + lines[i]);
    }
  }
  out.push(`${OUTER}Show new comments (${options.footerCount ?? 0})`);

  const text = out.join(options.crlf ? "\r\n" : "\n");
  return options.bom ? `\uFEFF${text}` : text;
}
