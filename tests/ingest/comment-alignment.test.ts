import fc from "fast-check";
import { alignComments, AlignmentPlan, commentImportKey, longestCommonSubsequence, StoredComment } from "../../src/ingest/comment-alignment";

// FC_RUNS=20000 for a longer hunt; the default keeps the suite fast.
const RUNS = Number(process.env.FC_RUNS ?? 500);

/** Table LCS length: the reference the fast one is checked against. */
function lcsLength(a: string[], b: string[]): number {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i][j] = a[i - 1] === b[j - 1] ? table[i - 1][j - 1] + 1 : Math.max(table[i - 1][j], table[i][j - 1]);
    }
  }
  return table[a.length][b.length];
}

/** Stored top-level rows: the dump's (keyed) and readers' (key null), positions non-decreasing, ties allowed. */
function storedRows(entries: { key: string | null; step: number }[]): StoredComment[] {
  let position = 0;
  return entries.map((entry, index) => {
    position += entry.step;
    return { id: 100 + index, position: Math.max(position, 1), importKey: entry.key };
  });
}

/** Everything that must hold of a plan, whatever the input. */
function checkPlan(stored: StoredComment[], dump: string[], plan: AlignmentPlan): void {
  const byId = new Map(stored.map((row) => [row.id, row]));
  const owned = stored.filter((row) => row.importKey !== null);

  // Each dump comment is one row with its key, or new; no row serves twice.
  const used = plan.rowOf.filter((id): id is number => id !== null);
  expect(new Set(used).size).toBe(used.length);
  plan.rowOf.forEach((id, j) => {
    if (id !== null) expect(byId.get(id)?.importKey).toBe(dump[j]);
  });
  // A row is kept (in place or moved) or gone, never both; a reader's row is neither.
  expect([...used, ...plan.gone].sort()).toEqual(owned.map((row) => row.id).sort());
  // As many comments keep their row as the contents allow, and as many stay in place as an LCS allows.
  const counts = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
  const ownedCounts = counts(owned.map((row) => row.importKey as string));
  const possible = [...counts(dump)].reduce((sum, [key, n]) => sum + Math.min(n, ownedCounts.get(key) ?? 0), 0);
  expect(used.length).toBe(possible);
  expect(used.length - plan.moved.length).toBe(
    lcsLength(
      owned.map((row) => row.importKey as string),
      dump,
    ),
  );

  // Final positions: distinct, positive; the dump's comments in dump order, each moved or new one
  // right after its predecessor in the dump; every other row in its old order, never moved up.
  const finalOf = (row: StoredComment) => plan.repositioned.get(row.id) ?? row.position;
  const slots: { position: number; label: string }[] = [
    ...stored.map((row) => ({ position: finalOf(row), label: `row ${row.id}` })),
    ...plan.positionOf.flatMap((position, j) => (plan.rowOf[j] === null ? [{ position, label: `new ${j}` }] : [])),
  ].sort((x, y) => x.position - y.position);
  expect(slots.every((slot) => slot.position >= 1)).toBe(true);
  expect(new Set(slots.map((slot) => slot.position)).size).toBe(slots.length);
  plan.rowOf.forEach((id, j) => {
    if (id !== null) expect(finalOf(byId.get(id) as StoredComment)).toBe(plan.positionOf[j]);
    if (j > 0) expect(plan.positionOf[j]).toBeGreaterThan(plan.positionOf[j - 1]);
  });
  const order = slots.map((slot) => slot.label);
  const moved = new Set(plan.moved);
  plan.rowOf.forEach((id, j) => {
    const floating = id === null || moved.has(id);
    if (!floating) return;
    const here = order.indexOf(id === null ? `new ${j}` : `row ${id}`);
    if (j === 0) expect(here).toBe(0);
    else expect(order[here - 1]).toBe(plan.rowOf[j - 1] === null ? `new ${j - 1}` : `row ${plan.rowOf[j - 1]}`);
  });
  const staying = stored.filter((row) => !moved.has(row.id));
  expect(staying.map((row) => finalOf(row))).toEqual([...staying.map((row) => finalOf(row))].sort((x, y) => x - y));
  for (const row of staying) expect(finalOf(row)).toBeGreaterThanOrEqual(row.position);
  for (const [id, position] of plan.repositioned) expect(byId.get(id)?.position).not.toBe(position);
}

