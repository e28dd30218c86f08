/** The commenter list, and commenters by name. */
import type DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { list, sql } from "../db/sql";
import { Author } from "../entities";
import { canSeeAuthor, foundAuthor, ruleSql, Viewer } from "../policy";
import { foldKey } from "../text/fold";
import { byTextLoader, groupLoader, noteList, storable } from "./batch.loader";
import { ListDef, listConnection, PageArgs } from "./connection";
import { authorRows, readRows } from "./rows";

const allAuthors: ListDef<"FIRST_SEEN"> = {
  name: "authors",
  from: sql`author au`,
  id: sql`au."id"`,
  where: [],
  orders: { FIRST_SEEN: [{ expr: sql`au."id"`, dir: "ASC", type: "int" }] },
};

/** Query.authors as the viewer sees it: the commenters they may find (src/policy). */
function authorsFor(viewer: Viewer): ListDef<"FIRST_SEEN"> {
  return { ...allAuthors, where: [ruleSql(foundAuthor(viewer), "au")] };
}

/**
 * Per-request commenter lists and lookups; `byId` serves the nodes. `viewer` decides which
 * commenters may be found (asked only by the lists and lookups, never by bySub).
 */
export function authorLoaders(db: DataSource, byId: DataLoader<number, Author | null>, viewer: () => Promise<Viewer>) {
  const byKey = groupLoader(
    async (keys: string[]) => {
      const wanted = keys.filter(storable);
      return wanted.length === 0 ? [] : readRows(db, authorRows, sql`au."nameKey" IN ${list(wanted)}`, sql`au."id" ASC`);
    },
    (row) => row.nameKey,
  );
  const bySub = byTextLoader(
    (subs: string[]) => readRows(db, authorRows, sql`au."sub" IN ${list(subs)}`),
    (row) => row.sub!,
  );
  return {
    /**
     * A signed-in reader's author row, by their token's sub; null until their first comment. Loaded
     * only when a resolver asks for the reader's row (Viewer.author, viewerCanEdit), once per request.
     */
    async bySub(sub: string): Promise<Author | null> {
      const author = await bySub.load(sub);
      if (author) byId.prime(author.id, author);
      return author;
    },
    /** Query.authors: the commenters the viewer may find, in the order they were first seen. */
    list: async (args: PageArgs) => listConnection(db, authorsFor(await viewer()), "FIRST_SEEN", args, byId, undefined, authorRows),
    /** author(id), node(id): the commenter when the viewer may find them. */
    async found(id: number): Promise<Author | null> {
      const author = await byId.load(id);
      return author !== null && canSeeAuthor(await viewer(), author) ? author : null;
    },
    /**
     * Among the commenters the viewer may find, compared on the folded name; when several fold alike, the exact spelling wins,
     * then the first seen.
     */
    async byName(name: string): Promise<Author | null> {
      // A commenter not found yet may be by the next comment.
      noteList(byId, "authors");
      const seen = await viewer();
      const candidates = (await byKey.load(foldKey(name))).filter((candidate) => canSeeAuthor(seen, candidate));
      const author = candidates.find((candidate) => candidate.name === name) ?? candidates[0] ?? null;
      // Where Author.comments finds its stored total.
      if (author) byId.prime(author.id, author);
      return author;
    },
  };
}
