import { DateTimeResolver } from "graphql-scalars";
import { ArgsType, Field, InputType, registerEnumType } from "type-graphql";
import { MAX_SEARCH_WORDS, MAX_TAG_SLUGS } from "../../loaders/article.loader";
import type { ArticleOrderKey } from "../../loaders/article.loader";
import { ConnectionArgs } from "./connection.args";

@InputType({ description: "Filters for articles; all given filters must hold." })
export class ArticleWhere {
  @Field(() => [String], { nullable: true, description: `Articles with at least one of these tag slugs (at most ${MAX_TAG_SLUGS}).` })
  tagSlugIn?: string[] | null;

  @Field(() => String, { nullable: true, description: "Section name, compared after Unicode case folding and NFKC (\"ОБЩЕСТВО\" finds \"Общество\"), alike on both engines." })
  section?: string | null;

  @Field(() => String, { nullable: true, description: `Words (at most ${MAX_SEARCH_WORDS}) that must all appear in the title or body, compared without case.` })
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
}

registerEnumType(ArticleOrder, {
  name: "ArticleOrder",
  valuesConfig: {
    PUBLISHED_AT_DESC: { description: "Newest first." },
    PUBLISHED_AT_ASC: { description: "Oldest first." },
    COMMENT_COUNT_DESC: { description: "Highest commentCount first; among equals, the most recently added first." },
  },
});

@ArgsType()
export class ArticlesArgs extends ConnectionArgs {
  @Field(() => ArticleWhere, { nullable: true })
  where?: ArticleWhere | null;

  @Field(() => ArticleOrder, { nullable: true, defaultValue: ArticleOrder.PUBLISHED_AT_DESC })
  orderBy: ArticleOrderKey;
}
