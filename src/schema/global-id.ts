/**
 * Global ids are base64url("Type:123"): opaque to clients, and enough for
 * node(id) to know which table to look in.
 */
export type NodeTypeName = "Article" | "Tag" | "RelatedLink" | "Comment" | "Author" | "Notification";

const NODE_TYPES: ReadonlySet<string> = new Set<NodeTypeName>(["Article", "Tag", "RelatedLink", "Comment", "Author", "Notification"]);

/**
 * Where ids are spelled before encoding: a global id is short ASCII ("RelatedLink:2147483647" at
 * most), and a deep page spells thousands, so they are written into this one buffer rather than
 * each into a Buffer of its own. Used synchronously only; it carries nothing from one call to the next.
 */
const spelling = Buffer.allocUnsafe(64);

export function toGlobalId(type: NodeTypeName, id: number): string {
  const length = spelling.write(`${type}:${id}`, 0, "latin1");
  return spelling.toString("base64url", 0, length);
}

/** Row ids are 32-bit on PostgreSQL; a larger one names no row, and must not reach SQL. */
const MAX_ROW_ID = 2 ** 31 - 1;

/** The type and row id behind a global id, or null for anything malformed. */
export function fromGlobalId(globalId: string): { type: NodeTypeName; id: number } | null {
  if (!/^[A-Za-z0-9_-]{1,64}={0,2}$/.test(globalId)) return null;
  const match = /^([A-Za-z]+):([1-9][0-9]{0,9})$/.exec(Buffer.from(globalId, "base64url").toString("utf8"));
  if (!match || !NODE_TYPES.has(match[1])) return null;
  const id = Number(match[2]);
  return id <= MAX_ROW_ID ? { type: match[1] as NodeTypeName, id } : null;
}

/** The row id of a global id that must name `type`; null when it does not. */
export function idOfType(globalId: string, type: NodeTypeName): number | null {
  const decoded = fromGlobalId(globalId);
  return decoded && decoded.type === type ? decoded.id : null;
}
