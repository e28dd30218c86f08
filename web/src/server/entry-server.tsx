/**
 * The reader app rendered on the server (built with `vite build --ssr` into dist/web-ssr, loaded by
 * src/http/server-rendering.ts). Two steps, so that the server runs the queries itself, in-process:
 * - `planPage(url)`: the queries the page at `url` makes on its first render, with the variables
 *   and urql keys the app uses, or the reason the address is a bad request;
 * - `renderPage(url, results, site)`: the app rendered from those answers, and the page's head.
 * The answers go into the page as they are, so the browser hydrates from the very same data.
 */
import { renderToString } from "react-dom/server";
import { Client, createRequest, stringifyDocument } from "urql";
import type { DocumentNode } from "graphql";
import { App } from "../app";
import { embeddedAnswers, EmbeddedData } from "../embedded-data";
import { ArticlePageDocument, ArticlePageQuery, HomeArticlesDocument, SearchHitsDocument, TagChoicesDocument } from "../generated/graphql";
import { articlePageVariables } from "../pages/article-page";
import { articlesPageVariables, filtersFrom, whereOf } from "../pages/home-page";
import { SCOPES, searchPageVariables } from "../pages/search-results";
import { articlePath, matchRoute, PageLocation, Route, ServerLocation } from "../router";
import { setServerMeta } from "../session";
import { pageHead, PageHead } from "./page-head";

/** One query the page makes, as the server runs it. `key` is urql's key of the operation. */
export interface PageRequest {
  key: string;
  query: string;
  operationName: string | null;
  variables: Record<string, unknown>;
}

export type PagePlan = { requests: PageRequest[] } | { badRequest: string };

export interface SiteFacts {
  /** scheme://host of the address the page was asked for. */
  origin: string;
  /** The page's meta tags the app reads (threadline-development, threadline-reader-sign-in). */
  meta: Record<string, string>;
}

export interface RenderedPage {
  /** True when the address names nothing: an unknown route or article. */
  notFound: boolean;
  head: PageHead;
  /** The app's HTML, for the root element. */
  html: string;
}

/** Parameters a page reads; each at most once, so a repeated one is a bad request rather than a guess. */
const PAGE_PARAMETERS: Record<Route["name"], string[]> = { home: ["q", "in", "tag", "section"], article: ["after"], moderate: [], "not-found": [] };

function request(document: DocumentNode, variables: Record<string, unknown> | undefined): PageRequest {
  // useQuery keys an operation without variables by `undefined`, not by {}.
  const { key } = createRequest(document, variables as Record<string, unknown>);
  const operation = document.definitions.find((definition) => definition.kind === "OperationDefinition");
  return { key: String(key), query: stringifyDocument(document), operationName: operation?.name?.value ?? null, variables: variables ?? {} };
}

function locationOf(url: string): PageLocation {
  const { pathname, search } = new URL(url, "http://page.invalid");
  return { pathname, search, hash: "" };
}

function routeOf(location: PageLocation): Route | null {
  try {
    return matchRoute(location);
  } catch {
    // A path that does not decode (a lone %).
    return null;
  }
}

export function planPage(url: string): PagePlan {
  const location = locationOf(url);
  const route = routeOf(location);
  if (!route) return { badRequest: "The address does not decode (a % that is not followed by two hexadecimal digits)." };
  const params = new URLSearchParams(location.search);
  for (const name of PAGE_PARAMETERS[route.name]) {
    if (params.getAll(name).length > 1) return { badRequest: `The address names the parameter "${name}" more than once.` };
  }
  switch (route.name) {
    case "home": {
      const scope = params.get("in");
      if (scope !== null && scope !== "" && !(scope in SCOPES)) return { badRequest: `"in" is articles, comments or empty (everything), not "${scope}".` };
      const filters = filtersFrom(params);
      const where = whereOf(filters);
      const query = filters.q.trim();
      const list = query
        ? request(SearchHitsDocument, searchPageVariables(query, filters.in, where, null))
        : request(HomeArticlesDocument, articlesPageVariables(where, null));
      return { requests: [request(TagChoicesDocument, undefined), list] };
    }
    case "article":
      return { requests: [request(ArticlePageDocument, { ...articlePageVariables(route.slug, location.search) })] };
    // The desk is for signed-in moderators: the server renders its frame, and it asks for its data after hydration.
    case "moderate":
    case "not-found":
      return { requests: [] };
  }
}

/** The app, rendered from the answers to `planPage(url)`'s requests (by key). */
export function renderPage(url: string, results: EmbeddedData, site: SiteFacts): RenderedPage {
  const location = locationOf(url);
  const route = routeOf(location) ?? { name: "not-found" };
  const answers = embeddedAnswers(results);
  // Only the answers: a query the plan did not foresee stays "loading" rather than run on the server.
  const client = new Client({ url: "/graphql", exchanges: [answers.exchange] });
  setServerMeta(site.meta);
  const html = renderToString(
    <ServerLocation.Provider value={location}>
      <App serverClient={client} />
    </ServerLocation.Provider>,
  );
  let article: ArticlePageQuery["article"] | undefined;
  if (route.name === "article") {
    const answer = results[request(ArticlePageDocument, { ...articlePageVariables(route.slug, location.search) }).key];
    article = (answer?.data as ArticlePageQuery | undefined)?.article;
  }
  const notFound = route.name === "not-found" || article === null;
  return { notFound, html, head: pageHead({ route, location, article: article ?? null, origin: site.origin, articlePath }) };
}

/** A page that says why the address is a bad request: static, it needs no app. */
export function renderBadRequest(message: string): { head: PageHead; html: string } {
  const html = renderToString(
    <main id="main">
      <h1 className="page-title">Bad request</h1>
      <p>{message}</p>
      <p>
        <a href="/">See the latest articles.</a>
      </p>
    </main>,
  );
  return { html, head: { title: "Bad request · Threadline", description: message, tags: '<meta name="robots" content="noindex" />' } };
}
