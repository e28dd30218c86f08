import type { ReactNode } from "react";
import type { ArticleCardFragment } from "../generated/graphql";
import { formatDateTime } from "../format";
import { homePath, Link } from "../router";

/**
 * The line under an article's title, in the list and on the article alike: its section (a link to
 * the list filtered by it) and when it was published. A card adds its comment count as children.
 */
export function ArticleMeta({ article, children }: { article: Pick<ArticleCardFragment, "section" | "publishedAt">; children?: ReactNode }) {
  return (
    <p className="meta">
      {article.section && (
        <>
          <Link href={homePath({ section: article.section })}>{article.section}</Link>
          <span aria-hidden="true"> · </span>
        </>
      )}
      <time dateTime={article.publishedAt}>{formatDateTime(article.publishedAt)}</time>
      {children}
    </p>
  );
}
