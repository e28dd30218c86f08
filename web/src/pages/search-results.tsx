import { useQuery } from "urql";
import { ArticleCard } from "../components/article-card";
import { MarkedText } from "../components/marked-text";
import { MoreButton } from "../components/more-button";
import { ArticleWhere, SearchHitsDocument, SearchHitsQuery, SearchScope } from "../generated/graphql";
import { countText, errorText, formatDateTime } from "../format";
import { PageOfList, usePagedCursors } from "../paged-cursors";
import { articlePath, Link, SearchIn } from "../router";

export const SEARCH_PAGE = 10;

type SearchEdge = SearchHitsQuery["search"]["edges"][number];
type Highlight = SearchEdge["highlights"][number];

export const SCOPES: Record<SearchIn, SearchScope[] | null> = { "": null, articles: ["ARTICLES"], comments: ["COMMENTS"] };

/** What a highlight's field is called next to its fragment. */
const FIELD_LABELS: Record<string, string> = { section: "Section", tags: "Tags", paragraphs: "Text", body: "Comment" };

/** The variables of one page of hits: the app's and the server rendering's, so that both name the same operation. */
export function searchPageVariables(query: string, scope: SearchIn, where: ArticleWhere | null, after: string | null) {
  return { query, scope: SCOPES[scope], where, first: SEARCH_PAGE, after };
}

/** The search's hits, page after page, each loaded page asking for the next from its endCursor. */
export function SearchResults({ query, scope, where }: { query: string; scope: SearchIn; where: ArticleWhere | null }) {
  const pages = usePagedCursors();
  // The first page's own query: its count is the list's.
  const [{ data: first }] = useQuery({ query: SearchHitsDocument, variables: searchPageVariables(query, scope, where, null) });
  const total = first?.search.boundedCount ?? null;
  return (
    <section aria-labelledby="search-results-heading">
      <h2 id="search-results-heading" className="visually-hidden">
        Search results
      </h2>
      {total !== null && (
        <p className="muted" aria-live="polite">
          {total.count === 0 ? `Nothing matches “${query}”.` : `${countText(total, "result")} for “${query}”, best first`}
        </p>
      )}
      <ol className="article-list search-results">
        {pages.map(({ key, ...page }) => (
          <SearchPage key={key} query={query} scope={scope} where={where} {...page} />
        ))}
      </ol>
    </section>
  );
}

function SearchPage(props: PageOfList & { query: string; scope: SearchIn; where: ArticleWhere | null }) {
  const [{ data, fetching, error }] = useQuery({
    query: SearchHitsDocument,
    variables: searchPageVariables(props.query, props.scope, props.where, props.after),
  });
  if (error) {
    return (
      <li className="error" role="alert">
        Could not search: {errorText(error)}
      </li>
    );
  }
  if (!data) return fetching ? <li className="muted">Searching…</li> : null;
  const { edges, pageInfo } = data.search;
  return (
    <>
      {edges.map((edge) => (
        <SearchHit key={edge.cursor} edge={edge} />
      ))}
      {props.isLast && pageInfo.hasNextPage && pageInfo.endCursor && (
        <li className="more-item">
          <MoreButton label="More results" onMore={() => props.onMore(pageInfo.endCursor as string)} />
        </li>
      )}
    </>
  );
}

function Fragments({ highlights }: { highlights: readonly Highlight[] }) {
  if (highlights.length === 0) return null;
  return (
    <>
      {highlights.map((highlight, index) => (
        // A long field can give several fragments, so the field alone is no key.
        <p key={`${highlight.field}-${index}`} className="hit-fragment">
          <span className="hit-field">{FIELD_LABELS[highlight.field] ?? highlight.field}:</span>{" "}
          <MarkedText fragment={highlight.fragment} ranges={highlight.ranges} />
        </p>
      ))}
    </>
  );
}

function SearchHit({ edge }: { edge: SearchEdge }) {
  const { node, highlights } = edge;
  if (node.__typename === "Article") {
    const title = highlights.find((highlight) => highlight.field === "title");
    return (
      <ArticleCard article={node} title={title ? <MarkedText fragment={title.fragment} ranges={title.ranges} /> : undefined}>
        <Fragments highlights={highlights.filter((highlight) => highlight !== title)} />
      </ArticleCard>
    );
  }
  if (node.__typename !== "Comment") return null;
  const author = node.author?.name ?? "an anonymous reader";
  return (
    <li className="article-card comment-hit">
      <h3>
        <Link href={articlePath(node.article.slug, node.id)}>Comment by {author}</Link>
      </h3>
      <p className="meta">
        on <Link href={articlePath(node.article.slug)}>{node.article.title}</Link>
        {node.createdAt && (
          <>
            <span aria-hidden="true"> · </span>
            <time dateTime={node.createdAt}>{formatDateTime(node.createdAt)}</time>
          </>
        )}
      </p>
      {highlights.map((highlight, index) => (
        <blockquote key={`${highlight.field}-${index}`} className="hit-fragment">
          <MarkedText fragment={highlight.fragment} ranges={highlight.ranges} />
        </blockquote>
      ))}
    </li>
  );
}