describe("commentImportKey", () => {
  it("ignores whitespace runs and Unicode normal form, and nothing else", () => {
    expect(commentImportKey("Ann", "Ann  says\n\nX ")).toBe(commentImportKey("Ann", "Ann says X"));
    expect(commentImportKey("Zoe\u0308", "Cafe\u0301")).toBe(commentImportKey("Zoë", "Café"));
    expect(commentImportKey("Ann", "ann says x")).not.toBe(commentImportKey("Ann", "Ann says X"));
    expect(commentImportKey(null, "Ann says X")).not.toBe(commentImportKey("", "Ann says X"));
    expect(commentImportKey("Ann", "says X")).not.toBe(commentImportKey("Ann says", "X"));
    expect(commentImportKey("Ann", "Ann says X")).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("alignComments", () => {
  const row = (id: number, position: number, importKey: string | null): StoredComment => ({ id, position, importKey });

  it("keeps every row when a comment is appended, and puts it after its predecessor, before readers' comments", () => {
    const stored = [row(1, 1, "ann"), row(2, 2, "bob"), row(3, 3, null)];
    const plan = alignComments(stored, ["ann", "bob", "cat"]);
    expect(plan).toEqual({ rowOf: [1, 2, null], moved: [], gone: [], positionOf: [1, 2, 3], repositioned: new Map([[3, 4]]) });
    checkPlan(stored, ["ann", "bob", "cat"], plan);
  });

  it("lets a dropped comment go without moving anything", () => {
    const stored = [row(1, 1, "ann"), row(2, 2, "bob"), row(3, 3, "cat")];
    const plan = alignComments(stored, ["bob", "cat"]);
    expect(plan).toEqual({ rowOf: [2, 3], moved: [], gone: [1], positionOf: [2, 3], repositioned: new Map() });
  });

  it("moves a reordered comment with its row, and puts a new first comment first", () => {
    const stored = [row(1, 1, "ann"), row(2, 2, "bob"), row(3, 3, "cat"), row(4, 4, null)];
    const dump = ["new", "cat", "ann", "bob"];
    const plan = alignComments(stored, dump);
    expect(plan.rowOf).toEqual([null, 3, 1, 2]);
    expect(plan.moved).toEqual([3]);
    expect(plan.positionOf).toEqual([1, 2, 3, 4]);
    expect(plan.repositioned).toEqual(
      new Map([
        [3, 2],
        [1, 3],
        [2, 4],
        [4, 5],
      ]),
    );
    checkPlan(stored, dump, plan);
  });

  it("pairs repeated comments in order", () => {
    const stored = [row(1, 1, "+1"), row(2, 2, "x"), row(3, 3, "+1")];
    const plan = alignComments(stored, ["+1", "+1", "x"]);
    checkPlan(stored, ["+1", "+1", "x"], plan);
    expect(plan.gone).toEqual([]);
  });

  it("finds a longest common subsequence, also of long threads", () => {
    const a = Array.from({ length: 3000 }, (_, i) => `c${i}`);
    const b = [...a.slice(0, 1000).reverse(), ...a.slice(1500), "extra"];
    const pairs = longestCommonSubsequence(a, b);
    expect(pairs).toHaveLength(1501);
    for (let k = 1; k < pairs.length; k++) {
      expect(pairs[k][0]).toBeGreaterThan(pairs[k - 1][0]);
      expect(pairs[k][1]).toBeGreaterThan(pairs[k - 1][1]);
    }
    for (const [i, j] of pairs) expect(a[i]).toBe(b[j]);
  });

  it("holds its promises for any stored thread and any re-imported dump (fast-check)", () => {
    const key = fc.constantFrom("a", "b", "c", "d", "e", "f");
    const stored = fc.array(fc.record({ key: fc.option(key, { freq: 3 }), step: fc.nat({ max: 2 }) }), { maxLength: 14 }).map(storedRows);
    fc.assert(
      fc.property(stored, fc.array(key, { maxLength: 14 }), (rows, dump) => {
        checkPlan(rows, dump, alignComments(rows, dump));
      }),
      { numRuns: RUNS },
    );
  });

  it("matches the table LCS on random sequences (fast-check)", () => {
    const seq = fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 20 });
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        const pairs = longestCommonSubsequence(a, b);
        expect(pairs).toHaveLength(lcsLength(a, b));
        for (let k = 0; k < pairs.length; k++) {
          expect(a[pairs[k][0]]).toBe(b[pairs[k][1]]);
          if (k > 0) expect(pairs[k][0] > pairs[k - 1][0] && pairs[k][1] > pairs[k - 1][1]).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
