/**
 * The GraphQL shape of Relay connections. What a cursor holds and how a page is fetched live in
 * loaders/connection.ts; this file only declares the types clients see.
 */
import { ComplexityEstimator } from "graphql-query-complexity";
import { ClassType, Field, Int, ObjectType } from "type-graphql";
import { Article, Author, Comment, Tag } from "../entities";
import { DEFAULT_PAGE_SIZE } from "../loaders/connection";

@ObjectType({ description: "Relay page information.", simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => Boolean)
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

/** A Relay connection type for `nodeType`, named `${name}Connection` with `${name}Edge` edges. */
function connectionType<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class EdgeType {
    @Field(() => String, { description: "Opaque; pass it as after or before to the list that gave it (same parent object, same orderBy)." })
    cursor: string;

    @Field(() => nodeType)
    node: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class ConnectionType {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => [nodeType], { description: "The edges' nodes, for clients that need no cursors." })
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: "How many items the whole list holds, across all pages." })
    totalCount: number;
  }
  return ConnectionType;
}

@ObjectType({ simpleResolvers: true })
export class ArticleConnection extends connectionType(Article, "Article") {}

@ObjectType({ simpleResolvers: true })
export class TagConnection extends connectionType(Tag, "Tag") {}

@ObjectType({ simpleResolvers: true })
export class AuthorConnection extends connectionType(Author, "Author") {}

@ObjectType({ simpleResolvers: true })
export class CommentConnection extends connectionType(Comment, "Comment") {}

/** A connection costs its page size times what each item costs. */
export const connectionCost: ComplexityEstimator = ({ args, childComplexity }) => {
  const size = Number(args.first ?? args.last ?? DEFAULT_PAGE_SIZE);
  return 1 + Math.max(1, Number.isFinite(size) ? size : DEFAULT_PAGE_SIZE) * childComplexity;
};

/** A plain list with a hard cap costs as if it were full. */
export function cappedListCost(max: number): ComplexityEstimator {
  return ({ childComplexity }) => 1 + max * childComplexity;
}

/**
 * What each search word adds to `articles`: a word is a scan of every article's text, whatever
 * the page size, so 30 aliases of a 20-word search (a minute of database time) are over budget.
 */
export const SEARCH_WORD_COST = 100;

/** `articles`: its page, plus its filter's database work. */
export const articlesCost: ComplexityEstimator = (options) => {
  const where = (options.args.where ?? {}) as { search?: unknown };
  const words = typeof where.search === "string" ? where.search.split(/\s+/).filter(Boolean).length : 0;
  return Number(connectionCost(options)) + SEARCH_WORD_COST * words;
};
