import { createPubSub, PubSub } from "@graphql-yoga/subscription";

/** What travels between instances when a comment is posted: ids only, re-read by each subscriber. */
export interface CommentAddedEvent {
  commentId: number;
  articleId: number;
}

export type CommentEvents = PubSub<{ [key: `commentAdded:${number}`]: [CommentAddedEvent] }>;

export function commentAddedTopic(articleId: number): `commentAdded:${number}` {
  return `commentAdded:${articleId}`;
}

/** In-process events for a single instance. */
export function createLocalEvents(): CommentEvents {
  return createPubSub();
}
