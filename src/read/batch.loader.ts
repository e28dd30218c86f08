import DataLoader from "dataloader";
import type { ReadSet, RowKind } from "../events/cache-keys";

/**
 * Keys per batch: well below SQLite's bound-parameter limit (32,766) with room for the filters' own
 * parameters, and large enough that a deep page (50 articles x 10 comments x 5 replies) still
 * loads each level in one batch.
 */
export const MAX_BATCH = 10_000;

/**
 * Rows by id, in key order, null for ids that no longer exist; `get` answers a row it holds
 * already without a promise. A field resolved to a promise costs graphql-js a `then` and a
 * promise for the object it belongs to, which on a deep page (a reply's parent, its author)
 * were most of the work of fields whose row is already in hand.
 */
export class RowLoader<T extends { id: number }> extends DataLoader<number, T | null> {
  private readonly rows: Map<number, T | null>;
  private readonly note: ((id: number) => void) | null;

  /**
   * With `reads`, every id asked for (found or not) and every row primed is recorded there, and the
   * lists read through this loader's rows record themselves (noteList): what a cached answer read.
   */
  constructor(
    load: (ids: number[]) => Promise<T[]>,
    readonly reads: ReadSet | null = null,
    kind: RowKind | null = null,
  ) {
    const rows = new Map<number, T | null>();
    const note = reads && kind ? reads.recorder(kind) : null;
    super(
      async (ids) => {
        const found = new Map((await load([...ids])).map((row) => [row.id, row]));
        return ids.map((id) => {
          const row = found.get(id) ?? null;
          rows.set(id, row);
          note?.(id);
          return row;
        });
      },
      { maxBatchSize: MAX_BATCH },
    );
    this.rows = rows;
    this.note = note;
  }

  /** The row when it has been loaded (null when it does not exist), else a promise of it. */
  get(id: number): T | null | Promise<T | null> {
    const row = this.rows.get(id);
    return row !== undefined ? row : this.load(id);
  }

  /** The row when it has been loaded or primed (null: it does not exist), undefined when not yet. */
  peek(id: number): T | null | undefined {
    return this.rows.get(id);
  }

  /** Records that the row was read for an answer, without holding it (a partial row: rows.ts `narrowed`). */
  noteRead(id: number): void {
    this.note?.(id);
  }

  prime(id: number, value: T | null | PromiseLike<T | null> | Error): this {
    this.note?.(id);
    if (!this.rows.has(id) && (value === null || (!(value instanceof Error) && typeof (value as PromiseLike<unknown>).then !== "function"))) {
      this.rows.set(id, value as T | null);
    }
    return super.prime(id, value);
  }

  clear(id: number): this {
    this.rows.delete(id);
    return super.clear(id);
  }

  clearAll(): this {
    this.rows.clear();
    return super.clearAll();
  }
}

export function byIdLoader<T extends { id: number }>(
  load: (ids: number[]) => Promise<T[]>,
  reads: ReadSet | null = null,
  kind: RowKind | null = null,
): RowLoader<T> {
  return new RowLoader(load, reads, kind);
}

/**
 * Records that a list whose nodes `byId` serves was read (see ReadSet.list); nothing when the
 * request records nothing. `byCount`: the list is in an order by a stored count.
 */
export function noteList(byId: DataLoader<number, unknown>, name: string, parent = 0, byCount = false): void {
  if (byId instanceof RowLoader && byId.reads) byId.reads.list(name, parent, byCount);
}

/** What a per-parent list's totalCount is read through: a DataLoader, or anything that may answer at once. */
export interface CountSource {
  load(parent: number): number | Promise<number>;
}

/**
 * A count stored in the parent rows, as the totalCount of a per-parent list: read off the parent
 * row, which is loaded already wherever the list hangs off a parent (then without a promise), or
 * else through the parents' by-id loader. A parent that no longer exists has an empty list.
 */
export function storedCountLoader<T extends { id: number }>(byId: DataLoader<number, T | null>, count: (row: T) => number): CountSource {
  const loaded = byId instanceof RowLoader ? (byId as RowLoader<T>) : null;
  const batched = new DataLoader<number, number>(
    async (ids) => (await byId.loadMany(ids)).map((row) => (row instanceof Error ? row : row === null ? 0 : count(row))),
    { maxBatchSize: MAX_BATCH },
  );
  return {
    load(parent) {
      const row = loaded?.peek(parent);
      if (row === undefined) return batched.load(parent);
      return row === null ? 0 : count(row);
    },
  };
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
