/** What the deep query asks of each article: everything under it, two levels of comments deep. */
const ARTICLE_SELECTION = `nodes {
      id title commentCount
      tags { name articleCount }
      relatedLinks { title article { id title } }
      comments(first: 10) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id body hasAvatar replyCount
          author { name commentCount }
          replies(first: 5) { totalCount nodes { id body depth author { name } parent { id } } }
        }
      }
    }`;

/** The deep query the README shows: a page of articles with everything under them. */
export const DEEP_QUERY = `query Deep($first: Int!) {
  articles(first: $first, orderBy: PUBLISHED_AT_ASC) {
    totalCount
    ${ARTICLE_SELECTION}
  }
}`;

/** The same page further down the list: after a cursor, with both ends of pageInfo. */
export const DEEP_PAGE_QUERY = `query DeepPage($first: Int!, $after: String) {
  articles(first: $first, after: $after, orderBy: PUBLISHED_AT_ASC) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    ${ARTICLE_SELECTION}
  }
}`;
