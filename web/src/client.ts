import { createClient as createWsClient } from "graphql-ws";
import { Client, Exchange, fetchExchange, subscriptionExchange } from "urql";

/**
 * The app's GraphQL client. No document cache on purpose: the thread keeps its own state (pages,
 * live additions, edits), so a mutation never triggers a refetch that would reshuffle it, and
 * every page a reader opens is fresh. The one exception is the page the server rendered: its
 * queries are answered from the data embedded in it (`embedded`, embedded-data.ts), once.
 *
 * Queries go out as GETs (mutations as POSTs), so an anonymous reader's reads are answers that a
 * shared cache in front of the API (a CDN, a proxy) may keep: the server marks them
 * `public, max-age=N`, and anything sent with a token `private, no-store`. Every document the app
 * sends fits the URL (below 2 KB), so urql never falls back to POST. The browser itself is told to
 * ask every time (`cache: "no-cache"`): what the app shows is then never older than what the
 * server, or a cache it trusts, says, even after signing out or coming back to a thread whose
 * live comments arrived meanwhile.
 */
export function createGraphqlClient(token: string | null, embedded: Exchange | null = null): Client {
  const wsUrl = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/graphql`;
  // A signed-in socket hears what that reader may see (their own comments awaiting moderation, a
  // moderator every comment) and whether they may change each; an anonymous one, the public's.
  const ws = createWsClient({ url: wsUrl, lazy: true, retryAttempts: Infinity, connectionParams: token ? { authorization: `Bearer ${token}` } : {} });
  return new Client({
    url: "/graphql",
    preferGetMethod: "within-url-limit",
    fetchOptions: () => ({
      cache: "no-cache",
      // Apollo's CSRF prevention takes a GET only with a header that a cross-site form cannot send.
      headers: { "apollo-require-preflight": "true", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }),
    exchanges: [
      ...(embedded ? [embedded] : []),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}
