import { FormEvent, useEffect, useId, useRef, useState } from "react";
import { useQuery } from "urql";
import { ArticleCardFragment, ArticleWhere, HomeArticlesDocument, TagChoicesDocument } from "../generated/graphql";
import { errorText, formatDateTime, plural } from "../format";
import { articlePath, homePath, Link, navigate } from "../router";

const ARTICLES_PAGE = 10;

interface Filters {
  q: string;
  tag: string;
  section: string;
}

function filtersFrom(params: URLSearchParams): Filters {
  return { q: params.get("q") ?? "", tag: params.get("tag") ?? "", section: params.get("section") ?? "" };
}

function whereOf(filters: Filters): ArticleWhere | null {
  const where: ArticleWhere = {};
  if (filters.q.trim()) where.search = filters.q.trim();
  if (filters.tag) where.tagSlugIn = [filters.tag];
  if (filters.section.trim()) where.section = filters.section.trim();
  return Object.keys(where).length > 0 ? where : null;
}

/** The article list: filters in the address (so they can be linked), pages appended as the reader scrolls. */
export function HomePage({ params }: { params: URLSearchParams }) {
  const filters = filtersFrom(params);
  const where = whereOf(filters);
  const key = JSON.stringify(where);
  useEffect(() => {
    document.title = "Threadline";
  }, []);
  return (
    <>
      <h1 className="page-title">Latest articles</h1>
      <FilterForm key={`form-${key}`} filters={filters} />
      <ArticlePages key={key} where={where} />
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
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(homePath({ q, tag: filters.tag, section }));
  };
  const active = filters.q || filters.tag || filters.section;
  return (
    <form role="search" className="filters" onSubmit={submit} aria-label="Find articles">
      <div className="field">
        <label htmlFor={searchId}>Search</label>
        <input id={searchId} type="search" value={q} onChange={(event) => setQ(event.target.value)} placeholder="Words in the title or text" />
      </div>
      <div className="field">
        <label htmlFor={tagId}>Tag</label>
        <select id={tagId} value={filters.tag} onChange={(event) => navigate(homePath({ q: filters.q, tag: event.target.value, section: filters.section }))}>
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

/** Page after page of the connection: each loaded page asks for the next from its endCursor. */
function ArticlePages({ where }: { where: ArticleWhere | null }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [total, setTotal] = useState<number | null>(null);
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
        {cursors.map((after, index) => (
          <ArticlePageOfList
            key={after ?? "first"}
            where={where}
            after={after}
            isLast={index === cursors.length - 1}
            onTotal={index === 0 ? setTotal : undefined}
            onMore={(cursor) => setCursors((loaded) => (loaded.includes(cursor) ? loaded : [...loaded, cursor]))}
          />
        ))}
      </ol>
    </section>
  );
}

function ArticlePageOfList(props: {
  where: ArticleWhere | null;
  after: string | null;
  isLast: boolean;
  onTotal?: (total: number) => void;
  onMore: (cursor: string) => void;
}) {
  const [{ data, fetching, error }] = useQuery({ query: HomeArticlesDocument, variables: { first: ARTICLES_PAGE, after: props.after, where: props.where } });
  const { onTotal } = props;
  const total = data?.articles.totalCount;
  useEffect(() => {
    if (onTotal && total !== undefined) onTotal(total);
  }, [onTotal, total]);
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

/** A button, so the keyboard can page; it also presses itself when scrolled into view. */
function MoreButton({ onMore }: { onMore: () => void }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const target = button.current;
    if (!target || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onMore();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [onMore]);
  return (
    <button ref={button} type="button" className="more" onClick={onMore}>
      More articles
    </button>
  );
}

function ArticleCard({ article }: { article: ArticleCardFragment }) {
  return (
    <li className="article-card">
      <h3>
        <Link href={articlePath(article.slug)}>{article.title}</Link>
      </h3>
      <p className="meta">
        {article.section && (
          <>
            <Link href={homePath({ section: article.section })}>{article.section}</Link>
            <span aria-hidden="true"> · </span>
          </>
        )}
        <time dateTime={article.publishedAt}>{formatDateTime(article.publishedAt)}</time>
        <span aria-hidden="true"> · </span>
        <Link href={`${articlePath(article.slug)}#comments`}>{plural(article.commentCount, "comment")}</Link>
      </p>
      {article.tags.length > 0 && (
        <ul className="tags" aria-label="Tags">
          {article.tags.map((tag) => (
            <li key={tag.slug}>
              <Link href={homePath({ tag: tag.slug })}>{tag.name}</Link>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
