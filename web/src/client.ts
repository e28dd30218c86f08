import { createClient as createWsClient } from "graphql-ws";
import { Client, fetchExchange, subscriptionExchange } from "urql";

/**
 * The app's GraphQL client. No document cache on purpose: the thread keeps its own state (pages,
 * live additions, edits), so a mutation never triggers a refetch that would reshuffle it, and
 * every page a reader opens is fresh.
 */
export function createGraphqlClient(token: string | null): Client {
  const wsUrl = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/graphql`;
  // A signed-in socket hears what that reader may see (their own comments awaiting moderation, a
  // moderator every comment) and whether they may change each; an anonymous one, the public's.
  const ws = createWsClient({ url: wsUrl, lazy: true, retryAttempts: Infinity, connectionParams: token ? { authorization: `Bearer ${token}` } : {} });
  return new Client({
    url: "/graphql",
    preferGetMethod: false,
    fetchOptions: () => (token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    exchanges: [
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
