import { ArticleResolver } from "./article.resolver";
import { ArticleMutationResolver } from "./article-mutation.resolver";
import { AuthorResolver } from "./author.resolver";
import { ArticleCountResolver, SearchCountResolver } from "./bounded-count.resolver";
import { CommentResolver } from "./comment.resolver";
import { CommentMutationResolver } from "./comment-mutation.resolver";
import { AddCommentPayloadResolver, CommentPayloadResolver } from "./comment-payload.resolver";
import { CommentSubscriptionResolver } from "./comment-subscription.resolver";
import { ImportResolver } from "./import.resolver";
import { ModerationResolver } from "./moderation.resolver";
import { ModerationSubscriptionResolver } from "./moderation-subscription.resolver";
import { SanctionResolver } from "./sanction.resolver";
import { NodeResolver } from "./node.resolver";
import { NotificationResolver, ViewerNotificationsResolver } from "./notification.resolver";
import { ReactionResolver } from "./reaction.resolver";
import { RelatedLinkResolver } from "./related-link.resolver";
import { SearchResolver } from "./search.resolver";
import { TagResolver } from "./tag.resolver";
import { ViewerResolver } from "./viewer.resolver";
import { WordListsResolver } from "./word-lists.resolver";

export const resolvers = [
  NodeResolver,
  ArticleResolver,
  TagResolver,
  RelatedLinkResolver,
  CommentResolver,
  AuthorResolver,
  CommentMutationResolver,
  ReactionResolver,
  AddCommentPayloadResolver,
  CommentPayloadResolver,
  CommentSubscriptionResolver,
  ImportResolver,
  ArticleMutationResolver,
  SearchResolver,
  SearchCountResolver,
  ArticleCountResolver,
  ViewerResolver,
  ModerationResolver,
  ModerationSubscriptionResolver,
  SanctionResolver,
  WordListsResolver,
  NotificationResolver,
  ViewerNotificationsResolver,
] as const;
