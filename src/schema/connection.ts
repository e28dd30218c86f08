/**
 * The GraphQL shape of Relay connections. What a cursor holds and how a page is fetched live in
 * read/connection.ts; this file only declares the types clients see.
 */
import { ComplexityEstimator } from "graphql-query-complexity";
import { ClassType, Field, Int, ObjectType } from "type-graphql";
import { Article, Author, Comment, Notification, Tag } from "../entities";
import { DEFAULT_PAGE_SIZE } from "../read/connection";
import { queryWordCount } from "../search/parse-query";

@ObjectType({ description: "Relay page information.", simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean, { description: "Whether the list goes on after this page's last edge." })
  hasNextPage: boolean;

  @Field(() => Boolean, { description: "Whether the list has items before this page's first edge." })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: "The first edge's cursor; null for an empty page." })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: "The last edge's cursor (pass it as after for the next page); null for an empty page." })
  endCursor: string | null;
}

@ObjectType({ description: 'A count that stops at a bound: "1,000+" when isExact is false.', simpleResolvers: true })
export class BoundedCount {
  @Field(() => Int, { description: "The number of items, or the bound when there are more." })
  count: number;

  @Field(() => Boolean, { description: "Whether count is the exact number; false: there are more than count." })
  isExact: boolean;
}

/** A Relay edge type for `nodeType`, named `${name}Edge`. */
function edgeType<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name.toLowerCase()} in a list, with its cursor.`, simpleResolvers: true })
  class EdgeType {
    // A posted comment's edge reads its cursor only when selected, as a promise; see totalCount below.
    @Field(() => String, { simple: false, description: "Opaque; pass it as after or before to the list that gave it (same parent object, same orderBy)." })
    cursor: string;

    @Field(() => nodeType, { description: `The ${name.toLowerCase()}.` })
    node: T;
  }
  return EdgeType;
}

/** A Relay connection type for `nodeType`, named `${name}Connection`, of `edge`s. */
function connectionType<T extends object>(nodeType: ClassType<T>, name: string, edge: ClassType<{ cursor: string; node: T }> = edgeType(nodeType, name)) {
  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class ConnectionType {
    @Field(() => [edge], { description: "The page's items with their cursors, in the list's order." })
    edges: { cursor: string; node: T }[];

    @Field(() => [nodeType], { description: "The edges' nodes, for clients that need no cursors." })
    nodes: T[];

    @Field(() => PageInfo, { description: "Whether more items lie before or after this page, and the cursors to reach them." })
    pageInfo: PageInfo;

    // Counted only when selected, so the value may be a promise. A field with a resolver is awaited
    // by every executor; graphql-jit reads a plain field as a value (compiled-executor.ts).
    @Field(() => Int, { simple: false, description: "How many items the whole list holds, across all pages." })
    totalCount: number;
  }
  return ConnectionType;
}

@ObjectType({ description: "A Relay page of a list of articles.", simpleResolvers: true })
export class ArticleConnection extends connectionType(Article, "Article") {}

@ObjectType({ description: "A Relay page of a list of tags.", simpleResolvers: true })
export class TagConnection extends connectionType(Tag, "Tag") {}

@ObjectType({ description: "A Relay page of a list of commenters.", simpleResolvers: true })
export class AuthorConnection extends connectionType(Author, "Author") {}

/** An edge of a comment list; mutations answer one too (AddCommentPayload.commentEdge). */
export const CommentEdge = edgeType(Comment, "Comment");

@ObjectType({ description: "A Relay page of a list of comments.", simpleResolvers: true })
export class CommentConnection extends connectionType(Comment, "Comment", CommentEdge) {}

@ObjectType({ description: "A Relay page of the signed-in reader's notifications, newest first.", simpleResolvers: true })
export class NotificationConnection extends connectionType(Notification, "Notification") {}

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
 * What each search word adds: a word is an index look-up whose matches are all scored and sorted
 * before a page can be cut, however small the page, so a common word costs a scan of its matches.
 * 30 aliases of a 12-word search are over budget.
 */
export const SEARCH_WORD_COST = 150;

/** `articles`: its page, plus its search's database work. */
export const articlesCost: ComplexityEstimator = (options) => {
  const where = (options.args.where ?? {}) as { search?: unknown };
  return Number(connectionCost(options)) + SEARCH_WORD_COST * queryWordCount(where.search);
};

/**
 * `search`: its page, the words of its query, and a base price for the ranking every search does
 * (an article and a comment index, each scored and sorted) even when its words are few.
 */
export const SEARCH_BASE_COST = 200;
export const searchCost: ComplexityEstimator = (options) =>
  Number(connectionCost(options)) + SEARCH_BASE_COST + SEARCH_WORD_COST * queryWordCount(options.args.query);
