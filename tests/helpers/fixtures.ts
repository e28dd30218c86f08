import { DataSource } from "typeorm";
import { recountStoredCounts } from "../../src/read/stored-counts";
import { inTransaction } from "../../src/db/transaction";
import { Comment } from "../../src/entities";
import { ParsedArticle } from "../../src/ingest/dump.types";
import { importArticle } from "../../src/ingest/import";

/** A generated article with `comments` comments by a handful of shared commenters. */
export function generatedArticle(index: number, comments = 6): ParsedArticle {
  return {
    title: `Generated Story Number ${index}`,
    publishedAt: new Date(Date.UTC(2018, 0, 1, 12, index)),
    section: index % 2 ? "World" : "Business",
    imageCaption: null,
    imageCredit: null,
    dateline: null,
    paragraphs: [`Paragraph one of story ${index}.`, `Paragraph two of story ${index}.`],
    relatedLinks: [{ title: `Generated Story Number ${index + 1}` }, { title: "A headline nobody wrote" }],
    tags: ["Generated", `Batch ${index % 3}`],
    comments: Array.from({ length: comments }, (_, c) => ({
      author: c % 3 === 0 ? null : `Reader ${c % 5}`,
      hasAvatar: c % 3 !== 0,
      body: `Comment ${c} on story ${index}`,
    })),
  };
}

/** Imports generated articles 0..count-1 and gives every top-level comment `replies` direct replies. */
export async function seedGenerated(db: DataSource, count: number, replies = 2): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push((await importArticle(db, generatedArticle(i))).articleId);
  const repo = db.getRepository(Comment);
  const parents = await repo.find({ where: { depth: 0 }, order: { id: "ASC" } });
  const rows = parents.flatMap((parent) =>
    Array.from({ length: replies }, (_, r) =>
      repo.create({
        articleId: parent.articleId,
        parentId: parent.id,
        authorId: parent.authorId,
        body: `Reply ${r} to ${parent.id}`,
        hasAvatar: false,
        depth: 1,
        position: r + 1,
        imported: false,
        createdAt: new Date(),
        isDeleted: false,
      }),
    ),
  );
  await repo.save(rows, { chunk: 200 });
  await recountAfterDirectWrites(db);
  return ids;
}

/** Rows written straight into the tables, as fixtures do, are counted as the writers would have. */
export function recountAfterDirectWrites(db: DataSource): Promise<void> {
  return inTransaction(db, (manager) => recountStoredCounts(manager));
}
