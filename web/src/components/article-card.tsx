import type { ReactNode } from "react";
import type { ArticleCardFragment } from "../generated/graphql";
import { plural } from "../format";
import { articlePath, homePath, Link } from "../router";
import { ArticleMeta } from "./article-meta";

/** An article in a list; a search hit passes its title with the words found marked, and its other highlights as children. */
export function ArticleCard({ article, title, children }: { article: ArticleCardFragment; title?: ReactNode; children?: ReactNode }) {
  return (
    <li className="article-card">
      <h3>
        <Link href={articlePath(article.slug)}>{title ?? article.title}</Link>
      </h3>
      <ArticleMeta article={article}>
        <span aria-hidden="true"> · </span>
        <Link href={`${articlePath(article.slug)}#comments`}>{plural(article.commentCount, "comment")}</Link>
      </ArticleMeta>
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
