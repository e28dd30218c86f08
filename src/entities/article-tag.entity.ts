import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Article } from "./article.entity";
import { Tag } from "./tag.entity";

/** Join row between an article and a tag; `position` keeps the dump's tag order. */
@Entity("article_tag")
@Index("IDX_article_tag_tag", ["tagId", "publishedAt", "articleId"])
export class ArticleTag {
  @PrimaryColumn({ type: "integer" })
  articleId: number;

  @PrimaryColumn({ type: "integer" })
  tagId: number;

  @Column({ type: "integer" })
  position: number;

  /**
   * The article's publishedAt, which never changes (it is half of the article's identity): with
   * it beside the tag, a tag's articles are read newest first straight from one index.
   */
  @Column({ type: Date, nullable: true })
  publishedAt: Date | null;

  @ManyToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "articleId", foreignKeyConstraintName: "FK_article_tag_article" })
  article?: Article;

  @ManyToOne(() => Tag, { onDelete: "CASCADE" })
  @JoinColumn({ name: "tagId", foreignKeyConstraintName: "FK_article_tag_tag" })
  tag?: Tag;
}
