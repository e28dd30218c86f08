import { DateTimeResolver } from "graphql-scalars";
import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Role } from "./moderation-enums";
import { COLUMN_LENGTHS } from "./column-lengths";
import { Comment } from "./comment.entity";
import { CommentStatus, ModerationActionKind } from "./moderation-enums";

@ObjectType({ description: "One thing a moderator, the service token or the flags did to a comment: who, when, what and why.", simpleResolvers: true })
@Entity("moderation_action")
@Index("IDX_moderation_action_comment", ["commentId"])
export class ModerationAction {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: "integer" })
  commentId: number;

  @Field(() => ModerationActionKind, { description: "What was done." })
  @Column({ type: "varchar", length: 20 })
  action: ModerationActionKind;

  @Field(() => CommentStatus, { nullable: true, description: "The status the comment was given (SET_STATUS, AUTO_HOLD); null for the other actions." })
  @Column({ type: "varchar", length: 16, nullable: true })
  status: CommentStatus | null;

  @Field(() => String, { nullable: true, description: "The reason the moderator gave (setCommentStatus's reason); for AUTO_HOLD, how many flags; else null." })
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

  @Field(() => DateTimeResolver, { description: "When it was done." })
  @Column({ type: Date })
  createdAt: Date;

  @ManyToOne(() => Comment, { onDelete: "CASCADE" })
  @JoinColumn({ name: "commentId", foreignKeyConstraintName: "FK_moderation_comment" })
  comment?: Comment;
}
