/**
 * Rows as GraphQL reads them: for each table, the columns its fields need and how a row of them
 * becomes an entity. Loaders read through here with plain SQL instead of TypeORM's repositories:
 * entity hydration cost more than the statements themselves, and a repository loads every column,
 * an article's whole text (paragraphs, searchText: about 6 KB) for a list of titles.
 *
 * An article row leaves its body out; Article.paragraphs reads it through its own loader. Rows
 * become instances of the entity classes, so type-graphql takes them as they are (it would copy
 * any other object into a new instance at every field) and Node's type is told by class.
 */
import { DataSource } from "typeorm";
import { readDate, run, Sql, sql } from "../db/sql";
import { Article, Author, Comment, CommentStatus, ModerationAction, ModerationActionKind, ModerationMode, RelatedLink, Tag } from "../entities";
import type { Role } from "../resolvers/types/viewer.types";

type Row = Record<string, unknown>;

/** One table as loaders read it: FROM with an alias, the columns, and the entity a row becomes. */
export interface RowShape<T> {
  from: Sql;
  columns: Sql;
  build(row: Row): T;
}

const dateOrNull = (value: unknown): Date | null => (value === null || value === undefined ? null : readDate(value));
const intOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export const articleRows: RowShape<Article> = {
  from: sql`article a`,
  columns: sql`a."id", a."slug", a."title", a."section", a."publishedAt", a."imageCaption", a."imageCredit", a."dateline", a."wordCount", a."commentCount", a."moderation", a."url", a."externalId"`,
  build(row) {
    const article = new Article();
    article.id = Number(row.id);
    article.slug = String(row.slug);
    article.title = String(row.title);
    article.section = textOrNull(row.section);
    article.publishedAt = readDate(row.publishedAt);
    article.imageCaption = textOrNull(row.imageCaption);
    article.imageCredit = textOrNull(row.imageCredit);
    article.dateline = textOrNull(row.dateline);
    article.wordCount = Number(row.wordCount);
    article.commentCount = Number(row.commentCount);
    article.moderation = textOrNull(row.moderation) as ModerationMode | null;
    article.url = textOrNull(row.url);
    article.externalId = textOrNull(row.externalId);
    return article;
  },
};

export const commentRows: RowShape<Comment> = {
  from: sql`comment c`,
  columns: sql`c."id", c."articleId", c."parentId", c."authorId", c."body", c."hasAvatar", c."depth", c."position", c."createdAt", c."editedAt", c."isDeleted", c."replyCount", c."status", c."flagCount", c."featuredAt", c."reactionCount"`,
  build(row) {
    const comment = new Comment();
    comment.id = Number(row.id);
    comment.articleId = Number(row.articleId);
    comment.parentId = intOrNull(row.parentId);
    comment.authorId = intOrNull(row.authorId);
    comment.body = String(row.body);
    // SQLite answers booleans as 0 and 1.
    comment.hasAvatar = Boolean(row.hasAvatar);
    comment.depth = Number(row.depth);
    comment.position = Number(row.position);
    comment.createdAt = dateOrNull(row.createdAt);
    comment.editedAt = dateOrNull(row.editedAt);
    comment.isDeleted = Boolean(row.isDeleted);
    comment.replyCount = Number(row.replyCount);
    comment.reactionCount = Number(row.reactionCount);
    comment.status = String(row.status) as CommentStatus;
    comment.flagCount = Number(row.flagCount);
    comment.featuredAt = dateOrNull(row.featuredAt);
    return comment;
  },
};

export const authorRows: RowShape<Author> = {
  from: sql`author au`,
  columns: sql`au."id", au."name", au."nameKey", au."sub", au."commentCount"`,
  build(row) {
    const author = new Author();
    author.id = Number(row.id);
    author.name = String(row.name);
    author.nameKey = String(row.nameKey);
    author.sub = textOrNull(row.sub);
    author.commentCount = Number(row.commentCount);
    return author;
  },
};

export const tagRows: RowShape<Tag> = {
  from: sql`tag t`,
  columns: sql`t."id", t."name", t."nameKey", t."slug", t."articleCount"`,
  build(row) {
    const tag = new Tag();
    tag.id = Number(row.id);
    tag.name = String(row.name);
    tag.nameKey = String(row.nameKey);
    tag.slug = String(row.slug);
    tag.articleCount = Number(row.articleCount);
    return tag;
  },
};

export const relatedLinkRows: RowShape<RelatedLink> = {
  from: sql`related_link rl`,
  columns: sql`rl."id", rl."articleId", rl."title", rl."position"`,
  build(row) {
    const link = new RelatedLink();
    link.id = Number(row.id);
    link.articleId = Number(row.articleId);
    link.title = String(row.title);
    link.position = Number(row.position);
    return link;
  },
};

export const moderationActionRows: RowShape<ModerationAction> = {
  from: sql`moderation_action ma`,
  columns: sql`ma."id", ma."commentId", ma."action", ma."status", ma."reason", ma."actorRole", ma."actorName", ma."actorSub", ma."createdAt"`,
  build(row) {
    const action = new ModerationAction();
    action.id = Number(row.id);
    action.commentId = Number(row.commentId);
    action.action = String(row.action) as ModerationActionKind;
    action.status = textOrNull(row.status) as CommentStatus | null;
    action.reason = textOrNull(row.reason);
    action.actorRole = textOrNull(row.actorRole) as Role | null;
    action.actorName = textOrNull(row.actorName);
    action.actorSub = textOrNull(row.actorSub);
    action.createdAt = readDate(row.createdAt);
    return action;
  },
};

/** The rows of `shape` that pass `where`, in `orderBy` order when given. */
export async function readRows<T>(db: DataSource, shape: RowShape<T>, where: Sql, orderBy?: Sql): Promise<T[]> {
  const order = orderBy ? sql` ORDER BY ${orderBy}` : sql``;
  const rows = await run(db, sql`SELECT ${shape.columns} FROM ${shape.from} WHERE ${where}${order}`);
  return rows.map(shape.build);
}
