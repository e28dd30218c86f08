import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { DateTimeResolver } from "graphql-scalars";
import { Node } from "./node.interface";
import { COLUMN_LENGTHS } from "./column-lengths";
import type { ModerationMode } from "./moderation-enums";

@ObjectType({ implements: Node, description: "A news article, imported from a dump or written by upsertArticle.", simpleResolvers: true })
@Entity("article")
@Index("UQ_article_title_published", ["title", "publishedAt"], { unique: true })
// The orders' keys, id last; on SQLite the id is the rowid every index ends with (see the
// stored-counts migration), so there the migration leaves it out.
@Index("IDX_article_published_at", ["publishedAt", "id"])
@Index("IDX_article_comment_count", ["commentCount", "id"])
export class Article {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => String, {
    description:
      "The URL name: the title in lower case, accents folded and every run of other characters made one hyphen; " +
      "on a clash with another article, the publication date (YYYY-MM-DD) and then -2, -3... are appended.",
  })
  @Index("UQ_article_slug", { unique: true })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleSlug })
  slug: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Where the newsroom publishes the article: an absolute http(s) URL, unique among articles. Null for an imported " +
      "article until upsertArticle gives it one.",
  })
  @Index("UQ_article_url", { unique: true })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleUrl, nullable: true })
  url: string | null;

  @Field(() => String, { nullable: true, description: "The publisher's own id for the article, unique among articles; null when none was given." })
  @Index("UQ_article_external_id", { unique: true })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleExternalId, nullable: true })
  externalId: string | null;

  @Field(() => String, { description: "The headline, as the dump gives it." })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleTitle })
  title: string;

  @Field(() => String, { nullable: true, description: 'The section the dump names ("Middle East", "Russia"); null when it names none.' })
  @Index("IDX_article_section")
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleSection, nullable: true })
  section: string | null;

  /** foldKey(section): what `where.section` is compared with, alike on both engines. */
  @Index("IDX_article_section_key")
  @Column({ type: "text", nullable: true })
  sectionKey: string | null;

  @Field(() => DateTimeResolver, { description: "When the article was published, in UTC." })
  @Column({ type: Date })
  publishedAt: Date;

  @Field(() => String, { nullable: true, description: "The caption under the article's photo; null when the dump has none." })
  @Column({ type: "text", nullable: true })
  imageCaption: string | null;

  @Field(() => String, { nullable: true, description: "Who the photo is credited to; null when the dump has no credit line." })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleImageCredit, nullable: true })
  imageCredit: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The place in capitals, with the agency in parentheses, that opens one of the first paragraphs before a dash ("MOSCOW (Sputnik)"); taken off that paragraph, null when it opens with none.',
  })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleDateline, nullable: true })
  dateline: string | null;

  /** Loaders leave the body out of article rows; the resolver reads it when it is selected. */
  @Field(() => [String], { description: "The body, one string per paragraph, in order; the dateline is not part of it." })
  @Column({ type: "simple-json" })
  paragraphs: string[];

  @Field(() => Int, { description: "Whitespace-separated words of the paragraphs that hold at least one letter or digit." })
  @Column({ type: "integer" })
  wordCount: number;

  /**
   * Lower-cased title and body. `where.search` once matched it with LIKE; search now goes through
   * the full-text index (src/search/), and only `npm run bench:search` reads this, as the baseline.
   */
  @Column({ type: "text" })
  searchText: string;

  /** Article.commentCount, kept by the writers of comments (see read/stored-counts.ts). */
  @Column({ type: "integer", default: 0 })
  commentCount: number;

  /** The article's comments in each moderation queue that has a count (ModerationCounts), kept by the writers (read/queue-counts.ts). */
  @Column({ type: "integer", default: 0 })
  pendingCount: number;

  @Column({ type: "integer", default: 0 })
  reportedCount: number;

  @Column({ type: "integer", default: 0 })
  unmoderatedCount: number;

  @Column({ type: "integer", default: 0 })
  rejectedCount: number;

  /** setArticleModeration's mode; null: the MODERATION setting (Article.moderation serves the mode in force). */
  @Column({ type: "varchar", length: 8, nullable: true })
  moderation: ModerationMode | null;

  /** Hash of the parsed dump, so a re-import of an unchanged dump writes nothing. */
  @Column({ type: "varchar", length: 64 })
  contentHash: string;

  /**
   * Hash of the ArticleInput that last wrote the article (upsertArticle, or a seed's export), so the
   * same input again writes nothing; null for an article no upsert wrote. Kept apart from
   * contentHash so that neither source's repeat looks like a change to the other.
   */
  @Column({ type: "varchar", length: 64, nullable: true })
  upsertHash: string | null;
}
