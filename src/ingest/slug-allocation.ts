/**
 * Slugs for new rows, made unique against what the database already holds. slug.ts says what a
 * slug looks like; this file settles clashes, which needs the database.
 */
import { EntityManager } from "typeorm";
import { Article, Tag } from "../entities";
import type { ParsedArticle } from "./dump.types";
import { chunks, MAX_PARAMETERS, selectIds } from "../db/bulk-sql";
import { slugify, tagSlug } from "./slug";

/**
 * A slug per new article, from its title; on a clash with another article (stored, or earlier in
 * the same batch), the title's UTC date is appended, then -2, -3...
 */
export async function freeArticleSlugs(manager: EntityManager, articles: ParsedArticle[]): Promise<string[]> {
  const bases = articles.map((parsed) => slugify(parsed.title));
  const taken = new Set<string>();
  for (const chunk of chunks([...new Set(bases)], MAX_PARAMETERS)) {
    const rows = await manager
      .createQueryBuilder(Article, "a")
      .select("a.slug", "slug")
      .where("a.slug IN (:...chunk)", { chunk })
      .getRawMany<{ slug: string }>();
    for (const row of rows) taken.add(row.slug);
  }
  const slugs: string[] = [];
  for (let i = 0; i < articles.length; i++) {
    let slug = bases[i];
    if (taken.has(slug)) {
      const dated = `${slug}-${articles[i].publishedAt.toISOString().slice(0, 10)}`;
      // Clashes are rare, so their variants are looked up one article at a time. Slugs hold
      // only letters, digits and "-", so the LIKE pattern needs no escaping.
      const rows = await manager
        .createQueryBuilder(Article, "a")
        .select("a.slug", "slug")
        .where("a.slug = :dated OR a.slug LIKE :numbered", { dated, numbered: `${dated}-%` })
        .getRawMany<{ slug: string }>();
      for (const row of rows) taken.add(row.slug);
      slug = dated;
      for (let n = 2; taken.has(slug); n++) slug = `${dated}-${n}`;
    }
    taken.add(slug);
    slugs.push(slug);
  }
  return slugs;
}

/**
 * A slug per new tag name, in order. A slug comes from the name; when another tag (stored, or
 * earlier in the list) holds it already, -2, -3... is appended.
 */
export async function freeTagSlugs(manager: EntityManager, names: string[]): Promise<string[]> {
  const bases = names.map((name) => tagSlug(name));
  const taken = new Set((await selectIds(manager, Tag, "slug", [...new Set(bases)])).keys());
  const slugs: string[] = [];
  for (const base of bases) {
    let slug = base;
    if (taken.has(slug)) {
      // Clashes are rare (names that differ only in punctuation), so they are looked up one at a time.
      const variants = await manager
        .createQueryBuilder(Tag, "t")
        .select("t.slug", "slug")
        .where("t.slug LIKE :numbered", { numbered: `${base}-%` })
        .getRawMany<{ slug: string }>();
      for (const row of variants) taken.add(row.slug);
      for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
    }
    taken.add(slug);
    slugs.push(slug);
  }
  return slugs;
}
