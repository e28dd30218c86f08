import { createPubSub, PubSub } from "@graphql-yoga/subscription";

/** What travels between instances when a comment is posted: ids only, re-read by each subscriber. */
export interface CommentAddedEvent {
  commentId: number;
  articleId: number;
}

/** What happened to a comment, as Subscription.commentEvents tells it. */
export type CommentEventKind = "ADDED" | "EDITED" | "DELETED" | "STATUS_CHANGED" | "REACTED";

/**
 * What travels between instances when a comment changes: ids and the kind only; each subscriber
 * re-reads the comment and is sent it only if they may see it (see discussion/comment-feed.ts).
 * `wasPublic` says whether the public could see the comment before the change, so those who saw
 * it hear that it was deleted or taken down.
 */
export interface CommentChangeEvent {
  kind: CommentEventKind;
  commentId: number;
  articleId: number;
  wasPublic: boolean;
}

/** Every topic of the bus and what it carries. */
export type CommentEventMap = {
  [key: `commentAdded:${number}`]: [CommentAddedEvent];
  [key: `commentEvents:${number}`]: [CommentChangeEvent];
};

export type CommentTopic = `commentAdded:${number}` | `commentEvents:${number}`;

export type CommentEvents = PubSub<CommentEventMap>;

export function commentAddedTopic(articleId: number): `commentAdded:${number}` {
  return `commentAdded:${articleId}`;
}

export function commentEventsTopic(articleId: number): `commentEvents:${number}` {
  return `commentEvents:${articleId}`;
}

/**
 * Tells commentEvents subscribers of a committed change. The write stands whatever happens to the
 * notice: a failing bus must not turn a successful write into an error the client would retry.
 */
export function publishCommentEvent(events: CommentEvents, event: CommentChangeEvent): void {
  try {
    events.publish(commentEventsTopic(event.articleId), event);
  } catch (error) {
    console.error(`[threadline] could not publish ${event.kind} for comment ${event.commentId}:`, error);
  }
}

/** In-process events for a single instance. */
export function createLocalEvents(): CommentEvents {
  return createPubSub();
}
