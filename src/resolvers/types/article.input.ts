import { DateTimeResolver } from "graphql-scalars";
import { ArgsType, Field, InputType, registerEnumType } from "type-graphql";
import { MAX_TAG_SLUGS } from "../../read/article.loader";
import { MAX_QUERY_LENGTH, MAX_QUERY_WORDS } from "../../search/parse-query";
import type { ArticleOrderKey } from "../../read/article.loader";
import { ConnectionArgs } from "./connection.args";

@InputType({ description: "Filters for articles; all given filters must hold." })
export class ArticleWhere {
  @Field(() => [String], { nullable: true, description: `Articles with at least one of these tag slugs (at most ${MAX_TAG_SLUGS}).` })
  tagSlugIn?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Section name, compared after Unicode case folding and NFKC ("ОБЩЕСТВО" finds "Общество"), alike on both engines.',
  })
  section?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      `Articles that match this search, in the language of Query.search (words ANDed, "phrases", -exclusions, prefix*; ` +
      `at most ${MAX_QUERY_LENGTH} characters and ${MAX_QUERY_WORDS} words), over title, section, tags and paragraphs. ` +
      "A blank search filters nothing; one without any word matches nothing. Pass orderBy: RELEVANCE to rank the results.",
  })
  search?: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "Published at or after this instant." })
  publishedAfter?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "Published before this instant." })
  publishedBefore?: Date | null;
}

export enum ArticleOrder {
  PUBLISHED_AT_DESC = "PUBLISHED_AT_DESC",
  PUBLISHED_AT_ASC = "PUBLISHED_AT_ASC",
  COMMENT_COUNT_DESC = "COMMENT_COUNT_DESC",
  RELEVANCE = "RELEVANCE",
}

registerEnumType(ArticleOrder, {
  name: "ArticleOrder",
  description: "Orders of an article list.",
  valuesConfig: {
    PUBLISHED_AT_DESC: { description: "Newest first." },
    PUBLISHED_AT_ASC: { description: "Oldest first." },
    COMMENT_COUNT_DESC: { description: "Highest commentCount first; among equals, the most recently added first." },
    RELEVANCE: {
      description:
        "Best match for where.search first: the list Query.search gives with scope [ARTICLES] (title matches first, see " +
        "SearchEdge.score; among equals, the most recently added first). Only with a non-blank where.search: " +
        "BAD_USER_INPUT naming orderBy otherwise.",
    },
  },
});

@ArgsType()
export class ArticlesArgs extends ConnectionArgs {
  @Field(() => ArticleWhere, { nullable: true, description: "Filters; null or omitted lists every article." })
  where?: ArticleWhere | null;

  @Field(() => ArticleOrder, {
    nullable: true,
    defaultValue: ArticleOrder.PUBLISHED_AT_DESC,
    description: "The list's order; a cursor holds only in the order that gave it.",
  })
  orderBy: ArticleOrderKey;
}
