import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { countRows, fetchIdPages, IdPage, ListSpec } from "../db/page-query";
import { Page, PageWindow } from "../schema/connection";

/**
 * Keys per batch: well below SQLite's bound-parameter limit (32,766) with
 * room for the filters' own parameters, and large enough that a deep page
 * (50 articles x 10 comments x 5 replies) still loads each level in one batch.
 */
export const MAX_BATCH = 10_000;

export interface PageKey<O extends string> {
  parent: number;
  window: PageWindow;
  order: O;
}

/**
 * Pages of a per-parent list (an article's comments, a comment's replies...).
 * Keys asking for the same window and order are served by one statement.
 */
export function pageLoader<O extends string>(db: DataSource, specFor: (order: O) => ListSpec) {
  return new DataLoader<PageKey<O>, IdPage, string>(
    async (keys) => {
      const groups = new Map<string, PageKey<O>[]>();
      for (const key of keys) {
        const group = JSON.stringify([key.window, key.order]);
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const results = new Map<string, IdPage>();
      for (const [group, members] of groups) {
        const { window, order } = members[0];
        const parents = [...new Set(members.map((key) => key.parent))];
        const pages = await fetchIdPages(db, specFor(order), window, parents);
        for (const parent of parents) {
          results.set(JSON.stringify([parent, group]), pages.get(parent)!);
        }
      }
      return keys.map((key) => results.get(JSON.stringify([key.parent, JSON.stringify([key.window, key.order])]))!);
    },
    { cacheKeyFn: (key) => JSON.stringify([key.parent, key.window, key.order]), maxBatchSize: MAX_BATCH },
  );
}

/** How many rows a per-parent list holds, for many parents in one statement. */
export function countLoader(db: DataSource, spec: ListSpec) {
  return new DataLoader<number, number>(
    async (parents) => {
      const counts = await countRows(db, spec, [...parents]);
      return parents.map((parent) => counts.get(parent) ?? 0);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

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

/** Rows grouped under a key, in key order, [] for keys with none. */
export function groupLoader<K, T>(load: (keys: K[]) => Promise<T[]>, keyOf: (row: T) => K) {
  return new DataLoader<K, T[]>(
    async (keys) => {
      const groups = new Map<K, T[]>();
      for (const row of await load([...keys])) {
        const key = keyOf(row);
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      return keys.map((key) => groups.get(key) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/** Resolves an id page's nodes through a by-id loader and wraps it as a connection. */
export async function toConnection<T>(
  idPage: IdPage,
  byId: DataLoader<number, T | null>,
  totalCount: () => Promise<number>,
): Promise<Page<T>> {
  const loaded = await byId.loadMany(idPage.ids);
  const edges: Page<T>["edges"] = [];
  loaded.forEach((node, index) => {
    if (node instanceof Error) throw node;
    // A row deleted between the two statements is simply left out.
    if (node !== null) edges.push({ cursor: idPage.cursors[index], node });
  });
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: idPage.hasNextPage,
      hasPreviousPage: idPage.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    get totalCount() {
      return totalCount();
    },
  };
}

/** A top-level list (articles, tags, authors): one page statement, and a count only if asked. */
export async function listConnection<T>(
  db: DataSource,
  spec: ListSpec,
  window: PageWindow,
  byId: DataLoader<number, T | null>,
): Promise<Page<T>> {
  const idPage = (await fetchIdPages(db, spec, window, null)).get(0)!;
  return toConnection(idPage, byId, async () => (await countRows(db, spec, null)).get(0) ?? 0);
}
