import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { DateTimeResolver } from "graphql-scalars";
import { Node } from "../schema/node.interface";
import { COLUMN_LENGTHS } from "./column-lengths";
import type { ModerationMode } from "./moderation-enums";

@ObjectType({ implements: Node, description: "A news article imported from a dump.", simpleResolvers: true })
@Entity("article")
@Index("UQ_article_title_published", ["title", "publishedAt"], { unique: true })
// The orders' keys, id last; on SQLite the id is the rowid every index ends with (see the
// stored-counts migration), so there the migration leaves it out.
@Index("IDX_article_published_at", ["publishedAt", "id"])
@Index("IDX_article_comment_count", ["commentCount", "id"])
export class Article {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => String)
  @Index("UQ_article_slug", { unique: true })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleSlug })
  slug: string;

  @Field(() => String)
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleTitle })
  title: string;

  @Field(() => String, { nullable: true })
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

  @Field(() => String, { nullable: true })
  @Column({ type: "text", nullable: true })
  imageCaption: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleImageCredit, nullable: true })
  imageCredit: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.articleDateline, nullable: true })
  dateline: string | null;

  /** Loaders leave the body out of article rows; the resolver reads it when it is selected. */
  @Field(() => [String])
  @Column({ type: "simple-json" })
  paragraphs: string[];

  @Field(() => Int)
  @Column({ type: "integer" })
  wordCount: number;

  /**
   * Lower-cased title and body. `where.search` once matched it with LIKE; search now goes through
   * the full-text index (src/search/), and only `npm run bench:search` reads this, as the baseline.
   */
  @Column({ type: "text" })
  searchText: string;

  /** Article.commentCount, kept by the writers of comments (see db/stored-counts.ts). */
  @Column({ type: "integer", default: 0 })
  commentCount: number;

  /** setArticleModeration's mode; null: the MODERATION setting (Article.moderation serves the mode in force). */
  @Column({ type: "varchar", length: 8, nullable: true })
  moderation: ModerationMode | null;

  /** Hash of the parsed dump, so a re-import of an unchanged dump writes nothing. */
  @Column({ type: "varchar", length: 64 })
  contentHash: string;
}
