import { ArgsType, Field, Int, registerEnumType } from "type-graphql";
import type { CommentOrderKey } from "../../read/comment.loader";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../read/connection";

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Page size from the start, 0 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Start after the edge with this cursor: one that this very list gave (same parent object, same orderBy). Anything else is BAD_USER_INPUT naming the argument.",
  })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Page size from the end, 0 to ${MAX_PAGE_SIZE}.` })
  last?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "End before the edge with this cursor: one that this very list gave (same parent object, same orderBy). Anything else is BAD_USER_INPUT naming the argument.",
  })
  before?: string | null;
}

export enum CommentOrder {
  OLDEST = "OLDEST",
  NEWEST = "NEWEST",
  MOST_REPLIES = "MOST_REPLIES",
  MOST_REACTIONS = "MOST_REACTIONS",
}

registerEnumType(CommentOrder, {
  name: "CommentOrder",
  description: "Orders of a comment list (an article's top-level comments, a comment's replies).",
  valuesConfig: {
    OLDEST: { description: "Thread order: the order the comments were posted in." },
    NEWEST: { description: "Reverse thread order." },
    MOST_REPLIES: { description: "Highest replyCount first (tombstones included, as in replies), then thread order." },
    MOST_REACTIONS: { description: "Highest reactionCount first, then thread order." },
  },
});

@ArgsType()
export class CommentConnectionArgs extends ConnectionArgs {
  @Field(() => CommentOrder, {
    nullable: true,
    defaultValue: CommentOrder.OLDEST,
    description: "The list's order; a cursor holds only in the order that gave it.",
  })
  orderBy: CommentOrderKey;
}
