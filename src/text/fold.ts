import { collapseWhitespace } from "./whitespace";

/**
 * The one meaning of "the same text, ignoring case" on both engines. Sections, tag names and
 * author names are stored with this key beside them and compared on it in SQL, because the
 * engines' own LOWER() differ (SQLite's folds ASCII only).
 *
 * It approximates Unicode's NFKC_Casefold: compatibility forms are unified (full-width letters,
 * ligatures, superscripts), then case is folded with full mappings. Upper-casing before
 * lower-casing gives the full folds that lower-casing alone misses: "ß" and "ẞ" become "ss",
 * final sigma "ς" becomes "σ", and "ﬁ" becomes "fi". Runs of white space count as one space, and
 * leading or trailing space as none, since scraped names differ in nothing else.
 */
export function foldKey(text: string): string {
  return collapseWhitespace(text.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC"));
}

/** foldKey for a nullable value, so an absent section stays absent. */
export function foldNullable(text: string | null): string | null {
  return text === null ? null : foldKey(text);
}
