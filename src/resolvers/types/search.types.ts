import { ArgsType, createUnionType, Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { Article, Comment } from "../../entities";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../read/connection";
import { RANK_WINDOW } from "../../read/ranked-matches";
import type { SearchScopeKey } from "../../read/search.loader";
import { MAX_FRAGMENT_LENGTH } from "../../search/highlight";
import { MAX_QUERY_LENGTH, MAX_QUERY_WORDS, MIN_PREFIX_LENGTH } from "../../search/parse-query";
import { PageInfo } from "../../schema/connection";
import { ArticleWhere } from "./article.input";

export enum SearchScope {
  ARTICLES = "ARTICLES",
  COMMENTS = "COMMENTS",
}

registerEnumType(SearchScope, {
  name: "SearchScope",
  description: "What a search looks through.",
  valuesConfig: {
    ARTICLES: { description: "Articles: title, section, tag names and paragraphs (the title weighs most, then section and tags)." },
    COMMENTS: { description: "The bodies of visible comments; a deleted comment is never found." },
  },
});

export const SearchResult = createUnionType({
  name: "SearchResult",
  description: "What a search finds: an article or a comment.",
  // No resolveType: type-graphql's own picks the class the node is an instance of (the loaders
  // build Article and Comment rows), at once. One given here is wrapped in an async function,
  // whose promise graphql-jit does not wait for (compiled-executor.ts).
  types: () => [Article, Comment] as const,
});

@ObjectType({ description: "A stretch of a highlight's fragment." })
export class TextRange {
  @Field(() => Int, { description: "Offset of the first marked character in the fragment, in UTF-16 code units (as JavaScript strings count)." })
  start: number;

  @Field(() => Int, { description: "How many UTF-16 code units are marked." })
  length: number;
}

@ObjectType({ description: "Where a search's words occur in one field of a hit: plain text, no markup." })
export class Highlight {
  @Field(() => String, { description: "The field the fragment comes from: title, section, tags, paragraphs (an article's) or body (a comment's)." })
  field: string;

  @Field(() => String, {
    description:
      `The field's text, or for a longer text up to ${MAX_FRAGMENT_LENGTH} UTF-16 units around its first match, cut at ` +
      "word boundaries and marked with \u2026 where it was cut.",
  })
  fragment: string;

  @Field(() => [TextRange], {
    description:
      "The words and phrases the search looked for (not its exclusions), in order, merged where they touch; each a word " +
      'as written in the fragment, e.g. "Elections" for the search word "election".',
  })
  ranges: TextRange[];
}

@ObjectType({ description: "One search result with its place in the list." })
export class SearchEdge {
  @Field(() => String, { description: "Opaque; pass it as after or before to the same search (same query, scope and where)." })
  cursor: string;

  @Field(() => Float, {
    description:
      "Relevance, comparable with every other score of the same list (not across searches): BM25 on SQLite, ts_rank_cd " +
      "on PostgreSQL, the title weighted above section and tags and those above the body, served as r / (1 + r), plus 1 " +
      `when a looked-for word or phrase occurs in an article's title. Each kind of match (title matches, other articles, ` +
      `comments) ranks its ${RANK_WINDOW} newest; older ones follow their kind unranked, newest first, scored 1 (title ` +
      "matches) or 0. Results come in descending score.",
  })
  score: number;

  @Field(() => SearchResult, { description: "The article or comment found." })
  node: Article | Comment;
}

@ObjectType({ description: "Search results, best first." })
export class SearchConnection {
  @Field(() => [SearchEdge], { description: "The page's results with cursors, scores and highlights, best first." })
  edges: SearchEdge[];

  @Field(() => [SearchResult], { description: "The edges' nodes, for clients that need no cursors." })
  nodes: (Article | Comment)[];

  @Field(() => PageInfo, { description: "Whether more results lie before or after this page, and the cursors to reach them." })
  pageInfo: PageInfo;

  @Field(() => Int, { description: "How many results the whole search finds, across all pages." })
  totalCount: number;
}

@ArgsType()
export class SearchArgs {
  @Field(() => String, {
    description:
      `What to look for, at most ${MAX_QUERY_LENGTH} characters and ${MAX_QUERY_WORDS} words (BAD_USER_INPUT beyond). ` +
      'Words are ANDed; "quoted words" match as a phrase; -word and -"a phrase" exclude; word* matches words that begin ' +
      `with word (${MIN_PREFIX_LENGTH} characters at least). Any other character separates words. Case and diacritics ` +
      'are ignored in every script ("москва" finds "Москва", "sao paulo" finds "São Paulo") and English words match ' +
      'their inflections ("elections" finds "election"). A query without any word finds nothing; one that only excludes ' +
      "is BAD_USER_INPUT.",
  })
  query: string;

  @Field(() => [SearchScope], {
    nullable: true,
    defaultValue: [SearchScope.ARTICLES, SearchScope.COMMENTS],
    description: "Articles, comments or both, in one list; not empty (null means both).",
  })
  scope?: SearchScopeKey[] | null;

  @Field(() => ArticleWhere, {
    nullable: true,
    description: "Only articles that pass these filters, and only comments on such articles.",
  })
  where?: ArticleWhere | null;

  @Field(() => Int, { nullable: true, description: `Page size from the start, 0 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Start after the edge with this cursor: one that this very search gave (same query, scope and where). Anything else is BAD_USER_INPUT naming the argument.",
  })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Page size from the end, 0 to ${MAX_PAGE_SIZE}.` })
  last?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "End before the edge with this cursor: one that this very search gave (same query, scope and where). Anything else is BAD_USER_INPUT naming the argument.",
  })
  before?: string | null;
}
