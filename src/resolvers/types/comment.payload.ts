import { ArgsType, Field, ObjectType } from "type-graphql";
import { Comment } from "../../entities";
import type { CommentOrderKey } from "../../read/comment.loader";
import { CommentOrder } from "./connection.args";

/**
 * What the comment mutations answer. Each payload holds the comment as the mutation left it; the
 * article and the edge are read only when a client selects them, after the write, so their counts
 * and cursors are those of the committed state.
 */
@ObjectType({
  description:
    "What addComment answers: the new comment, its edge in the list it joined (for Relay's @appendEdge and Apollo cache updates), " +
    "and its article with the counts as they are after the write.",
  simpleResolvers: true,
})
export class AddCommentPayload {
  @Field(() => Comment, { description: "The comment just posted." })
  comment: Comment;

  constructor(comment: Comment) {
    this.comment = comment;
  }
}

@ArgsType()
export class CommentEdgeArgs {
  @Field(() => CommentOrder, {
    nullable: true,
    defaultValue: CommentOrder.OLDEST,
    description: "The order of the client's list: the cursor works only on a list read in this order.",
  })
  orderBy: CommentOrderKey;
}

/**
 * What every other comment mutation answers: the comment as the mutation left it, read after the
 * write. Its article is read only when selected, after the write (see CommentPayloadResolver).
 */
@ObjectType({
  description:
    "What editComment, deleteComment, setCommentStatus, flagComment, featureComment, unfeatureComment, reactToComment and " +
    "unreactToComment answer: the comment as the mutation left it, and its article with its counts and featuredComments as they are after the write.",
  simpleResolvers: true,
})
export class CommentPayload {
  @Field(() => Comment, {
    description:
      'The comment, read after the write: with its new text (editComment), a tombstone (deleteComment: isDeleted true, body "", author null), ' +
      "its new status (setCommentStatus, or PENDING when flagComment put it on hold), isFeatured (featureComment, unfeatureComment), " +
      "reactionCount and viewerHasReacted (reactToComment, unreactToComment).",
  })
  comment: Comment;

  constructor(comment: Comment) {
    this.comment = comment;
  }
}
