/**
 * Which stored comment is which comment of a re-imported dump, and where new ones go. Pure: the
 * reconciler reads the rows, asks alignComments for a plan and writes it.
 *
 * Comments are told apart by content (author and normalised body), never by position: a
 * position says nothing once the dump gained or lost a comment above it. The stored side keeps
 * the key of what the dump said when the row was written, so a moderator's edit of the body does
 * not hide a comment from its dump.
 */
import { createHash } from "node:crypto";
import { collapseWhitespace } from "../text/whitespace";

/**
 * Text as compared between dumps: NFC, whitespace runs as one space, no outer whitespace. Two
 * scrapes of one page differ in exactly these ways, and no reader would call the results two
 * different comments.
 */
export function normaliseCommentText(text: string): string {
  return collapseWhitespace(text.normalize("NFC"));
}

/**
 * What identifies an imported comment: a digest of its normalised author name and body as the
 * dump gave them. A digest, not the text, because it is only ever compared, and it keeps a copy
 * of every body out of the table. Changing this rule changes every stored key: it needs a
 * migration that recomputes them, or every comment would look new to the next re-import.
 */
export function commentImportKey(author: string | null, body: string): string {
  const canonical = JSON.stringify([author === null ? null : normaliseCommentText(author), normaliseCommentText(body)]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** A stored top-level comment, in thread order. */
export interface StoredComment {
  id: number;
  position: number;
  /** The key of what the dump said; null for a comment no dump owns (posted through the API). */
  importKey: string | null;
}

export interface AlignmentPlan {
  /** Per dump comment: the id of the stored row that is it, or null when it is new. */
  rowOf: (number | null)[];
  /** Rows the dump still has but in another place: they move, and keep their replies. */
  moved: number[];
  /** Rows of the dump's comments that the dump no longer has. */
  gone: number[];
  /** Per dump comment: its position among the top-level comments after the re-import. */
  positionOf: number[];
  /** New position of every stored row whose position changes (moved rows included). */
  repositioned: Map<number, number>;
}

/**
 * Lines the dump's comments up with the stored ones.
 *
 * 1. The longest common subsequence of the two key sequences is matched in place: those rows
 *    keep their place.
 * 2. A dump comment left over whose key a left-over row has is that row, moved (the dump
 *    reordered it); equal keys pair up in order.
 * 3. Every other dump comment is new; every other row of the dump's comments is gone.
 *
 * Moved and new comments go right after the comment that precedes them in the dump (or first of
 * all, for the dump's first); everything else keeps its order, comments posted through the API
 * and gone ones included. Positions then only grow along that order: a row keeps its position
 * when that is still past the previous one, and is shifted up otherwise.
 */
export function alignComments(stored: StoredComment[], dump: string[]): AlignmentPlan {
  const owned = stored.filter((row): row is StoredComment & { importKey: string } => row.importKey !== null);
  const rowOf: (number | null)[] = new Array<number | null>(dump.length).fill(null);
  const inPlace = new Map<number, number>();
  for (const [i, j] of longestCommonSubsequence(
    owned.map((row) => row.importKey),
    dump,
  )) {
    rowOf[j] = owned[i].id;
    inPlace.set(owned[i].id, j);
  }

  const leftOver = new Map<string, number[]>();
  for (const row of owned) {
    if (inPlace.has(row.id)) continue;
    const queue = leftOver.get(row.importKey);
    if (queue) queue.push(row.id);
    else leftOver.set(row.importKey, [row.id]);
  }
  const moved = new Set<number>();
  dump.forEach((key, j) => {
    if (rowOf[j] !== null) return;
    const id = leftOver.get(key)?.shift();
    if (id === undefined) return;
    rowOf[j] = id;
    moved.add(id);
  });
  const gone = owned.filter((row) => !inPlace.has(row.id) && !moved.has(row.id)).map((row) => row.id);

  // Thread order after the re-import: rows that stay, each followed by the run of moved and
  // new dump comments that come after it in the dump.
  const order: ({ row: StoredComment } | { dumpIndex: number })[] = [];
  const placeRunAfter = (j: number) => {
    for (let k = j + 1; k < dump.length && !(rowOf[k] !== null && inPlace.has(rowOf[k] as number)); k++) order.push({ dumpIndex: k });
  };
  placeRunAfter(-1);
  for (const row of stored) {
    if (moved.has(row.id)) continue;
    order.push({ row });
    const j = inPlace.get(row.id);
    if (j !== undefined) placeRunAfter(j);
  }

  const positionOf: number[] = new Array<number>(dump.length).fill(0);
  const repositioned = new Map<number, number>();
  const current = new Map(stored.map((row) => [row.id, row.position]));
  let last = 0;
  for (const slot of order) {
    let id: number | null;
    let position: number;
    if ("row" in slot) {
      id = slot.row.id;
      position = slot.row.position > last ? slot.row.position : last + 1;
      const j = inPlace.get(id);
      if (j !== undefined) positionOf[j] = position;
    } else {
      id = rowOf[slot.dumpIndex];
      position = last + 1;
      positionOf[slot.dumpIndex] = position;
    }
    if (id !== null && current.get(id) !== position) repositioned.set(id, position);
    last = position;
  }
  return { rowOf, moved: [...moved], gone, positionOf, repositioned };
}

interface Link {
  i: number;
  j: number;
  previous: Link | null;
}

/**
 * Index pairs [i, j] of a longest common subsequence of a and b, increasing in both. Common
 * ends are paired off first (a re-import mostly appends or drops a few comments); the rest goes
 * through Hunt–Szymanski: a longest increasing run over the matching pairs, O((n + r) log n) for
 * r matching pairs, which stays small while most comments are distinct. A plain table would
 * need n × m cells, 9 million for two 3,000-comment threads.
 */
export function longestCommonSubsequence(a: readonly string[], b: readonly string[]): [number, number][] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }

  const where = new Map<string, number[]>();
  for (let i = start; i < endA; i++) {
    const list = where.get(a[i]);
    if (list) list.push(i);
    else where.set(a[i], [i]);
  }
  // tails[k]: the smallest i that ends a common run of length k + 1 found so far.
  const tails: number[] = [];
  const ends: Link[] = [];
  for (let j = start; j < endB; j++) {
    const is = where.get(b[j]);
    if (!is) continue;
    // Descending i, so two pairs with the same j never extend each other.
    for (let n = is.length - 1; n >= 0; n--) {
      const i = is[n];
      let lo = 0;
      let hi = tails.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (tails[mid] < i) lo = mid + 1;
        else hi = mid;
      }
      tails[lo] = i;
      ends[lo] = { i, j, previous: lo > 0 ? ends[lo - 1] : null };
    }
  }

  const middle: [number, number][] = [];
  for (let link: Link | null = ends[ends.length - 1] ?? null; link !== null; link = link.previous) middle.push([link.i, link.j]);
  middle.reverse();
  const pairs: [number, number][] = [];
  for (let k = 0; k < start; k++) pairs.push([k, k]);
  pairs.push(...middle);
  for (let k = 0; k < a.length - endA; k++) pairs.push([endA + k, endB + k]);
  return pairs;
}
