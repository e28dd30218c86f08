import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn } from "typeorm";
import { Article } from "./article.entity";
import { Comment } from "./comment.entity";

/**
 * The full-text index on PostgreSQL: one tsvector per row (src/search/search-document.ts says
 * what goes in), dropped with its row. The GIN indexes are named here; TypeORM cannot declare an
 * index's method, so the search-index migration alone creates them with `USING GIN`. SQLite keeps
 * its index in FTS5 virtual tables instead, which are no entity's: see engineEntities.
 */
@Entity("search_article")
@Index("IDX_search_article_document", ["document"])
@Index("IDX_search_article_title", ["title"])
export class SearchArticleEntry {
  @PrimaryColumn({ type: "integer" })
  articleId: number;

  @Column({ type: "tsvector" })
  document: string;

  /** The document's title entries (weight A) alone, with their positions: what a title match looks up. */
  @Column({ type: "tsvector" })
  title: string;

  @OneToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "articleId", foreignKeyConstraintName: "FK_search_article_article" })
  article?: Article;
}

/**
 * An article's title words alone (search_article.title again), in a narrow table: finding the
 * newest title matches reads these small rows instead of one document per match. Triggers on
 * search_article write it, not the application (migration SearchTitleList).
 */
@Entity("search_title")
@Index("IDX_search_title_title", ["title"])
export class SearchTitleEntry {
  @PrimaryColumn({ type: "integer", primaryKeyConstraintName: "PK_search_title" })
  articleId: number;

  @Column({ type: "tsvector" })
  title: string;

  @OneToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "articleId", foreignKeyConstraintName: "FK_search_title_article" })
  article?: Article;
}

@Entity("search_comment")
@Index("IDX_search_comment_document", ["document"])
export class SearchCommentEntry {
  @PrimaryColumn({ type: "integer" })
  commentId: number;

  @Column({ type: "tsvector" })
  document: string;

  @OneToOne(() => Comment, { onDelete: "CASCADE" })
  @JoinColumn({ name: "commentId", foreignKeyConstraintName: "FK_search_comment_comment" })
  comment?: Comment;
}
