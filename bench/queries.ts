/**
 * The operations `npm run bench:compare` sends to every server. The reference and floor servers
 * answer exactly these (the floor recognises them by their text), with the bodies Threadline gives.
 */
import { DEEP_QUERY } from "../scripts/deep-query";

export interface BenchQuery {
  name: string;
  description: string;
  query: string;
  variables: Record<string, unknown>;
}

/** One article by slug with what an article page shows. */
export const ARTICLE_PAGE_QUERY = `query ArticlePage($slug: String!) {
  article(slug: $slug) {
    id title section publishedAt dateline imageCaption imageCredit wordCount paragraphs
    tags { name slug articleCount }
    relatedLinks { position title article { slug title } }
    commentCount
    comments(first: 10) {
      totalCount
      nodes { id position hasAvatar body author { name commentCount } }
    }
  }
}`;

/** A title list. */
export const TITLES_QUERY = `query Titles { articles(first: 20) { nodes { id title } } }`;

export { DEEP_QUERY };

export function benchQueries(slug: string): BenchQuery[] {
  return [
    { name: "q1", description: "article(slug) with tags, links, 10 comments and their authors", query: ARTICLE_PAGE_QUERY, variables: { slug } },
    { name: "q2", description: "deep query, first: 20", query: DEEP_QUERY, variables: { first: 20 } },
    { name: "q3", description: "deep query, first: 50", query: DEEP_QUERY, variables: { first: 50 } },
    { name: "q4", description: "articles(first: 20) { nodes { id title } }", query: TITLES_QUERY, variables: {} },
  ];
}
