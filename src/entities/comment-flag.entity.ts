import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Comment } from "./comment.entity";
import { COLUMN_LENGTHS } from "./column-lengths";
import type { FlagReason } from "./moderation-enums";

/** A reader's flag on a comment: one per reader (sub) and comment. Counted in comment.flagCount. */
@Entity("comment_flag")
@Index("UQ_comment_flag_reader", ["commentId", "readerSub"], { unique: true })
export class CommentFlag {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: "integer" })
  commentId: number;

  @Column({ type: "varchar", length: COLUMN_LENGTHS.authorSub })
  readerSub: string;

  @Column({ type: "varchar", length: 16 })
  reason: FlagReason;

  @Column({ type: "text", nullable: true })
  note: string | null;

  @Column({ type: Date })
  createdAt: Date;

  @ManyToOne(() => Comment, { onDelete: "CASCADE" })
  @JoinColumn({ name: "commentId", foreignKeyConstraintName: "FK_comment_flag_comment" })
  comment?: Comment;
}
