import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "./monaco-workers";
import "graphiql/style.css";
import { createRoot } from "react-dom/client";

/**
 * GraphiQL bundled with the app (editor, workers and fonts included), so the explorer works with
 * no network beyond this server. Queries go over HTTP, subscriptions over graphql-ws.
 */
const wsUrl = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/graphql`;
const fetcher = createGraphiQLFetcher({ url: `${window.location.origin}/graphql`, subscriptionUrl: wsUrl });

const EXAMPLE = `# Threadline's API. Writes need a token; under Headers:
# {"Authorization": "Bearer <the token npm start printed>"}
query LatestArticles {
  articles(first: 5) {
    totalCount
    nodes { title slug commentCount tags { name } }
  }
}
`;

createRoot(document.getElementById("graphiql") as HTMLElement).render(<GraphiQL fetcher={fetcher} defaultQuery={EXAMPLE} />);
