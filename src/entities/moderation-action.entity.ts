import { DateTimeResolver } from "graphql-scalars";
import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Role } from "./moderation-enums";
import { COLUMN_LENGTHS } from "./column-lengths";
import { Author } from "./author.entity";
import { Comment } from "./comment.entity";
import { CommentStatus, ModerationActionKind } from "./moderation-enums";

@ObjectType({
  description: "One thing a moderator, the service token or the flags did to a comment, or a sanction on a reader: who, when, what and why.",
  simpleResolvers: true,
})
@Entity("moderation_action")
@Index("IDX_moderation_action_comment", ["commentId"])
@Index("IDX_moderation_action_author", ["authorId"])
export class ModerationAction {
  @PrimaryGeneratedColumn()
  id: number;

  /** The comment acted on; null for a sanction, which is on an author. */
  @Column({ type: "integer", nullable: true })
  commentId: number | null;

  /** The author sanctioned (BAN, UNBAN, SUSPEND, PREMODERATE, UNPREMODERATE); null for an action on a comment. */
  @Column({ type: "integer", nullable: true })
  authorId: number | null;

  @Field(() => ModerationActionKind, { description: "What was done." })
  @Column({ type: "varchar", length: 20 })
  action: ModerationActionKind;

  @Field(() => CommentStatus, { nullable: true, description: "The status the comment was given (SET_STATUS, AUTO_HOLD); null for the other actions." })
  @Column({ type: "varchar", length: 16, nullable: true })
  status: CommentStatus | null;

  @Field(() => String, {
    nullable: true,
    description: "The reason the moderator gave (setCommentStatus's, or a sanction's); for AUTO_HOLD, how many flags; else null.",
  })
  @Column({ type: "text", nullable: true })
  reason: string | null;

  @Field(() => Role, { nullable: true, description: "Who acted: MODERATOR (a signed-in moderator) or SERVICE (the service token); null for AUTO_HOLD." })
  @Column({ type: "varchar", length: 16, nullable: true })
  actorRole: Role | null;

  @Field(() => String, { nullable: true, description: "The acting moderator's display name, from their token; null for the service token and AUTO_HOLD." })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.authorName, nullable: true })
  actorName: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The acting moderator's sub claim (their id at the host site); null for the service token and AUTO_HOLD.",
  })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.authorSub, nullable: true })
  actorSub: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "SUSPEND: when the suspension ends; null for the other actions." })
  @Column({ type: Date, nullable: true })
  until: Date | null;

  @Field(() => DateTimeResolver, { description: "When it was done." })
  @Column({ type: Date })
  createdAt: Date;

  @ManyToOne(() => Comment, { onDelete: "CASCADE" })
  @JoinColumn({ name: "commentId", foreignKeyConstraintName: "FK_moderation_comment" })
  comment?: Comment;

  @ManyToOne(() => Author, { onDelete: "CASCADE" })
  @JoinColumn({ name: "authorId", foreignKeyConstraintName: "FK_moderation_author" })
  author?: Author;
}
