import { useCallback, useEffect, useMemo, useState } from "react";
import { Provider, useQuery } from "urql";
import { createGraphqlClient } from "../client";
import { errorText } from "../format";
import { ArticlePageDocument } from "../generated/graphql";
import { Discussion, useThreadTarget } from "../pages/article-page";
import { PermalinkContext, Permalinks } from "../permalink";
import { Credential, identityKey } from "../session";
import { COMMENTS_PAGE, REPLIES_PAGE, ThreadProvider } from "../thread-state";
import { applyTheme, EmbedPageConfig, onHostMessage, postToHost } from "./embed-host";
import { EmbedSessionProvider, readerCredential } from "./embed-session";
import { ErrorAlert } from "../components/error-alert";

export interface EmbedAppProps {
  config: EmbedPageConfig;
  /** Where messages to the host page go (embed-host.ts); null when there is no host to speak to. */
  origin: string | null;
  /** The host page's address (without its fragment), where permalinks point; null: this frame's own #c-<id>. */
  pageUrl: string | null;
  /** Whether the host page has a token to send: the thread waits for it rather than load twice. */
  awaitToken: boolean;
}

/**
 * The embed: the reader app's discussion of one article, with the host site's reader. A new token
 * makes a new client (its own live socket, signed in as the new reader), and the thread starts
 * over when the reader changes, as the app does on sign-in.
 */
export function EmbedApp({ config, origin, pageUrl, awaitToken }: EmbedAppProps) {
  const [credential, setCredential] = useState<Credential | null>(null);
  const [waiting, setWaiting] = useState(awaitToken && origin !== null);

  useEffect(
    () =>
      onHostMessage(origin, (message) => {
        if (message.type === "threadline:token") {
          setCredential(readerCredential(message.token));
          setWaiting(false);
        } else if (message.type === "threadline:theme") applyTheme(message.theme);
        else if (message.type === "threadline:target") window.location.hash = `#c-${encodeURIComponent(message.commentId)}`;
      }),
    [origin],
  );
  useEffect(() => postToHost(origin, { type: "threadline:ready" }), [origin]);

  const signOut = useCallback(() => {
    setCredential(null);
    postToHost(origin, { type: "threadline:signed-out" });
  }, [origin]);
  const token = credential?.token ?? null;
  const client = useMemo(() => createGraphqlClient(token), [token]);
  const permalinks = useMemo<Permalinks>(
    () => (pageUrl ? { href: (commentId) => `${pageUrl}#c-${encodeURIComponent(commentId)}`, target: "_top" } : { href: (commentId) => `#c-${commentId}` }),
    [pageUrl],
  );

  let body;
  if (config.problem) body = <p className="error">The comments cannot be shown: {config.problem}.</p>;
  else if (!config.slug) body = <p className="muted closed">Comments are not open for this page.</p>;
  else if (waiting) body = <p className="muted">Loading…</p>;
  else body = <EmbedThread key={identityKey(credential)} slug={config.slug} />;
  return (
    <EmbedSessionProvider credential={credential} onSignOut={signOut}>
      <Provider value={client}>
        <PermalinkContext.Provider value={permalinks}>
          <main className="embed">{body}</main>
        </PermalinkContext.Provider>
      </Provider>
    </EmbedSessionProvider>
  );
}

function EmbedThread({ slug }: { slug: string }) {
  const [{ data, fetching, error }] = useQuery({ query: ArticlePageDocument, variables: { slug, commentsFirst: COMMENTS_PAGE, repliesFirst: REPLIES_PAGE } });
  const article = data?.article;
  if (error) {
    return <ErrorAlert about="Could not load the comments" message={errorText(error)} />;
  }
  if (!article) return fetching || !data ? <p className="muted">Loading…</p> : <p className="muted closed">Comments are not open for this page.</p>;
  return <EmbedDiscussion article={article} />;
}

function EmbedDiscussion({ article }: { article: Parameters<typeof Discussion>[0]["article"] }) {
  const target = useThreadTarget(article.id);
  return (
    <ThreadProvider articleId={article.id} commentCount={article.commentCount} target={target}>
      <Discussion article={article} signInHint={<p className="muted sign-in-hint">Sign in on this site to comment.</p>} />
    </ThreadProvider>
  );
}
