export { Article } from "./article.entity";
export { ArticleTag } from "./article-tag.entity";
export { Author } from "./author.entity";
export { Comment } from "./comment.entity";
export { AuthorStatus, ModerationEventKind, ModerationQueue } from "./desk-enums";
export type { AuthorSanction } from "./author.entity";
export { CommentFlag } from "./comment-flag.entity";
export { CommentReaction } from "./comment-reaction.entity";
export { ModerationAction } from "./moderation-action.entity";
export { Notification, NotificationInbox, NotificationKind } from "./notification.entity";
export { CommentStatus, FlagReason, ModerationActionKind, ModerationMode, Role } from "./moderation-enums";
export { RelatedLink } from "./related-link.entity";
export { SearchArticleEntry, SearchCommentEntry, SearchTitleEntry } from "./search-entry.entity";
export { StoredCount } from "./stored-count.entity";
export { Tag } from "./tag.entity";
export { WordList } from "./word-list.entity";

import { Article } from "./article.entity";
import { ArticleTag } from "./article-tag.entity";
import { Author } from "./author.entity";
import { Comment } from "./comment.entity";
import { CommentFlag } from "./comment-flag.entity";
import { CommentReaction } from "./comment-reaction.entity";
import { ModerationAction } from "./moderation-action.entity";
import { Notification, NotificationInbox } from "./notification.entity";
import { RelatedLink } from "./related-link.entity";
import { SearchArticleEntry, SearchCommentEntry, SearchTitleEntry } from "./search-entry.entity";
import { StoredCount } from "./stored-count.entity";
import { Tag } from "./tag.entity";
import { WordList } from "./word-list.entity";

/** Every table of the data model, alike on both engines. */
export const entities = [
  Article,
  ArticleTag,
  Author,
  Comment,
  CommentFlag,
  CommentReaction,
  ModerationAction,
  Notification,
  NotificationInbox,
  RelatedLink,
  StoredCount,
  Tag,
  WordList,
];

/**
 * The tables of one engine: the model's, and on PostgreSQL the search index's (SQLite keeps that
 * index in FTS5 virtual tables, which TypeORM cannot describe).
 */
export function engineEntities(engine: "sqlite" | "postgres") {
  return engine === "postgres" ? [...entities, SearchArticleEntry, SearchTitleEntry, SearchCommentEntry] : entities;
}
