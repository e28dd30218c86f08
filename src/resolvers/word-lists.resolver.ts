import { Args, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { requireModerator } from "../auth/caller";
import type { Context } from "../context";
import { setWordList } from "../discussion/word-lists";
import { SetWordListArgs, WordLists } from "./types/word-lists.types";

async function currentLists(ctx: Context): Promise<WordLists> {
  const lists = await ctx.wordLists.lists();
  return Object.assign(new WordLists(), { banned: [...lists.banned], suspect: [...lists.suspect] });
}

@Resolver()
export class WordListsResolver {
  @Query(() => WordLists, {
    description: "The moderators' word lists. For moderators and the service token: anonymous callers are UNAUTHENTICATED, other readers FORBIDDEN.",
  })
  wordLists(@Ctx() ctx: Context): Promise<WordLists> {
    requireModerator(ctx.caller, "wordLists");
    return currentLists(ctx);
  }

  @Mutation(() => WordLists, {
    nullable: true,
    description:
      "Replaces one word list, for moderators and the service token (anonymous callers: UNAUTHENTICATED, other readers: FORBIDDEN). " +
      "Applies to comments posted or edited from then on, on every instance; comments already posted keep their status. Answers both lists as now stored.",
  })
  async setWordList(@Ctx() ctx: Context, @Args(() => SetWordListArgs) args: SetWordListArgs): Promise<WordLists> {
    requireModerator(ctx.caller, "setWordList");
    await setWordList(ctx.db, ctx.events, ctx.wordLists, ctx.caller, ctx.clock, args.kind, args.words);
    return currentLists(ctx);
  }
}
