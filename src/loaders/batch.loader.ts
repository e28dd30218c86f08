import DataLoader from "dataloader";

/**
 * Keys per batch: well below SQLite's bound-parameter limit (32,766) with room for the filters' own
 * parameters, and large enough that a deep page (50 articles x 10 comments x 5 replies) still
 * loads each level in one batch.
 */
export const MAX_BATCH = 10_000;

/** Rows by id, in key order, null for ids that no longer exist. */
export function byIdLoader<T extends { id: number }>(load: (ids: number[]) => Promise<T[]>) {
  return new DataLoader<number, T | null>(
    async (ids) => {
      const rows = new Map((await load([...ids])).map((row) => [row.id, row]));
      return ids.map((id) => rows.get(id) ?? null);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/**
 * A count stored in the parent rows, as the totalCount loader of a per-parent list: read through
 * the parents' by-id loader, which has them already wherever the list hangs off a loaded parent.
 * A parent that no longer exists has an empty list.
 */
export function storedCountLoader<T>(byId: DataLoader<number, T | null>, count: (row: T) => number) {
  return new DataLoader<number, number>(
    async (ids) => (await byId.loadMany(ids)).map((row) => (row instanceof Error ? row : row === null ? 0 : count(row))),
    { maxBatchSize: MAX_BATCH },
  );
}

/** Rows grouped under a key, in key order, [] for keys with none. */
export function groupLoader<K, T>(load: (keys: K[]) => Promise<T[]>, keyOf: (row: T) => K) {
  return new DataLoader<K, T[]>(
    async (keys) => {
      const groups = new Map<K, T[]>();
      for (const row of await load([...keys])) {
        const key = keyOf(row);
        const group = groups.get(key);
        if (group) group.push(row);
        else groups.set(key, [row]);
      }
      return keys.map((key) => groups.get(key) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/**
 * Whether text can be looked up at all. PostgreSQL cannot hold NUL in text and would refuse the
 * statement (SQLite would run it); nothing stored has one, so such text is a miss on both engines
 * without asking.
 */
export function storable(text: string): boolean {
  return !text.includes("\u0000");
}

/** Rows by a text key, in key order, null for misses; when several rows share a key, the first loaded wins. */
export function byTextLoader<T>(load: (keys: string[]) => Promise<T[]>, keyOf: (row: T) => string) {
  return new DataLoader<string, T | null>(
    async (keys) => {
      const wanted = [...new Set(keys.filter(storable))];
      const found = new Map<string, T>();
      for (const row of wanted.length === 0 ? [] : await load(wanted)) if (!found.has(keyOf(row))) found.set(keyOf(row), row);
      return keys.map((key) => found.get(key) ?? null);
    },
    { maxBatchSize: MAX_BATCH },
  );
}
