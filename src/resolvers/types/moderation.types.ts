import { ArgsType, Field, ID } from "type-graphql";
import { MAX_REASON_LENGTH } from "../../discussion/moderation";
import { CommentStatus, FlagReason, ModerationMode } from "../../entities";

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
