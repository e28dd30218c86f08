import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { DateTimeResolver } from "graphql-scalars";
import { Node } from "../schema/node.interface";

@ObjectType({ implements: Node, description: "A news article imported from a dump." })
@Entity("article")
@Index("UQ_article_title_published", ["title", "publishedAt"], { unique: true })
export class Article {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => String)
  @Index("UQ_article_slug", { unique: true })
  @Column({ type: "varchar", length: 300 })
  slug: string;

  @Field(() => String)
  @Column({ type: "varchar", length: 1000 })
  title: string;

  @Field(() => String, { nullable: true })
  @Index("IDX_article_section")
  @Column({ type: "varchar", length: 200, nullable: true })
  section: string | null;

  @Field(() => DateTimeResolver, { description: "When the article was published, in UTC." })
  @Index("IDX_article_published_at")
  @Column({ type: Date })
  publishedAt: Date;

  @Field(() => String, { nullable: true })
  @Column({ type: "text", nullable: true })
  imageCaption: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 500, nullable: true })
  imageCredit: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 200, nullable: true })
  dateline: string | null;

  @Field(() => [String])
  @Column({ type: "simple-json" })
  paragraphs: string[];

  @Field(() => Int)
  @Column({ type: "integer" })
  wordCount: number;

  /** Lower-cased title and body, what `where.search` matches against. */
  @Column({ type: "text" })
  searchText: string;

  /** Hash of the parsed dump, so a re-import of an unchanged dump writes nothing. */
  @Column({ type: "varchar", length: 64 })
  contentHash: string;
}
