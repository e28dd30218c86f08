import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { requireModerator } from "../auth/caller";
import type { Context } from "../context";
import { freshReads } from "./fresh-reads";
import { standingOf } from "../discussion/permissions";
import { banAuthor, setAuthorPremoderation, suspendAuthor, unbanAuthor } from "../discussion/sanctions";
import { Author, ModerationAction } from "../entities";
import { notFound } from "../errors";
import { canSeeStanding } from "../policy";
import { cappedListCost } from "../schema/connection";
import { AuthorPayload, AuthorStanding, BanAuthorArgs, SetAuthorPremoderationArgs, SuspendAuthorArgs } from "./types/moderation-desk.types";
import { idArgument, writeRules } from "./write-access";

/** Author.moderationHistory serves this many sanctions at most, so its cost can be priced. */
const MAX_HISTORY = 20;

/** The author as this request's (fresh) loaders read it after a write. */
async function rereadAuthor(ctx: Context, id: number): Promise<AuthorPayload> {
  freshReads(ctx);
  const author = await ctx.loaders.authorById.load(id);
  if (!author) throw notFound(`no author with that id`);
  return new AuthorPayload(author);
}

const WHO =
  "For moderators and the service token (anonymous callers UNAUTHENTICATED, other readers FORBIDDEN); a moderator, or a commenter without a " +
  "reader account (imported, or named by the service token), cannot be sanctioned (FORBIDDEN). Recorded in the reader's moderationHistory with who did it.";

@Resolver(() => Author)
export class SanctionResolver {
  @FieldResolver(() => AuthorStanding, {
    nullable: true,
    description:
      "Whether the reader may write now (a suspension ends on its own at `until`) and whether their comments wait for a moderator. " +
      "For moderators, the service token and the reader themselves; null for anyone else.",
  })
  async standing(@Root() author: Author, @Ctx() ctx: Context): Promise<AuthorStanding | null> {
    if (ctx.caller.kind === "anonymous" || !canSeeStanding(await ctx.loaders.viewer(), author)) return null;
    return standingOf(author, ctx.clock());
  }

  @FieldResolver(() => [ModerationAction], {
    nullable: true,
    complexity: cappedListCost(MAX_HISTORY),
    description:
      `The sanctions on the reader (BAN, UNBAN, SUSPEND, PREMODERATE, UNPREMODERATE): the ${MAX_HISTORY} most recent, oldest first, with who and why. ` +
      "For moderators, the service token and the reader themselves; null for anyone else.",
  })
  async moderationHistory(@Root() author: Author, @Ctx() ctx: Context): Promise<ModerationAction[] | null> {
    if (ctx.caller.kind === "anonymous" || !canSeeStanding(await ctx.loaders.viewer(), author)) return null;
    return (await ctx.loaders.moderationActionsByAuthor.load(author.id)).slice(-MAX_HISTORY);
  }

  @Mutation(() => AuthorPayload, {
    nullable: true,
    description:
      "Bans a reader: their comments, edits, reactions and flags are FORBIDDEN until unbanAuthor; their reads are untouched. " +
      "With rejectExisting, their published comments are rejected too (a rejected comment with visible replies stays as a tombstone). " +
      WHO,
  })
  async banAuthor(@Ctx() ctx: Context, @Args(() => BanAuthorArgs) args: BanAuthorArgs): Promise<AuthorPayload> {
    requireModerator(ctx.caller, "banAuthor");
    const id = idArgument(args.authorId, "Author", "authorId");
    await banAuthor(ctx.db, ctx.events, ctx.caller, writeRules(ctx), id, args.reason, args.rejectExisting ?? false);
    return rereadAuthor(ctx, id);
  }

  @Mutation(() => AuthorPayload, {
    nullable: true,
    description: "Lifts a reader's ban or suspension; for a reader in good standing it changes nothing. " + WHO,
  })
  async unbanAuthor(
    @Ctx() ctx: Context,
    @Arg("authorId", () => ID, { description: "The reader (an Author with a reader account, not a moderator)." }) authorId: string,
  ): Promise<AuthorPayload> {
    requireModerator(ctx.caller, "unbanAuthor");
    const id = idArgument(authorId, "Author", "authorId");
    await unbanAuthor(ctx.db, ctx.caller, writeRules(ctx), id);
    return rereadAuthor(ctx, id);
  }

  @Mutation(() => AuthorPayload, {
    nullable: true,
    description:
      "Suspends a reader until `until` (in the future; BAD_USER_INPUT otherwise): their writes are FORBIDDEN until then, with a message that says until when; " +
      "then they may write again. Replaces a ban or an earlier suspension. " +
      WHO,
  })
  async suspendAuthor(@Ctx() ctx: Context, @Args(() => SuspendAuthorArgs) args: SuspendAuthorArgs): Promise<AuthorPayload> {
    requireModerator(ctx.caller, "suspendAuthor");
    const id = idArgument(args.authorId, "Author", "authorId");
    await suspendAuthor(ctx.db, ctx.events, ctx.caller, writeRules(ctx), id, args.until, args.reason);
    return rereadAuthor(ctx, id);
  }

  @Mutation(() => AuthorPayload, {
    nullable: true,
    description:
      "Puts a reader's new comments on pre-moderation (PENDING until a moderator publishes them), or takes them off it; comments already posted keep their status. " +
      WHO,
  })
  async setAuthorPremoderation(@Ctx() ctx: Context, @Args(() => SetAuthorPremoderationArgs) args: SetAuthorPremoderationArgs): Promise<AuthorPayload> {
    requireModerator(ctx.caller, "setAuthorPremoderation");
    const id = idArgument(args.authorId, "Author", "authorId");
    await setAuthorPremoderation(ctx.db, ctx.caller, writeRules(ctx), id, args.on);
    return rereadAuthor(ctx, id);
  }
}
