import { ArgsType, Field, ID } from "type-graphql";
import { MAX_AUTHOR_NAME_LENGTH, MAX_BODY_LENGTH } from "../../discussion/comments";

@ArgsType()
export class AddCommentArgs {
  @Field(() => ID, { description: "The article to comment on." })
  articleId: string;

  @Field(() => String, { description: `Trimmed; must not be blank; at most ${MAX_BODY_LENGTH} characters.` })
  body: string;

  @Field(() => String, {
    nullable: true,
    description: `Display name, trimmed, at most ${MAX_AUTHOR_NAME_LENGTH} characters; the same name is the same commenter. Missing or blank: anonymous.`,
  })
  authorName?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "The comment to reply to: on the same article, and not deleted. Missing: a top-level comment.",
  })
  parentId?: string | null;
}

@ArgsType()
export class EditCommentArgs {
  @Field(() => ID, { description: "The comment's global id." })
  id: string;

  @Field(() => String, { description: `The new text: trimmed; must not be blank; at most ${MAX_BODY_LENGTH} characters.` })
  body: string;
}
