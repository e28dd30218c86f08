/** The tag list, and tags by slug and by article. */
import DataLoader from "dataloader";
import { DataSource, In } from "typeorm";
import { sql } from "../db/sql";
import { ArticleTag, Tag } from "../entities";
import { WRITE_LIMITS } from "../text/write-limits";
import { byTextLoader, MAX_BATCH } from "./batch.loader";
import { ListDef, listConnection, PageArgs } from "./connection";

const allTags: ListDef<"FIRST_SEEN"> = {
  name: "tags",
  from: sql`tag t`,
  id: sql`t."id"`,
  where: [],
  orders: { FIRST_SEEN: [{ expr: sql`t."id"`, dir: "ASC", type: "int" }] },
};

/** Per-request tag lists and lookups; `byId` serves the nodes. */
export function tagLoaders(db: DataSource, byId: DataLoader<number, Tag | null>) {
  const bySlug = byTextLoader((slugs) => db.getRepository(Tag).findBy({ slug: In(slugs) }), (row) => row.slug);
  const byArticle = new DataLoader<number, Tag[]>(
    async (articleIds) => {
      const rows = await db.getRepository(ArticleTag).find({
        where: { articleId: In([...articleIds]) },
        relations: { tag: true },
        order: { position: "ASC" },
      });
      const tags = new Map<number, Tag[]>();
      for (const row of rows) tags.set(row.articleId, [...(tags.get(row.articleId) ?? []), row.tag!]);
      // Imports refuse more than WRITE_LIMITS.tags; the cap also holds for rows stored before that rule.
      return articleIds.map((id) => (tags.get(id) ?? []).slice(0, WRITE_LIMITS.tags));
    },
    { maxBatchSize: MAX_BATCH },
  );
  return {
    /** Query.tags: in the order they were first seen. */
    list: (args: PageArgs) => listConnection(db, allTags, "FIRST_SEEN", args, byId),
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
    forArticle: (articleId: number) => byArticle.load(articleId),
  };
}
