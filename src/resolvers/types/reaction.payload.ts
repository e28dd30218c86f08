import { Field, ObjectType } from "type-graphql";
import { Comment } from "../../entities";

@ObjectType({
  description: "What reactToComment and unreactToComment answer: the comment, read after the write (reactionCount and viewerHasReacted as they now are).",
  simpleResolvers: true,
})
export class ReactionPayload {
  @Field(() => Comment, { description: "The comment reacted to." })
  comment: Comment;

  constructor(comment: Comment) {
    this.comment = comment;
  }
}
