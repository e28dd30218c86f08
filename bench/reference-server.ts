/**
 * The "reference" of `npm run bench:compare`: what a minimal graphql-js service would be. Plain
 * `parse`, `validate` and `execute` per request, DataLoader per request over the same SQL
 * Threadline runs, node:http and JSON.stringify. It serves the part of Threadline's schema the
 * benchmark's queries read, with Threadline's ids, cursors and dates.
 *
 * `node dist/bench/reference-server.js --db PATH --port N`
 */
import { createServer } from "node:http";
import DataLoader from "dataloader";
import { buildSchema, execute, GraphQLObjectType, GraphQLSchema, parse, validate } from "graphql";
import { countsOf, cursor, Db, globalId, groupBy, isoDate, Readers, readBody, Row, serverArgs, statements } from "./bench-sql";

const SDL = `
scalar DateTime
enum ArticleOrder { PUBLISHED_AT_DESC PUBLISHED_AT_ASC }
type Query {
  article(id: ID, slug: String): Article
  articles(first: Int, orderBy: ArticleOrder): ArticleConnection!
}
type Article {
  id: ID! slug: String! title: String! section: String publishedAt: DateTime!
  imageCaption: String imageCredit: String dateline: String paragraphs: [String!]! wordCount: Int!
  tags: [Tag!]! relatedLinks: [RelatedLink!]!
  comments(first: Int): CommentConnection! commentCount: Int!
}
type Tag { id: ID! name: String! slug: String! articleCount: Int! }
type RelatedLink { id: ID! title: String! position: Int! article: Article }
type Comment {
  id: ID! body: String! author: Author hasAvatar: Boolean! parent: Comment depth: Int! position: Int!
  isDeleted: Boolean! replyCount: Int! replies(first: Int): CommentConnection!
}
type Author { id: ID! name: String! commentCount: Int! }
type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
type ArticleEdge { cursor: String! node: Article! }
type ArticleConnection { edges: [ArticleEdge!]! nodes: [Article!]! pageInfo: PageInfo! totalCount: Int! }
type CommentEdge { cursor: String! node: Comment! }
type CommentConnection { edges: [CommentEdge!]! nodes: [Comment!]! pageInfo: PageInfo! totalCount: Int! }
`;

function byKey<K>(load: (keys: K[]) => Promise<Row[]>, column: string) {
  return new DataLoader<K, Row | null>(async (keys) => {
    const rows = new Map<K, Row>();
    for (const row of await load([...keys])) if (!rows.has(row[column])) rows.set(row[column], row);
    return keys.map((key) => rows.get(key) ?? null);
  });
}

