import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Comment } from "../../entities";
import type { CommentEventKind as Kind } from "../../events/comment-events";

export enum CommentEventKind {
  ADDED = "ADDED",
  EDITED = "EDITED",
  DELETED = "DELETED",
  STATUS_CHANGED = "STATUS_CHANGED",
  REACTED = "REACTED",
}

registerEnumType(CommentEventKind, {
  name: "CommentEventKind",
  description: "What happened to a comment.",
  valuesConfig: {
    ADDED: { description: "It became visible to the subscriber: posted (addComment), or published from hold for those who could not see it before." },
    EDITED: { description: "Its text was replaced (editComment)." },
    DELETED: { description: "It was deleted (deleteComment); it is served as a tombstone." },
    STATUS_CHANGED: { description: "A moderator set its status (setCommentStatus), or flags put it on hold (AUTO_HOLD_FLAGS)." },
    REACTED: { description: "A reader reacted to it or withdrew their reaction; reactionCount is the new count." },
  },
});

@ObjectType({ description: "One change to a comment, as Subscription.commentEvents sends it.", simpleResolvers: true })
export class CommentEvent {
  @Field(() => CommentEventKind, { description: "What happened." })
  kind: Kind;

  @Field(() => Comment, { description: "The comment as it is after the change, as the subscriber may see it (a tombstone when they may not see its text)." })
  comment: Comment;
}
