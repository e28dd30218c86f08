/**
 * What a server-rendered page says about itself in its <head>: title, description, canonical
 * address, Open Graph and Twitter card tags, and for an article its JSON-LD NewsArticle with the
 * visible comments of the page. Built from the same answers the app rendered, which are the
 * anonymous reader's: a held or deleted comment comes as a tombstone and is left out.
 */
import { scriptSafeJson } from "../embedded-data";
import type { ArticlePageQuery } from "../generated/graphql";
import { filtersFrom } from "../pages/home-page";
import { homePath, PageLocation, Route } from "../router";

type Article = NonNullable<ArticlePageQuery["article"]>;

export interface PageHead {
  title: string;
  description: string;
  /** Every other tag, as HTML. */
  tags: string;
}

const SITE = "Threadline";
export const SITE_DESCRIPTION = "Threadline: news articles and the reader discussions under them";
/** Search engines show about this many characters of a description. */
const DESCRIPTION_CHARACTERS = 200;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** The text, whitespace folded, cut at a word before `limit` characters with an ellipsis. */
export function trimmed(text: string, limit = DESCRIPTION_CHARACTERS): string {
  const folded = text.replace(/\s+/g, " ").trim();
  if (folded.length <= limit) return folded;
  const cut = folded.slice(0, limit - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > limit / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/, "")}…`;
}

const meta = (attribute: "name" | "property", key: string, content: string) => `<meta ${attribute}="${key}" content="${escapeHtml(content)}" />`;

function shareTags(kind: "website" | "article", title: string, description: string, url: string): string[] {
  return [
    `<link rel="canonical" href="${escapeHtml(url)}" />`,
    meta("property", "og:site_name", SITE),
    meta("property", "og:type", kind),
    meta("property", "og:title", title),
    meta("property", "og:description", description),
    meta("property", "og:url", url),
    meta("name", "twitter:card", "summary"),
    meta("name", "twitter:title", title),
    meta("name", "twitter:description", description),
  ];
}

/** The page's comments a reader can read, top level and the replies that came with them, in page order. */
export function visibleComments(article: Article) {
  return article.comments.nodes.flatMap((comment) => [comment, ...comment.replies.nodes]).filter((comment) => !comment.isTombstone);
}

export function newsArticle(article: Article, url: string, description: string): Record<string, unknown> {
  return {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    headline: article.title,
    description,
    url,
    mainEntityOfPage: url,
    datePublished: article.publishedAt,
    ...(article.section ? { articleSection: article.section } : {}),
    keywords: article.tags.map((tag) => tag.name),
    commentCount: article.commentCount,
    comment: visibleComments(article).map((comment) => ({
      "@type": "Comment",
      url: `${url}#c-${comment.id}`,
      text: comment.body,
      ...(comment.createdAt ? { dateCreated: comment.createdAt } : {}),
      author: { "@type": "Person", name: comment.author?.name ?? "Anonymous" },
    })),
  };
}

export function pageHead(page: {
  route: Route;
  location: PageLocation;
  article: Article | null;
  origin: string;
  articlePath: (slug: string) => string;
}): PageHead {
  const { route, article, origin } = page;
  if (route.name === "article" && article) {
    const url = origin + page.articlePath(article.slug);
    const description = trimmed(article.paragraphs.find((paragraph) => paragraph.trim() !== "") ?? article.title);
    const tags = [
      ...shareTags("article", article.title, description, url),
      meta("property", "article:published_time", article.publishedAt),
      ...(article.section ? [meta("property", "article:section", article.section)] : []),
      ...article.tags.map((tag) => meta("property", "article:tag", tag.name)),
      `<link rel="alternate" type="application/atom+xml" title="${escapeHtml(`Comments on ${article.title}`)}" href="${escapeHtml(`${url}/comments.xml`)}" />`,
      `<script type="application/ld+json">${scriptSafeJson(newsArticle(article, url, description))}</script>`,
    ];
    return { title: `${article.title} · ${SITE}`, description, tags: tags.join("\n    ") };
  }
  if (route.name === "home") {
    const filters = filtersFrom(new URLSearchParams(page.location.search));
    const query = filters.q.trim();
    const url = origin + homePath({ tag: filters.tag, section: filters.section.trim() });
    const title = query ? `Search: ${query} · ${SITE}` : filters.tag ? `Articles tagged ${filters.tag} · ${SITE}` : `${SITE}: latest articles`;
    const tags = [
      ...shareTags("website", title, SITE_DESCRIPTION, url),
      `<link rel="alternate" type="application/atom+xml" title="${SITE}: latest articles" href="${escapeHtml(`${origin}/feed.xml`)}" />`,
      // A search's results are not a page of their own for an index.
      ...(query ? ['<meta name="robots" content="noindex" />'] : []),
    ];
    return { title, description: SITE_DESCRIPTION, tags: tags.join("\n    ") };
  }
  if (route.name === "moderate") return { title: `Moderation · ${SITE}`, description: SITE_DESCRIPTION, tags: '<meta name="robots" content="noindex" />' };
  return { title: `Not found · ${SITE}`, description: SITE_DESCRIPTION, tags: '<meta name="robots" content="noindex" />' };
}
