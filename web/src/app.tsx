import { useEffect, useMemo } from "react";
import { Client, Provider } from "urql";
import { createGraphqlClient } from "./client";
import type { EmbeddedAnswers } from "./embedded-data";
import { SiteHeader } from "./components/site-header";
import { ArticlePage } from "./pages/article-page";
import { HomePage } from "./pages/home-page";
import { ModeratePage } from "./pages/moderate-page";
import { Link, matchRoute, useLocation } from "./router";
import { identityKey, SessionProvider, useSession } from "./session";
import { ViewerProvider } from "./viewer";

/**
 * `answers`: the data a server-rendered page came with, which answers its first queries (the page
 * then hydrates as the anonymous reader it was rendered for). `serverClient`: the client the server
 * renders with (src/server/entry-server.tsx).
 */
export function App({ answers = null, serverClient = null }: { answers?: EmbeddedAnswers | null; serverClient?: Client | null }) {
  return (
    <SessionProvider hydrating={answers !== null}>
      <ClientProvider answers={answers} serverClient={serverClient} />
    </SessionProvider>
  );
}

/**
 * One client per credential, so signing in or out takes effect on the next request. The page
 * starts over when the reader changes (what they may see and change differs), not when a token
 * is merely renewed.
 */
function ClientProvider({ answers, serverClient }: { answers: EmbeddedAnswers | null; serverClient: Client | null }) {
  const { token, credential } = useSession();
  const client = useMemo(() => serverClient ?? createGraphqlClient(token, token ? null : (answers?.exchange ?? null)), [serverClient, token, answers]);
  // The embedded answers are the anonymous reader's: a signed-in reader asks for their own.
  useEffect(() => {
    if (token) answers?.forget();
  }, [token, answers]);
  return (
    <Provider value={client}>
      <ViewerProvider>
        <SiteHeader />
        <main id="main" tabIndex={-1}>
          <Routes key={identityKey(credential)} />
        </main>
      </ViewerProvider>
    </Provider>
  );
}

function Routes() {
  const route = matchRoute(useLocation());
  switch (route.name) {
    case "home":
      return <HomePage params={route.params} />;
    case "article":
      return <ArticlePage key={route.slug} slug={route.slug} />;
    case "moderate":
      return <ModeratePage />;
    case "not-found":
      return (
        <>
          <h1 className="page-title">Not found</h1>
          <p>
            Nothing lives at this address. <Link href="/">See the latest articles.</Link>
          </p>
        </>
      );
  }
}