function grouped(load: (keys: number[]) => Promise<Row[]>, column: string) {
  return new DataLoader<number, Row[]>(async (keys) => {
    const groups = groupBy(await load([...keys]), column);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

function counted(load: (keys: number[]) => Promise<Row[]>) {
  return new DataLoader<number, number>(async (keys) => {
    const counts = countsOf(await load([...keys]));
    return keys.map((key) => counts.get(key) ?? 0);
  });
}

/** Loaders of per-parent pages, one per page size. */
function pages(load: (parents: number[], first: number) => Promise<Row[]>) {
  const bySize = new Map<number, DataLoader<number, Row[]>>();
  return (first: number) => {
    let loader = bySize.get(first);
    if (!loader) {
      loader = grouped((parents) => load(parents, first), "pk");
      bySize.set(first, loader);
    }
    return loader;
  };
}

function loaders(db: Db) {
  return {
    db,
    articleById: byKey<number>((ids) => statements.articlesById(db, ids), "id"),
    articleBySlug: byKey<string>((slugs) => statements.articlesBySlug(db, slugs), "slug"),
    articleByTitle: byKey<string>((titles) => statements.articlesByTitle(db, titles), "title"),
    tags: grouped((ids) => statements.tagsOfArticles(db, ids), "articleId"),
    relatedLinks: grouped((ids) => statements.relatedLinksOfArticles(db, ids), "articleId"),
    topLevelPage: pages((ids, first) => statements.topLevelPages(db, ids, first)),
    topLevelCount: counted((ids) => statements.topLevelCounts(db, ids)),
    replyPage: pages((ids, first) => statements.replyPages(db, ids, first)),
    commentById: byKey<number>((ids) => statements.commentsById(db, ids), "id"),
    authorById: byKey<number>((ids) => statements.authorsById(db, ids), "id"),
  };
}
type Loaders = ReturnType<typeof loaders>;

/** What a connection field resolves to: a page of ids with their sort keys, and how to count the list. */
interface Page {
  rows: Promise<Row[]>;
  first: number;
  list: string;
  parent: number;
  order: string;
  count: () => Promise<number>;
  byId: DataLoader<number, Row | null>;
  keys: (row: Row) => (string | number)[];
}

const commentKeys = (row: Row) => [row.k0, row.k1];

type Resolvers = Record<string, Record<string, (parent: any, args: any, ctx: Loaders) => unknown>>;

const connection = {
  async edges(page: Page) {
    const rows = (await page.rows).slice(0, page.first);
    const nodes = await page.byId.loadMany(rows.map((row) => row.id));
    return rows.map((row, i) => ({ cursor: cursor(page.list, page.parent, page.order, page.keys(row)), node: nodes[i] }));
  },
  async nodes(page: Page) {
    return page.byId.loadMany((await page.rows).slice(0, page.first).map((row) => row.id));
  },
  async pageInfo(page: Page) {
    const rows = (await page.rows).slice(0, page.first + 1);
    const shown = rows.slice(0, page.first);
    const at = (row: Row | undefined) => (row ? cursor(page.list, page.parent, page.order, page.keys(row)) : null);
    return { hasNextPage: rows.length > page.first, hasPreviousPage: false, startCursor: at(shown[0]), endCursor: at(shown[shown.length - 1]) };
  },
  totalCount: (page: Page) => page.count(),
};

const resolvers: Resolvers = {
  Query: {
    article: (_root, args: { id?: string; slug?: string }, ctx) => {
      if (args.slug != null) return ctx.articleBySlug.load(args.slug);
      const match = /^Article:(\d+)$/.exec(Buffer.from(args.id ?? "", "base64url").toString("utf8"));
      return match ? ctx.articleById.load(Number(match[1])) : null;
    },
    articles: (_root, args: { first?: number; orderBy?: string }, ctx): Page => {
      const first = args.first ?? 20;
      const order = args.orderBy ?? "PUBLISHED_AT_DESC";
      return {
        rows: statements.articlePage(ctx.db, first, order === "PUBLISHED_AT_ASC"),
        first,
        list: "articles",
        parent: 0,
        order,
        count: async () => (await statements.articleCount(ctx.db))[0].n,
        byId: ctx.articleById,
        keys: (row) => [isoDate(row.k0), row.k1],
      };
    },
  },
  Article: {
    id: (row: Row) => globalId("Article", row.id),
    publishedAt: (row: Row) => isoDate(row.publishedAt),
    paragraphs: (row: Row) => JSON.parse(row.paragraphs),
    tags: (row: Row, _args, ctx) => ctx.tags.load(row.id),
    relatedLinks: (row: Row, _args, ctx) => ctx.relatedLinks.load(row.id),
    comments: (row: Row, args: { first?: number }, ctx): Page => {
      const first = args.first ?? 20;
      return {
        rows: ctx.topLevelPage(first).load(row.id),
        first,
        list: "Article.comments",
        parent: row.id,
        order: "OLDEST",
        count: () => ctx.topLevelCount.load(row.id),
        byId: ctx.commentById,
        keys: commentKeys,
      };
    },
  },
  Tag: {
    id: (row: Row) => globalId("Tag", row.id),
  },
  RelatedLink: {
    id: (row: Row) => globalId("RelatedLink", row.id),
    article: (row: Row, _args, ctx) => ctx.articleByTitle.load(row.title),
  },
  Comment: {
    id: (row: Row) => globalId("Comment", row.id),
    body: (row: Row) => (row.isDeleted ? "" : row.body),
    hasAvatar: (row: Row) => row.hasAvatar === 1,
    isDeleted: (row: Row) => row.isDeleted === 1,
    author: (row: Row, _args, ctx) => (row.authorId === null || row.isDeleted ? null : ctx.authorById.load(row.authorId)),
    parent: (row: Row, _args, ctx) => (row.parentId === null ? null : ctx.commentById.load(row.parentId)),
    replies: (row: Row, args: { first?: number }, ctx): Page => {
      const first = args.first ?? 20;
      return {
        rows: ctx.replyPage(first).load(row.id),
        first,
        list: "Comment.replies",
        parent: row.id,
        order: "OLDEST",
        count: async () => row.replyCount,
        byId: ctx.commentById,
        keys: commentKeys,
      };
    },
  },
  Author: {
    id: (row: Row) => globalId("Author", row.id),
  },
  ArticleConnection: connection,
  CommentConnection: connection,
};

function withResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName) as GraphQLObjectType;
    for (const [fieldName, resolve] of Object.entries(fields)) type.getFields()[fieldName].resolve = resolve;
  }
  return schema;
}

async function main(): Promise<void> {
  const { db: path, port } = serverArgs(process.argv.slice(2));
  const readers = await Readers.open(path);
  const schema = withResolvers(buildSchema(SDL));
  const server = createServer(async (request, response) => {
    try {
      const { query, variables, operationName } = JSON.parse(await readBody(request));
      const document = parse(query);
      const errors = validate(schema, document);
      const db = readers.take();
      const result = errors.length > 0 ? { errors } : await execute({ schema, document, variableValues: variables, operationName, contextValue: loaders(db) });
      // Apollo ends its bodies with a newline; so does this, to compare byte for byte.
      const body = `${JSON.stringify(result)}\n`;
      response.writeHead(errors.length > 0 ? 400 : 200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
      response.end(body);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    }
  });
  // A normal exit, so that `node --cpu-prof` writes its profile.
  process.once("SIGINT", () => process.exit(0));
  server.listen(port, () => console.log(`reference listening on ${port}`));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
