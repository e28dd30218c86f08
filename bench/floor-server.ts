/**
 * The "floor" of `npm run bench:compare`: no GraphQL at all. node:http, hand-written batched SQL
 * (Threadline's lists and counts, with the page statements carrying the columns they need) and
 * JSON.stringify of objects built in the order the query selects. It answers only the benchmark's
 * operations, recognised by their text, with the bodies Threadline gives.
 *
 * `node dist/bench/floor-server.js --db PATH --port N`
 */
import { createServer } from "node:http";
import { countsOf, cursor, Db, globalId, groupBy, isoDate, Readers, readBody, Row, serverArgs, statements } from "./bench-sql";
import { ARTICLE_PAGE_QUERY, DEEP_QUERY, TITLES_QUERY } from "./queries";

const unique = <T>(values: T[]) => [...new Set(values)];
const ifAny = <T>(keys: unknown[], load: () => Promise<T[]>) => (keys.length === 0 ? Promise.resolve([] as T[]) : load());

/** The newest article per title, as RelatedLink.article serves it. */
function firstByTitle(rows: Row[]): Map<string, Row> {
  const byTitle = new Map<string, Row>();
  for (const row of rows) if (!byTitle.has(row.title)) byTitle.set(row.title, row);
  return byTitle;
}

const visibleAuthor = (row: Row) => (row.authorId === null || row.isDeleted ? null : (row.authorId as number));

async function articlePage(db: Db, variables: { slug: string }) {
  const [article] = await statements.articlesBySlug(db, [variables.slug]);
  if (!article) return { data: { article: null } };
  const id = article.id as number;
  const [tags, links, comments, total] = await Promise.all([
    statements.tagsOfArticles(db, [id]),
    statements.relatedLinksOfArticles(db, [id]),
    statements.topLevelPages(db, [id], 10, `, c."hasAvatar", c."body", c."authorId", c."isDeleted"`),
    statements.topLevelCounts(db, [id]),
  ]);
  const shown = comments.slice(0, 10);
  const authorIds = unique(shown.map(visibleAuthor).filter((author): author is number => author !== null));
  const titles = unique(links.map((link) => link.title as string));
  const [linked, authors] = await Promise.all([
    ifAny(titles, () => statements.articlesByTitle(db, titles, `a."id", a."slug", a."title"`)),
    ifAny(authorIds, () => statements.authorsById(db, authorIds)),
  ]);
  const byTitle = firstByTitle(linked);
  const authorsById = new Map(authors.map((author) => [author.id as number, author]));
  return {
    data: {
      article: {
        id: globalId("Article", id),
        title: article.title,
        section: article.section,
        publishedAt: isoDate(article.publishedAt),
        dateline: article.dateline,
        imageCaption: article.imageCaption,
        imageCredit: article.imageCredit,
        wordCount: article.wordCount,
        paragraphs: JSON.parse(article.paragraphs),
        tags: tags.map((tag) => ({ name: tag.name, slug: tag.slug, articleCount: tag.articleCount })),
        relatedLinks: links.map((link) => {
          const target = byTitle.get(link.title);
          return { position: link.position, title: link.title, article: target ? { slug: target.slug, title: target.title } : null };
        }),
        commentCount: article.commentCount,
        comments: {
          totalCount: countsOf(total).get(id) ?? 0,
          nodes: shown.map((comment) => {
            const authorId = visibleAuthor(comment);
            return {
              id: globalId("Comment", comment.id),
              position: comment.k0,
              hasAvatar: comment.hasAvatar === 1,
              body: comment.isDeleted ? "" : comment.body,
              author: authorId === null ? null : { name: authorsById.get(authorId)!.name, commentCount: authorsById.get(authorId)!.commentCount },
            };
          }),
        },
      },
    },
  };
}

