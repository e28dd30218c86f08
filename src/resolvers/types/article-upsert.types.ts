import { DateTimeResolver } from "graphql-scalars";
import { Field, InputType, ObjectType } from "type-graphql";
import { Article } from "../../entities";
import { COLUMN_LENGTHS } from "../../entities/column-lengths";
import { WRITE_LIMITS } from "../../text/write-limits";

/**
 * An article as a newsroom's CMS describes it. An update writes only the fields given: one left
 * out keeps its stored value; null clears a text field and empties a list.
 */
@InputType({
  description:
    "An article of the newsroom's own site, for upsertArticle and for the seed's .json and .ndjson files. On an update, a field " +
    "left out keeps its stored value, and null clears it (a list becomes empty). Held to the same limits as imported dumps.",
})
export class ArticleInput {
  @Field(() => String, {
    description: `Where the article is published: an absolute http or https URL (at most ${COLUMN_LENGTHS.articleUrl} characters), stored as the WHATWG URL parser writes it, without its #fragment.`,
  })
  url: string;

  @Field(() => String, {
    nullable: true,
    description: `The publisher's own id for the article (at most ${COLUMN_LENGTHS.articleExternalId} characters); an upsert finds the article by it first.`,
  })
  externalId?: string | null;

  @Field(() => String, { description: `The headline; not blank, at most ${WRITE_LIMITS.title} characters.` })
  title: string;

  @Field(() => DateTimeResolver, { description: "When the article was published, with its zone (2024-05-01T10:00:00Z)." })
  publishedAt: Date;

  @Field(() => String, { nullable: true, description: `The section, at most ${WRITE_LIMITS.section} characters.` })
  section?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: `The body, one string per paragraph (at most ${WRITE_LIMITS.paragraphs}, each at most ${WRITE_LIMITS.paragraph} characters); blank ones are dropped.`,
  })
  paragraphs?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: `Tag names, at most ${WRITE_LIMITS.tags}, none blank; names that differ only in case are one tag.`,
  })
  tags?: string[] | null;

  @Field(() => String, { nullable: true, description: `The photo's caption, at most ${WRITE_LIMITS.imageCaption} characters.` })
  imageCaption?: string | null;

  @Field(() => String, { nullable: true, description: `Who the photo is credited to, at most ${WRITE_LIMITS.imageCredit} characters.` })
  imageCredit?: string | null;

  @Field(() => String, { nullable: true, description: `The dateline ("MOSCOW (Sputnik)"), at most ${WRITE_LIMITS.dateline} characters.` })
  dateline?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: `Related headlines, at most ${WRITE_LIMITS.relatedLinks}, none blank; each links to the article with exactly that title.`,
  })
  relatedLinks?: string[] | null;
}

@ObjectType({ description: "What upsertArticle answers.", simpleResolvers: true })
export class ArticlePayload {
  @Field(() => Article, { description: "The article as now stored." })
  article: Article;

  @Field(() => Boolean, { description: "True when the upsert created the article; false when it updated one, or found it unchanged." })
  created: boolean;
}
