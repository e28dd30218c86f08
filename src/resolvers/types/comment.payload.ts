import { ArgsType, Field, ObjectType } from "type-graphql";
import { Comment } from "../../entities";
import type { CommentOrderKey } from "../../loaders/comment.loader";
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

@ObjectType({ description: "What editComment answers: the comment with its new text.", simpleResolvers: true })
export class EditCommentPayload {
  @Field(() => Comment, { description: "The edited comment, editedAt set." })
  comment: Comment;

  constructor(comment: Comment) {
    this.comment = comment;
  }
}

@ObjectType({
  description: "What deleteComment answers: the comment, now a tombstone, and its article with the counts as they are after the delete.",
  simpleResolvers: true,
})
export class DeleteCommentPayload {
  @Field(() => Comment, { description: "The deleted comment: isDeleted true, body \"\", author null." })
  comment: Comment;

  constructor(comment: Comment) {
    this.comment = comment;
  }
}
