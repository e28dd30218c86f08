import { DateTimeResolver } from "graphql-scalars";
import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Comment } from "./comment.entity";
import { COLUMN_LENGTHS } from "./column-lengths";
import { FlagReason } from "./moderation-enums";

/** A reader's flag on a comment: one per reader (sub) and comment. Counted in comment.flagCount. */
@ObjectType("Flag", {
  description: "A reader's flag on a comment (flagComment), as moderators see it: why, and when. Who flagged is not served.",
  simpleResolvers: true,
})
@Entity("comment_flag")
@Index("UQ_comment_flag_reader", ["commentId", "readerSub"], { unique: true })
export class CommentFlag {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: "integer" })
  commentId: number;

  @Column({ type: "varchar", length: COLUMN_LENGTHS.authorSub })
  readerSub: string;

  @Field(() => FlagReason, { description: "The reason the reader chose." })
  @Column({ type: "varchar", length: 16 })
  reason: FlagReason;

  @Field(() => String, { nullable: true, description: "The reader's note, if they wrote one." })
  @Column({ type: "text", nullable: true })
  note: string | null;

  @Field(() => DateTimeResolver, { description: "When the reader flagged it." })
  @Column({ type: Date })
  createdAt: Date;

  @ManyToOne(() => Comment, { onDelete: "CASCADE" })
  @JoinColumn({ name: "commentId", foreignKeyConstraintName: "FK_comment_flag_comment" })
  comment?: Comment;
}
