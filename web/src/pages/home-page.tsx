import { FormEvent, useEffect, useId, useState } from "react";
import { useQuery } from "urql";
import { ArticleCard } from "../components/article-card";
import { MoreButton } from "../components/more-button";
import { ArticleWhere, HomeArticlesDocument, TagChoicesDocument } from "../generated/graphql";
import { errorText, plural } from "../format";
import { PageOfList, usePagedCursors } from "../paged-cursors";
import { homePath, Link, navigate, SearchIn } from "../router";
import { SearchResults } from "./search-results";

export const ARTICLES_PAGE = 10;

export interface Filters {
  q: string;
  in: SearchIn;
  tag: string;
  section: string;
}

export function filtersFrom(params: URLSearchParams): Filters {
  const scope = params.get("in");
  return {
    q: params.get("q") ?? "",
    in: scope === "articles" || scope === "comments" ? scope : "",
    tag: params.get("tag") ?? "",
    section: params.get("section") ?? "",
  };
}

/** The tag and section filters; a search applies them to the articles it finds and to the articles of the comments it finds. */
export function whereOf(filters: Filters): ArticleWhere | null {
  const where: ArticleWhere = {};
  if (filters.tag) where.tagSlugIn = [filters.tag];
  if (filters.section.trim()) where.section = filters.section.trim();
  return Object.keys(where).length > 0 ? where : null;
}

/**
 * The article list, or with words in the search box the search's hits (articles and comments,
 * best first, the words found marked). Filters live in the address, so they can be linked; pages
 * are appended as the reader scrolls.
 */
export function HomePage({ params }: { params: URLSearchParams }) {
  const filters = filtersFrom(params);
  const where = whereOf(filters);
  const query = filters.q.trim();
  const key = JSON.stringify([query, filters.in, where]);
  useEffect(() => {
    document.title = query ? `Search: ${query} · Threadline` : "Threadline";
  }, [query]);
  return (
    <>
      <h1 className="page-title">{query ? "Search" : "Latest articles"}</h1>
      <FilterForm key={`form-${key}`} filters={filters} />
      {query ? <SearchResults key={key} query={query} scope={filters.in} where={where} /> : <ArticlePages key={key} where={where} />}
    </>
  );
}

function FilterForm({ filters }: { filters: Filters }) {
  const [q, setQ] = useState(filters.q);
  const [section, setSection] = useState(filters.section);
  const [{ data: tagData }] = useQuery({ query: TagChoicesDocument });
  const searchId = useId();
  const tagId = useId();
  const sectionId = useId();
  const scopeId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(homePath({ q, in: filters.in, tag: filters.tag, section }));
  };
  const active = filters.q || filters.in || filters.tag || filters.section;
  return (
    <form role="search" className="filters" onSubmit={submit} aria-label="Find articles and comments">
      <div className="field">
        <label htmlFor={searchId}>Search</label>
        <input id={searchId} type="search" value={q} onChange={(event) => setQ(event.target.value)} placeholder="Words to find" />
      </div>
      <div className="field">
        <label htmlFor={scopeId}>Look in</label>
        <select id={scopeId} value={filters.in} onChange={(event) => navigate(homePath({ ...filters, q, section, in: event.target.value as SearchIn }))}>
          <option value="">Everything</option>
          <option value="articles">Articles</option>
          <option value="comments">Comments</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={tagId}>Tag</label>
        <select id={tagId} value={filters.tag} onChange={(event) => navigate(homePath({ ...filters, tag: event.target.value }))}>
          <option value="">Any tag</option>
          {tagData?.tags.nodes.map((tag) => (
            <option key={tag.slug} value={tag.slug}>
              {tag.name} ({tag.articleCount})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={sectionId}>Section</label>
        <input id={sectionId} type="text" value={section} onChange={(event) => setSection(event.target.value)} placeholder="Any section" />
      </div>
      <div className="form-actions">
        <button type="submit">Find</button>
        {active && <Link href="/">Clear filters</Link>}
      </div>
    </form>
  );
}

/** The variables of one page of the article list: the app's and the server rendering's, so that both name the same operation. */
export function articlesPageVariables(where: ArticleWhere | null, after: string | null) {
  return { first: ARTICLES_PAGE, after, where };
}

/** Page after page of the connection: each loaded page asks for the next from its endCursor. */
function ArticlePages({ where }: { where: ArticleWhere | null }) {
  const pages = usePagedCursors();
  // The first page's own query: its count is the list's.
  const [{ data: first }] = useQuery({ query: HomeArticlesDocument, variables: articlesPageVariables(where, null) });
  const total = first ? first.articles.totalCount : null;
  return (
    <section aria-labelledby="article-list-heading">
      <h2 id="article-list-heading" className="visually-hidden">
        Articles
      </h2>
      {total !== null && (
        <p className="muted" aria-live="polite">
          {total === 0 ? "No article matches." : plural(total, "article")}
        </p>
      )}
      <ol className="article-list">
        {pages.map(({ key, ...page }) => (
          <ArticlePageOfList key={key} where={where} {...page} />
        ))}
      </ol>
    </section>
  );
}

function ArticlePageOfList(props: PageOfList & { where: ArticleWhere | null }) {
  const [{ data, fetching, error }] = useQuery({ query: HomeArticlesDocument, variables: articlesPageVariables(props.where, props.after) });
  if (error) {
    return (
      <li className="error" role="alert">
        Could not load articles: {errorText(error)}
      </li>
    );
  }
  if (!data) return fetching ? <li className="muted">Loading articles…</li> : null;
  const { edges, pageInfo } = data.articles;
  return (
    <>
      {edges.map(({ node }) => (
        <ArticleCard key={node.id} article={node} />
      ))}
      {props.isLast && pageInfo.hasNextPage && pageInfo.endCursor && (
        <li className="more-item">
          <MoreButton onMore={() => props.onMore(pageInfo.endCursor as string)} />
        </li>
      )}
    </>
  );
}
