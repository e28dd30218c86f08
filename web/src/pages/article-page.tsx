import { ReactNode, useEffect, useRef, useState } from "react";
import { useClient, useQuery, useSubscription } from "urql";
import { ArticleMeta } from "../components/article-meta";
import { CommentForm } from "../components/deferred";
import { CommentList } from "../components/comment-list";
import { ArticlePageDocument, ArticlePageQuery, ArticlePageQueryVariables, CommentAncestryDocument, CommentEventsDocument } from "../generated/graphql";
import { errorText, plural } from "../format";
import { articlePath, homePath, Link, useLocation } from "../router";
import { useSession } from "../session";
import { COMMENTS_PAGE, REPLIES_PAGE, ThreadProvider, ThreadTarget, useThread } from "../thread-state";
import { ErrorAlert } from "../components/error-alert";

type ArticleData = NonNullable<ArticlePageQuery["article"]>;

const NO_TARGET: ThreadTarget = { commentId: null, path: [] };

/** The comment a `#c-<id>` address points at, if any. */
function linkedCommentId(hash: string): string | null {
  const match = /^#c-(.+)$/.exec(hash);
  return match ? decodeURIComponent(match[1]) : null;
}

/**
 * The page's query: the article with its first page of comments, or the page after `?after=CURSOR`
 * (the "more comments" link followed without JavaScript). The server renders with the same.
 */
export function articlePageVariables(slug: string, search: string): ArticlePageQueryVariables {
  const after = new URLSearchParams(search).get("after");
  return { slug, commentsFirst: COMMENTS_PAGE, commentsAfter: after || null, repliesFirst: REPLIES_PAGE };
}

export function ArticlePage({ slug }: { slug: string }) {
  const { search } = useLocation();
  const [{ data, fetching, error }] = useQuery({ query: ArticlePageDocument, variables: articlePageVariables(slug, search) });
  const article = data?.article;
  useEffect(() => {
    document.title = article ? `${article.title} · Threadline` : "Threadline";
  }, [article]);

  if (error) {
    return <ErrorAlert about="Could not load the article" message={errorText(error)} />;
  }
  if (!data) return fetching ? <p className="muted">Loading…</p> : null;
  if (!article) {
    return (
      <>
        <h1 className="page-title">No such article</h1>
        <p>
          There is no article at this address. <Link href="/">See the latest articles.</Link>
        </p>
      </>
    );
  }
  return <ArticleView article={article} />;
}

function ArticleView({ article }: { article: ArticleData }) {
  const target = useThreadTarget(article.id);
  return (
    <>
      <p className="breadcrumb">
        <Link href="/">← All articles</Link>
      </p>
      <article className="article" aria-labelledby="article-title">
        <header>
          <h1 id="article-title">{article.title}</h1>
          <ArticleMeta article={article} />
        </header>
        {(article.imageCaption || article.imageCredit) && (
          <figure className="photo-note">
            <figcaption>
              <span className="visually-hidden">Photo: </span>
              {article.imageCaption}
              {article.imageCredit && <span className="credit"> {article.imageCredit}</span>}
            </figcaption>
          </figure>
        )}
        <div className="article-body">
          {article.paragraphs.map((paragraph, index) => (
            <p key={index}>
              {index === 0 && article.dateline && (
                <>
                  <span className="dateline">{article.dateline}</span> —{" "}
                </>
              )}
              {paragraph}
            </p>
          ))}
          {article.paragraphs.length === 0 && article.dateline && <p className="dateline">{article.dateline}</p>}
        </div>
        {article.tags.length > 0 && (
          <section aria-labelledby="tags-heading" className="article-tags">
            <h2 id="tags-heading">Tags</h2>
            <ul className="tags">
              {article.tags.map((tag) => (
                <li key={tag.slug}>
                  <Link href={homePath({ tag: tag.slug })}>{tag.name}</Link>
                </li>
              ))}
            </ul>
          </section>
        )}
        {article.relatedLinks.length > 0 && (
          <section aria-labelledby="related-heading" className="related">
            <h2 id="related-heading">Related</h2>
            <ul>
              {article.relatedLinks.map((link) => (
                <li key={link.id}>{link.article ? <Link href={articlePath(link.article.slug)}>{link.title}</Link> : <span>{link.title}</span>}</li>
              ))}
            </ul>
          </section>
        )}
      </article>
      <ThreadProvider articleId={article.id} commentCount={article.commentCount} target={target}>
        <Discussion article={article} />
      </ThreadProvider>
    </>
  );
}

/** Follows `#c-<id>`: asks for the comment's parents so each level of the thread can page down to it. */
export function useThreadTarget(articleId: string): ThreadTarget {
  const location = useLocation();
  const client = useClient();
  const commentId = linkedCommentId(location.hash);
  const [target, setTarget] = useState<ThreadTarget>(NO_TARGET);
  useEffect(() => {
    if (!commentId) {
      setTarget(NO_TARGET);
      return;
    }
    let current = true;
    void client
      .query(CommentAncestryDocument, { id: commentId })
      .toPromise()
      .then((result) => {
        const comment = result.data?.comment;
        if (!current) return;
        if (!comment || comment.article.id !== articleId) {
          setTarget({ commentId, path: [] });
          return;
        }
        setTarget({ commentId, path: [...comment.ancestors.map((ancestor) => ancestor.id), comment.id] });
      });
    return () => {
      current = false;
    };
  }, [client, commentId, articleId]);
  return target;
}

/** The thread: its count, the form, the comments, and their live events. `signInHint` is said to a reader who may not post yet. */
export function Discussion({ article, signInHint }: { article: ArticleData; signInHint?: ReactNode }) {
  const { articleId, state, dispatch } = useThread();
  const session = useSession();
  const { hash, search } = useLocation();
  const section = useRef<HTMLElement>(null);
  // "N comments" on the home page links here; the section exists only once the article loaded.
  useEffect(() => {
    if (hash === "#comments") section.current?.scrollIntoView();
  }, [hash]);
  // Live: comments posted, edited, deleted, reacted to and moderated while the page is open.
  useSubscription({ query: CommentEventsDocument, variables: { articleId } }, (_previous, event) => {
    const { kind, comment } = event.commentEvents;
    dispatch({ type: "event", kind, comment, parentId: comment.parent?.id ?? null, commentCount: comment.article.commentCount });
    return event;
  });
  const target = useThread().target;
  const linkedMissing = target.commentId !== null && target.path.length === 0;
  return (
    <section id="comments" ref={section} className="discussion" aria-labelledby="comments-heading">
      <h2 id="comments-heading">{plural(state.commentCount, "comment")}</h2>
      <p className="visually-hidden" aria-live="polite">
        {state.announcement}
      </p>
      {linkedMissing && <p className="muted">The linked comment is not in this discussion any more.</p>}
      {session.token ? <CommentForm kind="new" /> : (signInHint ?? (session.devSignIn ? <p className="muted">Sign in (top of the page) to post.</p> : null))}
      {new URLSearchParams(search).get("after") && (
        <p>
          <Link href={`${articlePath(article.slug)}#comments`}>First comments</Link>
        </p>
      )}
      <CommentList parentId={null} initial={article.comments} />
    </section>
  );
}
