/**
 * Query.search: articles and comments in one list, ranked (see ranked-matches.ts for the order
 * and the ranking window), with cursors tied to the search that gave them.
 */
import { createHash } from "node:crypto";
import type DataLoader from "dataloader";
import { DataSource } from "typeorm";
import type { Article, Comment } from "../entities";
import { userError } from "../errors";
import { isPublic } from "../policy";
import type { SearchKind } from "../search/match-sql";
import { parseSearchQuery, SearchQuery } from "../search/parse-query";
import { ArticleFilter, filterConditions } from "./article.loader";
import { Connection, Edge, edgesConnection, keysetWindow, NONE, PageArgs } from "./connection";
import { KIND, rankedMatches, RELEVANCE } from "./ranked-matches";
import { noteList } from "./batch.loader";

export type SearchScopeKey = "ARTICLES" | "COMMENTS";

export interface SearchArgs extends PageArgs {
  query: string;
  scope?: SearchScopeKey[] | null;
  where?: ArticleFilter | null;
}

/** One result: what SearchEdge serves. Highlights are computed from `node` and `query` when asked. */
export interface SearchHit extends Edge<Article | Comment> {
  kind: "Article" | "Comment";
  score: number;
  query: SearchQuery;
}

/** A 31-bit digest of what a search asked for: the `parent` its cursors carry. */
function fingerprint(query: SearchQuery, scope: SearchScopeKey[], where: ArticleFilter): number {
  const digest = createHash("sha256")
    .update(JSON.stringify([query, scope, where]))
    .digest();
  return digest.readUInt32BE(0) & 0x7fffffff;
}

export function searchLoaders(db: DataSource, articleById: DataLoader<number, Article | null>, commentById: DataLoader<number, Comment | null>) {
  return {
    /**
     * Query.search. With `countOn`, totalCount is counted at once, beside the page, on that
     * connection (on SQLite another reader, so the two statements run side by side).
     */
    async search(args: SearchArgs, countOn: DataSource | null = null): Promise<Connection<Article | Comment> & { edges: SearchHit[] }> {
      const query = parseSearchQuery(args.query, { path: "query", argumentName: "query" });
      const scope: SearchScopeKey[] = [...new Set(args.scope ?? (["ARTICLES", "COMMENTS"] as const))].sort();
      if (scope.length === 0) throw userError(`"scope" must name ARTICLES, COMMENTS or both`, { argumentName: "scope" });
      const where = args.where ?? {};
      const filter = filterConditions(db, where);
      const window = keysetWindow("search", "RELEVANCE", RELEVANCE, args, fingerprint(query, scope, where));
      noteList(articleById, "search");
      const kinds: SearchKind[] = [...(scope.includes("ARTICLES") ? ["article" as const] : []), ...(scope.includes("COMMENTS") ? ["comment" as const] : [])];
      if (query.terms.length === 0) return edgesConnection<Article | Comment, SearchHit>([], { hasNextPage: false, hasPreviousPage: false }, NONE);

      const counted = countOn ? rankedMatches(countOn, query, kinds, filter).count.total() : null;
      // Settled at once, so that a failed page does not leave the count's failure unhandled.
      counted?.catch(() => undefined);
      const matches = rankedMatches(db, query, kinds, filter);
      const { keys: page, ...pageInfo } = await matches.page(window);
      const idsOf = (kind: number) => page.filter((key) => key[1] === kind).map((key) => key[2] as number);
      const [articles, comments] = await Promise.all([articleById.loadMany(idsOf(KIND.article)), commentById.loadMany(idsOf(KIND.comment))]);
      const nodes = new Map<string, Article | Comment>();
      for (const [kind, loaded] of [
        [KIND.article, articles],
        [KIND.comment, comments],
      ] as const) {
        for (const node of loaded) {
          if (node instanceof Error) throw node;
          if (node) nodes.set(`${kind}:${node.id}`, node);
        }
      }
      const edges: SearchHit[] = [];
      for (const key of page) {
        const node = nodes.get(`${key[1]}:${key[2]}`);
        // A row gone between the statements is simply left out, and so is a comment the public no
        // longer sees: the index holds public comments only, and a hit is only as good as its row.
        if (!node || (key[1] === KIND.comment && !isPublic(node as Comment))) continue;
        edges.push({
          node,
          kind: key[1] === KIND.article ? "Article" : "Comment",
          score: key[0] as number,
          query,
          get cursor() {
            return window.cursorFor(key);
          },
        });
      }
      return edgesConnection(edges, pageInfo, { total: () => counted ?? matches.count.total(), upTo: matches.count.upTo });
    },
  };
}
