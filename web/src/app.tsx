import { useMemo } from "react";
import { Provider } from "urql";
import { createGraphqlClient } from "./client";
import { SiteHeader } from "./components/site-header";
import { ArticlePage } from "./pages/article-page";
import { HomePage } from "./pages/home-page";
import { ModeratePage } from "./pages/moderate-page";
import { Link, matchRoute, useLocation } from "./router";
import { identityKey, SessionProvider, useSession } from "./session";
import { ViewerProvider } from "./viewer";

export function App() {
  return (
    <SessionProvider>
      <ClientProvider />
    </SessionProvider>
  );
}

/**
 * One client per credential, so signing in or out takes effect on the next request. The page
 * starts over when the reader changes (what they may see and change differs), not when a token
 * is merely renewed.
 */
function ClientProvider() {
  const { token, credential } = useSession();
  const client = useMemo(() => createGraphqlClient(token), [token]);
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
