/**
 * Text that the engines store differently is refused at the edge, for every argument at once
 * (schema/text-inputs.ts):
 * PostgreSQL rejects NUL in text (an INTERNAL_SERVER_ERROR deep in a query) while SQLite stores it
 * (and `search: "\u0000"` matched every article); an unpaired UTF-16 surrogate is written as U+FFFD
 * by both drivers, so what was stored is not what was sent.
 */
// A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one.
// eslint-disable-next-line no-control-regex -- NUL is the character this rule is about
export const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What in `text` the engines cannot store alike ("a NUL character", "an unpaired UTF-16
 * surrogate"), or null. Text that arrives elsewhere than in arguments (a token's claims, a seed's
 * JSON files) is held to the same rule.
 */
export function unstorableIn(text: string): string | null {
  if (!UNSTORABLE.test(text)) return null;
  return text.includes("\u0000") ? "a NUL character" : "an unpaired UTF-16 surrogate";
}
