import { ComplexityEstimator } from "graphql-query-complexity";
import { ObjectType } from "type-graphql";
import { Article, Author, Comment, Tag } from "../../entities";
import { connectionType, DEFAULT_PAGE_SIZE } from "../../schema/connection";

@ObjectType()
export class ArticleConnection extends connectionType(Article, "Article") {}

@ObjectType()
export class TagConnection extends connectionType(Tag, "Tag") {}

@ObjectType()
export class AuthorConnection extends connectionType(Author, "Author") {}

@ObjectType()
export class CommentConnection extends connectionType(Comment, "Comment") {}

/** A connection costs its page size times what each item costs. */
export const connectionCost: ComplexityEstimator = ({ args, childComplexity }) => {
  const size = Number(args.first ?? args.last ?? DEFAULT_PAGE_SIZE);
  return 1 + Math.max(1, Number.isFinite(size) ? size : DEFAULT_PAGE_SIZE) * childComplexity;
};
