import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { freshReads } from "./fresh-reads";
import { setReaction } from "../discussion/reactions";
import { Comment } from "../entities";
import { CommentPayload } from "./types/comment.payload";
import { idArgument, requireWriter, countedClientOf } from "./write-access";

/** Readers' reactions: the two mutations and the fields they change. */
@Resolver(() => Comment)
export class ReactionResolver {
  @FieldResolver(() => Int, { description: "How many signed-in readers react to this comment (one reaction per reader)." })
  reactionCount(@Root() comment: Comment): number {
    return comment.reactionCount;
  }

  @FieldResolver(() => Boolean, {
    description: "Whether the signed-in reader asking reacts to this comment; false for anonymous callers and the service token.",
  })
  viewerHasReacted(@Root() comment: Comment, @Ctx() ctx: Context): Promise<boolean> | boolean {
    return ctx.caller.kind === "reader" ? ctx.loaders.reactions.hasReacted(ctx.caller.sub, comment.id) : false;
  }

  @Mutation(() => CommentPayload, {
    nullable: true,
    description:
      "Adds the signed-in reader's reaction to a comment: one per reader and comment, so reacting again changes nothing and answers the same. " +
      "Anonymous callers are UNAUTHENTICATED; the service token, which is no reader, is FORBIDDEN; a deleted comment is BAD_USER_INPUT. " +
      "Counts against the reader's REACTION_RATE_PER_MINUTE and the address's ADDRESS_RATE_PER_MINUTE (RATE_LIMITED beyond).",
  })
  async reactToComment(@Ctx() ctx: Context, @Arg("id", () => ID, { description: "The comment to react to." }) id: string): Promise<CommentPayload> {
    return this.set(ctx, id, true);
  }

  @Mutation(() => CommentPayload, {
    nullable: true,
    description:
      "Withdraws the signed-in reader's reaction to a comment; withdrawing one that is not there changes nothing and answers the same. " +
      "Refused and limited as reactToComment, except that a deleted comment's reaction may be withdrawn.",
  })
  async unreactToComment(
    @Ctx() ctx: Context,
    @Arg("id", () => ID, { description: "The comment to withdraw the reaction from." }) id: string,
  ): Promise<CommentPayload> {
    return this.set(ctx, id, false);
  }

  private async set(ctx: Context, id: string, react: boolean): Promise<CommentPayload> {
    requireWriter(ctx, react ? "reactToComment" : "unreactToComment");
    const commentId = idArgument(id, "Comment", "id");
    await ctx.limits.take(countedClientOf(ctx), "reaction");
    const { comment } = await setReaction(ctx.db, ctx.events, ctx.caller, ctx.clock, commentId, react);
    freshReads(ctx);
    return new CommentPayload(comment);
  }
}
