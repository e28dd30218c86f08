/**
 * `boundedCount` on the lists a search can fill: how many items, counted only as far as a bound, so
 * a results page can say "1,000+" without paying for totalCount, which counts every match (on
 * PostgreSQL, a common word's count reads every page that holds one; docs/benchmarks.md measures
 * both).
 */
import { Arg, ClassType, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { userError } from "../errors";
import type { Connection } from "../read/connection";
import { ArticleConnection, BoundedCount } from "../schema/connection";
import { SearchConnection } from "./types/search.types";

export const DEFAULT_COUNT_BOUND = 1_000;
/** Past this, a bounded count costs about what the exact one does. */
export const MAX_COUNT_BOUND = 10_000;

/** The count for `atMost`, checked: 1 to MAX_COUNT_BOUND. */
export async function boundedCount(connection: Connection<unknown>, atMost: number): Promise<BoundedCount> {
  if (!Number.isInteger(atMost) || atMost < 1 || atMost > MAX_COUNT_BOUND) {
    throw userError(`"atMost" must be between 1 and ${MAX_COUNT_BOUND}, got ${atMost}`, { argumentName: "atMost" });
  }
  const counted = await connection.countUpTo(atMost);
  return { count: Math.min(counted, atMost), isExact: counted <= atMost };
}

function boundedCountResolver(connection: ClassType, listed: string) {
  @Resolver(() => connection)
  class BoundedCountResolver {
    @FieldResolver(() => BoundedCount, {
      description:
        `How many ${listed} the whole list holds, counted only as far as "atMost": the exact number (isExact: true) when ` +
        `there are at most that many, else "atMost" with isExact: false ("1,000+"). Cheaper than totalCount for a search ` +
        "that matches many rows, which totalCount counts one by one.",
    })
    boundedCount(
      @Root() list: Connection<unknown>,
      @Arg("atMost", () => Int, {
        defaultValue: DEFAULT_COUNT_BOUND,
        description: `Where counting stops: 1 to ${MAX_COUNT_BOUND} (BAD_USER_INPUT beyond).`,
      })
      atMost: number,
    ): Promise<BoundedCount> {
      return boundedCount(list, atMost);
    }
  }
  return BoundedCountResolver;
}

export const ArticleCountResolver = boundedCountResolver(ArticleConnection, "articles");
export const SearchCountResolver = boundedCountResolver(SearchConnection, "results");
