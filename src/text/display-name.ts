import { unstorableIn } from "./unstorable";
import { characterCount, WRITE_LIMITS } from "./write-limits";

/**
 * Characters that show nothing in a name but change how it reads or compares: the bidirectional
 * controls (U+202E turns "Ann‮nimda" around) and marks, and the zero-width space, joiners, word
 * joiner and byte-order mark, which make two names that look the same differ. (Joiners inside
 * emoji sequences go too: such an emoji shows as its parts.)
 */
const INVISIBLE = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/gu;

/** A display name as stored (possibly "": no name), or what is wrong with it, to follow the name of where it came from. */
export type DisplayNameCheck = { name: string } | { problem: string };

/**
 * One rule for every display name a client gives, an `authorName` argument or a reader token's
 * `name` claim: invisible characters removed, then trimmed; one line of text; at most
 * WRITE_LIMITS.authorName characters; nothing the engines cannot store (an unpaired surrogate
 * would be stored as U+FFFD, and then differ from the token's name at every write).
 */
export function checkDisplayName(raw: string): DisplayNameCheck {
  const unstorable = unstorableIn(raw);
  if (unstorable !== null) return { problem: `contains ${unstorable}, which cannot be stored` };
  const name = raw.replace(INVISIBLE, "").trim();
  if (/\p{Cc}/u.test(name)) return { problem: "must be a single line of text" };
  const length = characterCount(name);
  if (length > WRITE_LIMITS.authorName) return { problem: `is ${length} characters long; the limit is ${WRITE_LIMITS.authorName}` };
  return { name };
}
