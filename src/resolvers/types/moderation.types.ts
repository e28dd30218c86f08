import { ArgsType, Field, ID, ObjectType } from "type-graphql";
import { MAX_REASON_LENGTH } from "../../discussion/moderation";
import { Article, Comment, CommentStatus, FlagReason, ModerationMode } from "../../entities";
import { ConnectionArgs } from "./connection.args";

@ArgsType()
export class ModerationQueueArgs extends ConnectionArgs {
  @Field(() => CommentStatus, { defaultValue: CommentStatus.PENDING, description: "Which comments: PENDING (the default), REJECTED or PUBLISHED." })
  status: CommentStatus;
}

@ArgsType()
export class SetCommentStatusArgs {
  @Field(() => ID, { description: "The comment." })
  id: string;

  @Field(() => CommentStatus, { description: "Its new status." })
  status: CommentStatus;

  @Field(() => String, { nullable: true, description: `Why, kept in its moderationHistory: trimmed, at most ${MAX_REASON_LENGTH} characters; blank is none.` })
  reason?: string | null;
}

@ArgsType()
export class FlagCommentArgs {
  @Field(() => ID, { description: "The comment: one the reader can see, and not their own." })
  id: string;

  @Field(() => FlagReason, { description: "Why the reader flags it." })
  reason: FlagReason;

  @Field(() => String, { nullable: true, description: `More words for the moderators: trimmed, at most ${MAX_REASON_LENGTH} characters; blank is none.` })
  note?: string | null;
}

@ArgsType()
export class SetArticleModerationArgs {
  @Field(() => ID, { description: "The article." })
  articleId: string;

  @Field(() => ModerationMode, { description: "PRE: readers' new comments wait for a moderator; POST: they are published at once." })
  mode: ModerationMode;
}

@ObjectType({ description: "What setCommentStatus returns." })
export class SetCommentStatusPayload {
  @Field(() => Comment, { description: "The comment with its new status." })
  comment: Comment;
}

@ObjectType({ description: "What flagComment returns." })
export class FlagCommentPayload {
  @Field(() => Comment, { description: "The comment flagged; its status is PENDING if this flag put it on hold." })
  comment: Comment;
}

@ObjectType({ description: "What featureComment and unfeatureComment return." })
export class FeatureCommentPayload {
  @Field(() => Comment, { description: "The comment (see isFeatured)." })
  comment: Comment;

  @Field(() => Article, { description: "Its article, whose featuredComments list the change." })
  article: Article;
}

@ObjectType({ description: "What setArticleModeration returns." })
export class SetArticleModerationPayload {
  @Field(() => Article, { description: "The article with its new moderation mode." })
  article: Article;
}
