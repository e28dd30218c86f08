import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "./node.interface";
import { Article } from "./article.entity";
import { Author } from "./author.entity";
import { CommentStatus } from "./moderation-enums";

/** The default the migrations gave the boolean columns, as SQL: TypeORM would write `false` as 0 on SQLite. */
const FALSE = () => "false";

@ObjectType({ implements: Node, description: "A reader comment; replies hang off `parent`.", simpleResolvers: true })
@Entity("comment")
@Index("IDX_comment_thread", ["articleId", "parentId", "position"])
@Index("IDX_comment_parent", ["parentId", "position"])
// Author.comments' order, id last (implicit on SQLite: see the stored-counts migration).
@Index("IDX_comment_author", ["authorId", "id"])
// The moderation queue's order (id implicit on SQLite, as above).
@Index("IDX_comment_status", ["status", "id"])
// Featured comments are few: the index holds only them.
@Index("IDX_comment_featured", ["articleId"], { where: `"featuredAt" IS NOT NULL` })
// The REPORTED and UNMODERATED queues: only the comments that wait for a human, in id order.
@Index("IDX_comment_needs_review", ["id"], { where: `"needsReviewSince" IS NOT NULL` })
export class Comment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: "integer" })
  articleId: number;

  @Column({ type: "integer", nullable: true })
  parentId: number | null;

  @Column({ type: "integer", nullable: true })
  authorId: number | null;

  /** Served through the resolver, which hides the text of a deleted comment. */
  @Column({ type: "text" })
  body: string;

  @Field(() => Boolean, { description: "Whether the dump showed an avatar picture beside the comment; false for comments posted through the API." })
  @Column({ type: "boolean", default: FALSE })
  hasAvatar: boolean;

  @Field(() => Int, { description: "0 for a top-level comment, parent's depth + 1 for a reply." })
  @Column({ type: "integer", default: 0 })
  depth: number;

  @Field(() => Int, { description: "1-based place among its siblings, in thread order." })
  @Column({ type: "integer" })
  position: number;

  /** True for comments that came from a dump; re-imports reconcile only these. */
  @Column({ type: "boolean", default: FALSE })
  imported: boolean;

  /**
   * commentImportKey of the author and body the dump gave, kept when a moderator edits the body,
   * so a re-import still knows the comment. Null for comments posted through the API.
   */
  @Column({ type: "text", nullable: true })
  importKey: string | null;

  /** Deleted because a re-imported dump no longer had it (not by a moderator): it may come back. */
  @Column({ type: "boolean", default: FALSE })
  removedByImport: boolean;

  /** Served through the resolver, which hides it on a tombstone from callers who may not know its status. */
  @Column({ type: Date, nullable: true })
  createdAt: Date | null;

  /** Served through the resolver, as createdAt. */
  @Column({ type: Date, nullable: true })
  editedAt: Date | null;

  @Field(() => Boolean, {
    description:
      "True once deleteComment removed it. The tombstone rule: a deleted comment stays listed in Article.comments and " +
      'Comment.replies (body "", author null) while a visible comment hangs somewhere below it, and leaves every list otherwise.',
  })
  @Column({ type: "boolean", default: FALSE })
  isDeleted: boolean;

  /**
   * Comment.replyCount: the listed direct replies, kept by the writers of comments (see
   * read/stored-counts.ts). By the tombstone rule a reply is listed when it is visible or has a
   * listed reply itself, so a value above 0 also says that a visible comment hangs below.
   */
  @Column({ type: "integer", default: 0 })
  replyCount: number;

  /** Comment.reactionCount: readers' reactions (comment_reaction rows), kept by reactToComment and unreactToComment. */
  @Column({ type: "integer", default: 0 })
  reactionCount: number;
  /** Served through the resolver: null for a caller who may not know it (src/policy). */
  @Column({ type: "varchar", length: 16, default: CommentStatus.PUBLISHED })
  status: CommentStatus;

  /** Readers' flags (comment_flag rows); served to moderators only, as Comment.flagCount. */
  @Column({ type: "integer", default: 0 })
  flagCount: number;

  /** When featureComment featured it; null when it is not featured. */
  @Column({ type: Date, nullable: true })
  featuredAt: Date | null;

  /**
   * Since when the comment waits for a human to see it: set on a reader's comment, cleared when a
   * moderator approves, rejects or features it; null for comments that never waited (imported, the
   * service token's, moderators'). Decides the REPORTED and UNMODERATED queues (src/policy).
   */
  @Column({ type: Date, nullable: true })
  needsReviewSince: Date | null;

  @ManyToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "articleId", foreignKeyConstraintName: "FK_comment_article" })
  article?: Article;

  @ManyToOne(() => Comment, { onDelete: "CASCADE" })
  @JoinColumn({ name: "parentId", foreignKeyConstraintName: "FK_comment_comment" })
  parent?: Comment;

  @ManyToOne(() => Author, { onDelete: "SET NULL" })
  @JoinColumn({ name: "authorId", foreignKeyConstraintName: "FK_comment_author" })
  author?: Author;
}
