import { createHash } from "node:crypto";

/** Longest slug slugify returns; leaves room in the 200/300-character columns for suffixes. */
export const SLUG_MAX_LENGTH = 120;

/**
 * URL-safe key for a title or a tag name: lower case, accents folded, any run
 * of other characters turned into one "-". Letters of every script are kept,
 * so Cyrillic and CJK tags get readable slugs instead of all collapsing to the
 * fallback. Text with no letter or digit at all (emoji, punctuation) gets a
 * short hash of itself, so two such tags are still told apart.
 */
export function slugify(text: string): string {
  const folded = text
    .normalize("NFKD")
    // NFKD splits "é" into "e" + a combining accent; dropping marks that follow a
    // Latin or Greek letter folds the accent. Elsewhere marks are part of the
    // letter (Japanese "が" vs "か", Cyrillic "й"), so they stay and NFC puts
    // them (and Hangul syllables, which NFKD also splits) back together.
    .replace(/([\p{Script=Latin}\p{Script=Greek}])\p{M}+/gu, "$1")
    .normalize("NFC")
    .toLowerCase();
  const slug = capLength(folded.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, ""));
  if (slug !== "") return slug;
  const trimmed = text.trim();
  if (trimmed === "") return "untitled";
  return `x-${createHash("sha256").update(trimmed.normalize("NFC")).digest("hex").slice(0, 10)}`;
}

/** Cuts at a code point (never inside a surrogate pair) and drops a dangling "-". */
function capLength(slug: string): string {
  const points = Array.from(slug);
  if (points.length <= SLUG_MAX_LENGTH) return slug;
  return points.slice(0, SLUG_MAX_LENGTH).join("").replace(/-+$/, "");
}

/**
 * The slug a new tag starts from. Tag names lean on symbols that slugify would drop, so a "+" or
 * "#" that ends a word is spelled out: "C++" is c-plus-plus and "C#" is c-sharp, not both "c".
 * Any clash left over is settled by the importer with a numeric suffix.
 */
export function tagSlug(name: string): string {
  return slugify(name.replace(/(?<=[\p{L}\p{N}+])\+/gu, " plus ").replace(/(?<=[\p{L}\p{N}])#/gu, " sharp "));
}
