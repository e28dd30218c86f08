import type { ReactNode } from "react";
import type { ArticleCardFragment } from "../generated/graphql";
import { formatDateTime, plural } from "../format";
import { articlePath, homePath, Link } from "../router";

/** An article in a list; a search hit passes its title with the words found marked, and its other highlights as children. */
export function ArticleCard({ article, title, children }: { article: ArticleCardFragment; title?: ReactNode; children?: ReactNode }) {
  return (
    <li className="article-card">
      <h3>
        <Link href={articlePath(article.slug)}>{title ?? article.title}</Link>
      </h3>
      <p className="meta">
        {article.section && (
          <>
            <Link href={homePath({ section: article.section })}>{article.section}</Link>
            <span aria-hidden="true"> · </span>
          </>
        )}
        <time dateTime={article.publishedAt}>{formatDateTime(article.publishedAt)}</time>
        <span aria-hidden="true"> · </span>
        <Link href={`${articlePath(article.slug)}#comments`}>{plural(article.commentCount, "comment")}</Link>
      </p>
      {article.tags.length > 0 && (
        <ul className="tags" aria-label="Tags">
          {article.tags.map((tag) => (
            <li key={tag.slug}>
              <Link href={homePath({ tag: tag.slug })}>{tag.name}</Link>
            </li>
          ))}
        </ul>
      )}
      {children}
    </li>
  );
}
