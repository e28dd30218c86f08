import { DateTimeResolver } from "graphql-scalars";
import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "./node.interface";
import { COLUMN_LENGTHS } from "./column-lengths";
import { Comment } from "./comment.entity";

/** The default the migration gave the boolean column, as SQL: TypeORM would write `false` as 0 on SQLite. */
const FALSE = () => "false";

export enum NotificationKind {
  REPLY = "REPLY",
  APPROVED = "APPROVED",
  REJECTED = "REJECTED",
  FEATURED = "FEATURED",
  SANCTIONED = "SANCTIONED",
}

registerEnumType(NotificationKind, {
  name: "NotificationKind",
  description: "What a notification tells its reader.",
  valuesConfig: {
    REPLY: { description: "Someone else's reply to one of the reader's comments was published; `comment` is the reply." },
    APPROVED: { description: "A moderator published the reader's held or rejected comment." },
    REJECTED: { description: "A moderator rejected the reader's comment; `reason` is what they gave." },
    FEATURED: { description: "A moderator featured the reader's comment." },
    SANCTIONED: { description: "A moderator banned or suspended the reader, or put their comments on pre-moderation; `reason` says why." },
  },
});

@ObjectType({
  implements: Node,
  description: "Something that concerns the signed-in reader: a reply, a moderator's decision, a sanction.",
  simpleResolvers: true,
})
@Entity("notification")
// A reader's list, newest first (id implicit on SQLite: see the stored-counts migration).
@Index("IDX_notification_reader", ["readerSub", "id"])
@Index("IDX_notification_comment", ["commentId"])
export class Notification {
  @PrimaryGeneratedColumn()
  id: number;

  /** The reader it is for: their token's `sub`. */
  @Column({ type: "varchar", length: COLUMN_LENGTHS.authorSub })
  readerSub: string;

  @Field(() => NotificationKind, { description: "What happened." })
  @Column({ type: "varchar", length: 16 })
  kind: NotificationKind;

  /** Served through the resolver (Notification.comment). */
  @Column({ type: "integer", nullable: true })
  commentId: number | null;

  @Field(() => String, { nullable: true, description: "Why, when a moderator said (REJECTED, SANCTIONED); else null." })
  @Column({ type: "text", nullable: true })
  reason: string | null;

  @Field(() => DateTimeResolver, { description: "When it happened." })
  @Column({ type: Date })
  createdAt: Date;

  @Field(() => Boolean, { description: "Whether the reader marked it read (markNotificationsRead)." })
  @Column({ type: "boolean", default: FALSE })
  read: boolean;

  @ManyToOne(() => Comment, { onDelete: "SET NULL" })
  @JoinColumn({ name: "commentId", foreignKeyConstraintName: "FK_notification_comment" })
  comment?: Comment;
}

/** A reader's unread notifications, kept with every notification written and every one marked read. */
@Entity("notification_inbox")
export class NotificationInbox {
  @PrimaryColumn({ type: "varchar", length: COLUMN_LENGTHS.authorSub })
  readerSub: string;

  @Column({ type: "integer", default: 0 })
  unread: number;
}
