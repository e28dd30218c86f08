import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { COLUMN_LENGTHS } from "./column-lengths";
import { Comment } from "./comment.entity";

/**
 * A reader's reaction to a comment: at most one per reader (sub) and comment, which the primary
 * key enforces. Counted in comment.reactionCount. The reader's index answers viewerHasReacted for
 * a page of comments in one look-up.
 */
@Entity("comment_reaction")
@Index("IDX_comment_reaction_reader", ["readerSub", "commentId"])
export class CommentReaction {
  @PrimaryColumn({ type: "integer" })
  commentId: number;

  @PrimaryColumn({ type: "varchar", length: COLUMN_LENGTHS.authorSub })
  readerSub: string;

  @Column({ type: Date })
  createdAt: Date;

  @ManyToOne(() => Comment, { onDelete: "CASCADE" })
  @JoinColumn({ name: "commentId", foreignKeyConstraintName: "FK_comment_reaction_comment" })
  comment?: Comment;
}
