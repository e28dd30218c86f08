/**
 * Rows that articles share: tags (one per folded name) and commenters (one per exact display
 * name, among commenters without a signed-in reader behind them). Found by key, created when
 * missing, inside the importing transaction.
 */
import { EntityManager } from "typeorm";
import { Author, Tag } from "../entities";
import { foldKey } from "../text/fold";
import { insertRows, selectIds } from "../db/bulk-sql";
import { freeTagSlugs } from "./slug-allocation";

export interface DumpTag {
  /** foldKey of the name: what tags are told apart by. */
  key: string;
  /** The name as the dump spelled it. */
  name: string;
}

/** A dump's tags, one per folded name (`Syria` and `SYRIA` are one tag), in dump order. */
export function distinctTags(names: string[]): DumpTag[] {
  const byKey = new Map<string, string>();
  for (const name of names) {
    const key = foldKey(name);
    if (!byKey.has(key)) byKey.set(key, name);
  }
  return [...byKey].map(([key, name]) => ({ key, name }));
}

/**
 * Tag id per folded name, creating missing tags with the name first seen and a slug of their
 * own. A tag keeps its slug for good, so links to it survive re-imports.
 */
export async function resolveTags(manager: EntityManager, tags: DumpTag[]): Promise<Map<string, number>> {
  const byKey = new Map<string, string>();
  for (const tag of tags) if (!byKey.has(tag.key)) byKey.set(tag.key, tag.name);
  if (byKey.size === 0) return new Map();
  const ids = await selectIds(manager, Tag, "nameKey", [...byKey.keys()]);
  const missing = [...byKey].filter(([key]) => !ids.has(key));
  if (missing.length === 0) return ids;

  const slugs = await freeTagSlugs(
    manager,
    missing.map(([, name]) => name),
  );
  await insertRows(
    manager,
    Tag,
    missing.map(([nameKey, name], i) => ({ name, nameKey, slug: slugs[i] })),
  );
  for (const [key, id] of await selectIds(
    manager,
    Tag,
    "nameKey",
    missing.map(([key]) => key),
  )) {
    ids.set(key, id);
  }
  return ids;
}

/**
 * Author id per display name, creating commenters by exact name. A signed-in reader's author is
 * never one of them, whatever its name: the unique name index holds where sub is null, and so does
 * the lookup.
 */
export async function resolveAuthors(manager: EntityManager, names: (string | null)[]): Promise<Map<string, number>> {
  const distinct = [...new Set(names.filter((name): name is string => name !== null))];
  if (distinct.length === 0) return new Map();
  await insertRows(
    manager,
    Author,
    distinct.map((name) => ({ name, nameKey: foldKey(name) })),
    true,
  );
  return selectIds(manager, Author, "name", distinct, `t.sub IS NULL`);
}
