import { DateTimeResolver } from "graphql-scalars";
import { ArgsType, Field, ID, Int, ObjectType } from "type-graphql";
import { MAX_REASON_LENGTH } from "../../discussion/moderation";
import { Author, AuthorStatus, Comment, ModerationEventKind, ModerationQueue } from "../../entities";
import { ConnectionArgs } from "./connection.args";

@ArgsType()
export class ModerationQueueArgs extends ConnectionArgs {
  @Field(() => ModerationQueue, {
    nullable: true,
    defaultValue: ModerationQueue.PENDING,
    description: "Which queue: PENDING (the default, also when null is sent), REPORTED, UNMODERATED, REJECTED or APPROVED.",
  })
  queue?: ModerationQueue | null;

  @Field(() => ID, { nullable: true, description: "Only this article's comments; null or left out: every article." })
  articleId?: string | null;
}

@ObjectType({ description: "How many comments each moderators' queue holds (ModerationQueue), site-wide or on one article.", simpleResolvers: true })
export class ModerationCounts {
  @Field(() => Int, { description: "Held for a moderator (ModerationQueue.PENDING)." })
  pending: number;

  @Field(() => Int, { description: "Published, flagged, not yet seen by a moderator (ModerationQueue.REPORTED)." })
  reported: number;

  @Field(() => Int, { description: "Readers' published comments not yet seen by a moderator, the reported ones included (ModerationQueue.UNMODERATED)." })
  unmoderated: number;

  @Field(() => Int, { description: "Rejected (ModerationQueue.REJECTED)." })
  rejected: number;
}

@ObjectType({ description: "A comment that entered or left a moderators' queue, as Subscription.moderationEvents sends it.", simpleResolvers: true })
export class ModerationEvent {
  @Field(() => ModerationEventKind, { description: "Whether it entered the queue or left it." })
  kind: ModerationEventKind;

  @Field(() => ModerationQueue, { description: "The queue." })
  queue: ModerationQueue;

  @Field(() => Comment, { description: "The comment as the write that moved it left it." })
  comment: Comment;
}

@ObjectType({ description: "Whether a reader may write, and whether their comments wait for a moderator.", simpleResolvers: true })
export class AuthorStanding {
  @Field(() => AuthorStatus, { description: "ACTIVE, SUSPENDED (until `until`) or BANNED." })
  status: AuthorStatus;

  @Field(() => DateTimeResolver, { nullable: true, description: "When a suspension ends; null when ACTIVE or BANNED." })
  until: Date | null;

  @Field(() => Boolean, { description: "Whether the reader's new comments are PENDING until a moderator publishes them (setAuthorPremoderation)." })
  premoderated: boolean;

  @Field(() => String, { nullable: true, description: "The moderator's reason for the ban or suspension in force; null when ACTIVE." })
  reason: string | null;
}

@ObjectType({ description: "What the sanctions answer: the reader as the mutation left them.", simpleResolvers: true })
export class AuthorPayload {
  @Field(() => Author, { description: "The reader, read after the write (see Author.standing)." })
  author: Author;

  constructor(author: Author) {
    this.author = author;
  }
}

const REASON = `Why, kept in the reader's moderationHistory and shown in their standing: trimmed, at most ${MAX_REASON_LENGTH} characters; blank is none.`;

@ArgsType()
export class BanAuthorArgs {
  @Field(() => ID, { description: "The reader (an Author with a reader account, not a moderator)." })
  authorId: string;

  @Field(() => String, { nullable: true, description: REASON })
  reason?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "Also reject every comment of theirs that is published now (each gets a SET_STATUS with the reason in its moderationHistory).",
  })
  rejectExisting?: boolean | null;
}

@ArgsType()
export class SuspendAuthorArgs {
  @Field(() => ID, { description: "The reader (an Author with a reader account, not a moderator)." })
  authorId: string;

  @Field(() => DateTimeResolver, { description: "When the suspension ends: in the future." })
  until: Date;

  @Field(() => String, { nullable: true, description: REASON })
  reason?: string | null;
}

@ArgsType()
export class SetAuthorPremoderationArgs {
  @Field(() => ID, { description: "The reader (an Author with a reader account, not a moderator)." })
  authorId: string;

  @Field(() => Boolean, { description: "true: their new comments wait for a moderator; false: they are published as the article's mode says." })
  on: boolean;
}
