/** The tag list, and tags by slug and by article. */
import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { list, sql } from "../db/sql";
import { Tag } from "../entities";
import { WRITE_LIMITS } from "../text/write-limits";
import { byTextLoader, MAX_BATCH, noteList } from "./batch.loader";
import { ListDef, listConnection, PageArgs } from "./connection";
import { readRows, RowShape, tagRows } from "./rows";

const allTags: ListDef<"FIRST_SEEN"> = {
  name: "tags",
  from: sql`tag t`,
  id: sql`t."id"`,
  where: [],
  orders: { FIRST_SEEN: [{ expr: sql`t."id"`, dir: "ASC", type: "int" }] },
};

/** Tags with the article that carries them, in the dump's order. */
const tagsOfArticles: RowShape<{ articleId: number; tag: Tag }> = {
  from: sql`article_tag at JOIN tag t ON t."id" = at."tagId"`,
  columns: sql`at."articleId", ${tagRows.columns}`,
  width: 1 + tagRows.width,
  build: (row) => ({ articleId: Number(row.articleId), tag: tagRows.build(row) }),
};

/** Per-request tag lists and lookups; `byId` serves the nodes. */
export function tagLoaders(db: DataSource, byId: DataLoader<number, Tag | null>) {
  const bySlug = byTextLoader(
    (slugs) => readRows(db, tagRows, sql`t."slug" IN ${list(slugs)}`),
    (row) => row.slug,
  );
  const byArticle = new DataLoader<number, Tag[]>(
    async (articleIds) => {
      const rows = await readRows(db, tagsOfArticles, sql`at."articleId" IN ${list([...articleIds])}`, sql`at."position" ASC`);
      const tags = new Map<number, Tag[]>();
      for (const { articleId, tag } of rows) {
        const group = tags.get(articleId);
        if (group) group.push(tag);
        else tags.set(articleId, [tag]);
      }
      // Imports refuse more than WRITE_LIMITS.tags; the cap also holds for rows stored before that rule.
      return articleIds.map((id) => (tags.get(id) ?? []).slice(0, WRITE_LIMITS.tags));
    },
    { maxBatchSize: MAX_BATCH },
  );
  return {
    /** Query.tags: in the order they were first seen. */
    list: (args: PageArgs) => listConnection(db, allTags, "FIRST_SEEN", args, byId, undefined, tagRows),
    /**
     * Query.tag: slugs are stored in lower case, so "SYRIA" finds syria. The tag is primed into
     * `byId`, where its articles' list finds its stored total.
     */
    async bySlug(slug: string): Promise<Tag | null> {
      const tag = await bySlug.load(slug.toLowerCase());
      if (tag) byId.prime(tag.id, tag);
      return tag;
    },
    /** Article.tags, in the dump's order, at most WRITE_LIMITS.tags. */
    forArticle: (articleId: number) => {
      noteList(byId, "tags");
      return byArticle.load(articleId);
    },
  };
}
