import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Article } from "./article.entity";
import { Tag } from "./tag.entity";

/** Join row between an article and a tag; `position` keeps the dump's tag order. */
@Entity("article_tag")
@Index("IDX_article_tag_tag", ["tagId", "articleId"])
export class ArticleTag {
  @PrimaryColumn({ type: "integer" })
  articleId: number;

  @PrimaryColumn({ type: "integer" })
  tagId: number;

  @Column({ type: "integer" })
  position: number;

  @ManyToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "articleId" })
  article?: Article;

  @ManyToOne(() => Tag, { onDelete: "CASCADE" })
  @JoinColumn({ name: "tagId" })
  tag?: Tag;
}