async function deepPage(db: Db, variables: { first: number }) {
  const first = variables.first;
  const articles = (await statements.articlePage(db, first, true, `, a."title", a."commentCount"`)).slice(0, first);
  const ids = articles.map((article) => article.id as number);
  const commentColumns = `, c."hasAvatar", c."body", c."authorId", c."isDeleted", c."replyCount"`;
  const [total, tags, links, comments, commentTotals] = await Promise.all([
    statements.articleCount(db),
    ifAny(ids, () => statements.tagsOfArticles(db, ids)),
    ifAny(ids, () => statements.relatedLinksOfArticles(db, ids)),
    ifAny(ids, () => statements.topLevelPages(db, ids, 10, commentColumns)),
    ifAny(ids, () => statements.topLevelCounts(db, ids)),
  ]);
  const commentsByArticle = groupBy(comments, "pk");
  const shownComments = ids.flatMap((id) => (commentsByArticle.get(id) ?? []).slice(0, 10));
  const commentIds = shownComments.map((comment) => comment.id as number);
  const titles = unique(links.map((link) => link.title as string));
  const [linked, replies] = await Promise.all([
    ifAny(titles, () => statements.articlesByTitle(db, titles, `a."id", a."title"`)),
    ifAny(commentIds, () => statements.replyPages(db, commentIds, 5, `, c."depth", c."body", c."authorId", c."isDeleted"`)),
  ]);
  const repliesByParent = groupBy(replies, "pk");
  const commenters = unique(shownComments.map(visibleAuthor).filter((author): author is number => author !== null));
  const authorIds = unique([...commenters, ...replies.map(visibleAuthor).filter((author): author is number => author !== null)]);
  const authors = await ifAny(authorIds, () => statements.authorsById(db, authorIds));

  const byTitle = firstByTitle(linked);
  const topLevelTotals = countsOf(commentTotals);
  const tagsByArticle = groupBy(tags, "articleId");
  const linksByArticle = groupBy(links, "articleId");
  const authorsById = new Map(authors.map((author) => [author.id as number, author]));
  return {
    data: {
      articles: {
        totalCount: total[0].n,
        nodes: articles.map((article) => {
          const id = article.id as number;
          const page = commentsByArticle.get(id) ?? [];
          const shown = page.slice(0, 10);
          const last = shown[shown.length - 1];
          return {
            id: globalId("Article", id),
            title: article.title,
            commentCount: article.commentCount,
            tags: (tagsByArticle.get(id) ?? []).map((tag) => ({ name: tag.name, articleCount: tag.articleCount })),
            relatedLinks: (linksByArticle.get(id) ?? []).map((link) => {
              const target = byTitle.get(link.title);
              return { title: link.title, article: target ? { id: globalId("Article", target.id), title: target.title } : null };
            }),
            comments: {
              totalCount: topLevelTotals.get(id) ?? 0,
              pageInfo: { hasNextPage: page.length > 10, endCursor: last ? cursor("Article.comments", id, "OLDEST", [last.k0, last.k1]) : null },
              nodes: shown.map((comment) => {
                const commentId = comment.id as number;
                const authorId = visibleAuthor(comment);
                return {
                  id: globalId("Comment", commentId),
                  body: comment.isDeleted ? "" : comment.body,
                  hasAvatar: comment.hasAvatar === 1,
                  replyCount: comment.replyCount,
                  author: authorId === null ? null : { name: authorsById.get(authorId)!.name, commentCount: authorsById.get(authorId)!.commentCount },
                  replies: {
                    totalCount: comment.replyCount,
                    nodes: (repliesByParent.get(commentId) ?? []).slice(0, 5).map((reply) => {
                      const replyAuthor = visibleAuthor(reply);
                      return {
                        id: globalId("Comment", reply.id),
                        body: reply.isDeleted ? "" : reply.body,
                        depth: reply.depth,
                        author: replyAuthor === null ? null : { name: authorsById.get(replyAuthor)!.name },
                        parent: { id: globalId("Comment", commentId) },
                      };
                    }),
                  },
                };
              }),
            },
          };
        }),
      },
    },
  };
}

async function titles(db: Db) {
  const rows = (await statements.articlePage(db, 20, false, `, a."title"`)).slice(0, 20);
  return { data: { articles: { nodes: rows.map((row) => ({ id: globalId("Article", row.id), title: row.title })) } } };
}

const handlers = new Map<string, (db: Db, variables: any) => Promise<unknown>>([
  [ARTICLE_PAGE_QUERY, articlePage],
  [DEEP_QUERY, deepPage],
  [TITLES_QUERY, titles],
]);

async function main(): Promise<void> {
  const { db: path, port } = serverArgs(process.argv.slice(2));
  const readers = await Readers.open(path);
  const server = createServer(async (request, response) => {
    try {
      const { query, variables } = JSON.parse(await readBody(request));
      const handler = handlers.get(query);
      if (!handler) {
        response.writeHead(400, { "content-type": "text/plain" });
        response.end("the floor server answers only the benchmark's queries");
        return;
      }
      // Apollo ends its bodies with a newline; so does this, to compare byte for byte.
      const body = `${JSON.stringify(await handler(readers.take(), variables ?? {}))}\n`;
      response.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
      response.end(body);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    }
  });
  // A normal exit, so that `node --cpu-prof` writes its profile.
  process.once("SIGINT", () => process.exit(0));
  server.listen(port, () => console.log(`floor listening on ${port}`));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
