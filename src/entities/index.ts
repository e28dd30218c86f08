export { Article } from "./article.entity";
export { ArticleTag } from "./article-tag.entity";
export { Author } from "./author.entity";
export { Comment } from "./comment.entity";
export { CommentFlag } from "./comment-flag.entity";
export { ModerationAction } from "./moderation-action.entity";
export { CommentStatus, FlagReason, ModerationActionKind, ModerationMode } from "./moderation-enums";
export { RelatedLink } from "./related-link.entity";
export { Tag } from "./tag.entity";

import { Article } from "./article.entity";
import { ArticleTag } from "./article-tag.entity";
import { Author } from "./author.entity";
import { Comment } from "./comment.entity";
import { CommentFlag } from "./comment-flag.entity";
import { ModerationAction } from "./moderation-action.entity";
import { RelatedLink } from "./related-link.entity";
import { Tag } from "./tag.entity";

export const entities = [Article, ArticleTag, Author, Comment, CommentFlag, ModerationAction, RelatedLink, Tag];
