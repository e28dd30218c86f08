/** The deep query the README shows: a page of articles with everything under them. */
export const DEEP_QUERY = `query Deep($first: Int!) {
  articles(first: $first, orderBy: PUBLISHED_AT_ASC) {
    totalCount
    nodes {
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
    }
  }
}`;
