/**
 * Query.search: one ranked list of articles and comments. The engines' queries come from
 * search/match-sql.ts; here they become a list that connection.ts pages like any other, in one
 * order (RELEVANCE: score, then articles before comments, then newest first), with cursors tied
 * to the search that gave them.
 */
import { createHash } from "node:crypto";
import type DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { join, run, Sql, sql } from "../db/sql";
import type { Article, Comment } from "../entities";
import { userError } from "../errors";
import { articleHits, articleIds, commentHits, commentIds } from "../search/match-sql";
import { parseSearchQuery, SearchQuery } from "../search/parse-query";
import { ArticleFilter, filterConditions } from "./article.loader";
import { edgesConnection, Connection, Edge, ListDef, listRows, PageArgs } from "./connection";

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

const KIND = { Article: 0, Comment: 1 } as const;

/** The article conditions of `where`, on the article `a`, joined to the hits `h` of one kind. */
function arm(kind: keyof typeof KIND, hits: Sql, filter: Sql[], withScore: boolean): Sql {
  const columns = withScore ? sql`${KIND[kind]} AS kind, h.id AS id, h.score AS score` : sql`h.id AS id`;
  if (filter.length === 0) return sql`SELECT ${columns} FROM (${hits}) h`;
  const articleOf = kind === "Article" ? sql`JOIN article a ON a."id" = h.id` : sql`JOIN comment c ON c."id" = h.id JOIN article a ON a."id" = c."articleId"`;
  return sql`SELECT ${columns} FROM (${hits}) h ${articleOf} WHERE ${join(filter.map((c) => sql`(${c})`), " AND ")}`;
}

/** A 31-bit digest of what a search asked for: the `parent` its cursors carry. */
function fingerprint(query: SearchQuery, scope: SearchScopeKey[], where: ArticleFilter): number {
  const digest = createHash("sha256").update(JSON.stringify([query, scope, where])).digest();
  return digest.readUInt32BE(0) & 0x7fffffff;
}

function emptyConnection(): Connection<Article | Comment> & { edges: SearchHit[] } {
  return edgesConnection<Article | Comment, SearchHit>([], { hasNextPage: false, hasPreviousPage: false }, async () => 0);
}

export function searchLoaders(db: DataSource, articleById: DataLoader<number, Article | null>, commentById: DataLoader<number, Comment | null>) {
  return {
    /** Query.search. */
    async search(args: SearchArgs): Promise<Connection<Article | Comment> & { edges: SearchHit[] }> {
      const query = parseSearchQuery(args.query, { path: "query", argumentName: "query" });
      const scope: SearchScopeKey[] = [...new Set(args.scope ?? (["ARTICLES", "COMMENTS"] as const))].sort();
      if (scope.length === 0) throw userError(`"scope" must name ARTICLES, COMMENTS or both`, { argumentName: "scope" });
      const where = args.where ?? {};
      const filter = filterConditions(db, where);
      if (query.terms.length === 0) return emptyConnection();

      const hits: Sql[] = [];
      const ids: Sql[] = [];
      if (scope.includes("ARTICLES")) {
        hits.push(arm("Article", articleHits(db, query), filter, true));
        ids.push(arm("Article", articleIds(db, query), filter, false));
      }
      if (scope.includes("COMMENTS")) {
        hits.push(arm("Comment", commentHits(db, query), filter, true));
        ids.push(arm("Comment", commentIds(db, query), filter, false));
      }
      const def: ListDef<"RELEVANCE"> = {
        name: "search",
        from: sql`(${join(hits, " UNION ALL ")}) s`,
        id: sql`s.id`,
        where: [],
        orders: {
          RELEVANCE: [
            { expr: sql`s.score`, dir: "DESC", type: "score" },
            { expr: sql`s.kind`, dir: "ASC", type: "int" },
            { expr: sql`s.id`, dir: "DESC", type: "int" },
          ],
        },
      };
      const page = await listRows(db, def, "RELEVANCE", args, fingerprint(query, scope, where));
      const articles = page.rows.filter((row) => row.key[1] === KIND.Article).map((row) => row.id);
      const comments = page.rows.filter((row) => row.key[1] === KIND.Comment).map((row) => row.id);
      const [articleNodes, commentNodes] = await Promise.all([articleById.loadMany(articles), commentById.loadMany(comments)]);
      const nodes = new Map<string, Article | Comment>();
      articleNodes.forEach((node, i) => {
        if (node instanceof Error) throw node;
        if (node) nodes.set(`0:${articles[i]}`, node);
      });
      commentNodes.forEach((node, i) => {
        if (node instanceof Error) throw node;
        if (node) nodes.set(`1:${comments[i]}`, node);
      });
      const edges: SearchHit[] = [];
      for (const row of page.rows) {
        const node = nodes.get(`${row.key[1]}:${row.id}`);
        // A row gone between the two statements is simply left out.
        if (!node) continue;
        edges.push({
          node,
          kind: row.key[1] === KIND.Article ? "Article" : "Comment",
          score: row.key[0] as number,
          query,
          get cursor() {
            return row.cursor;
          },
        });
      }
      return edgesConnection(edges, page, async () => {
        const [row] = await run(db, sql`SELECT COUNT(*) AS n FROM (${join(ids, " UNION ALL ")}) s`);
        return Number(row?.n ?? 0);
      });
    },
  };
}
