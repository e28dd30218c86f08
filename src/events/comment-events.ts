import { setMaxListeners } from "node:events";
import { createPubSub, PubSub, type PubSubEventTarget } from "@graphql-yoga/subscription";
import type { Comment } from "../entities";
import type { CommentStatus } from "../entities/moderation-enums";
import type { ModerationQueue } from "../entities/desk-enums";
import { commentWriteKeys } from "./cache-keys";

/**
 * A comment as a write left it, as it travels on the bus: its row's columns, dates as ISO strings
 * (JSON, as Redis carries it; commentRows.build makes it a Comment again).
 */
export type CommentSnapshot = Record<string, unknown>;

export function snapshotOf(comment: Comment): CommentSnapshot {
  return JSON.parse(JSON.stringify(comment)) as CommentSnapshot;
}

/** What travels between instances when a comment is published: the comment as posted (or published). */
export interface CommentAddedEvent {
  commentId: number;
  articleId: number;
  comment: CommentSnapshot;
}

/** What happened to a comment, as Subscription.commentEvents tells it. */
export type CommentEventKind = "ADDED" | "EDITED" | "DELETED" | "STATUS_CHANGED" | "REACTED";

/** What decides who may see a comment, besides its author: read before a write, to tell who saw it. */
export interface ModerationState {
  status: CommentStatus;
  isDeleted: boolean;
}

/**
 * What travels between instances when a comment changes: the comment as this write left it, and
 * its state before. Subscribers are told of the write's state, not of the row as it is when the
 * event arrives, so every subscriber's stream follows the writes in order (see
 * discussion/comment-feed.ts), and no subscriber reads the comment back.
 */
export interface CommentChangeEvent {
  kind: CommentEventKind;
  commentId: number;
  articleId: number;
  comment: CommentSnapshot;
  /** Its state before the write; null for ADDED (it was not there). */
  before: ModerationState | null;
}

/** A comment entering or leaving a moderation queue (Subscription.moderationEvents): one topic for the whole site. */
export interface ModerationBusEvent {
  kind: "ENTERED" | "LEFT";
  queue: ModerationQueue;
  commentId: number;
  articleId: number;
  comment: CommentSnapshot;
}

export const MODERATION_TOPIC = "moderationEvents";

/** What travels when a reader is notified: the notification row as written, dates as ISO strings. */
export interface NotificationAddedEvent {
  readerSub: string;
  notification: Record<string, unknown>;
}

/** What travels when a word list changes: its new version, so every instance drops its stale copy. */
export interface WordListsChangedEvent {
  version: number;
}

/** What a committed write changed, as events/cache-keys.ts names it: cached answers that read any of it are dropped, on every instance. */
export interface WrittenEvent {
  keys: string[];
  /** The response cache of the instance that wrote, which applied the keys before publishing them. */
  origin?: string;
}

export const WRITTEN_TOPIC = "written";

/** Every topic of the bus and what it carries. */
export type CommentEventMap = {
  [key: `commentAdded:${number}`]: [CommentAddedEvent];
  [key: `commentEvents:${number}`]: [CommentChangeEvent];
  [MODERATION_TOPIC]: [ModerationBusEvent];
  [key: `notificationAdded:${string}`]: [NotificationAddedEvent];
  wordListsChanged: [WordListsChangedEvent];
  [WRITTEN_TOPIC]: [WrittenEvent];
};

export type CommentTopic =
  `commentAdded:${number}` | `commentEvents:${number}` | typeof MODERATION_TOPIC | `notificationAdded:${string}` | "wordListsChanged" | typeof WRITTEN_TOPIC;

export type CommentEvents = PubSub<CommentEventMap>;

export function commentAddedTopic(articleId: number): `commentAdded:${number}` {
  return `commentAdded:${articleId}`;
}

export function commentEventsTopic(articleId: number): `commentEvents:${number}` {
  return `commentEvents:${articleId}`;
}

/**
 * Tells commentEvents subscribers of a committed change: `comment` as the write left it, `before`
 * its state before (null for a new comment). The write stands whatever happens to the notice: a
 * failing bus must not turn a successful write into an error the client would retry.
 */
export function publishCommentEvent(events: CommentEvents, kind: CommentEventKind, comment: Comment, before: ModerationState | null): void {
  publishWritten(events, commentWriteKeys(comment));
  try {
    const event: CommentChangeEvent = { kind, commentId: comment.id, articleId: comment.articleId, comment: snapshotOf(comment), before };
    events.publish(commentEventsTopic(comment.articleId), event);
  } catch (error) {
    console.error(`[threadline] could not publish ${kind} for comment ${comment.id}:`, error);
  }
}

/**
 * Tells every instance (this one at once, see execution/response-cache.ts) what a committed write
 * changed. Every write calls it after its commit: the comment writes through publishCommentEvent,
 * the article writes and featuring from their resolvers. Like the events, the write stands
 * whatever happens to the notice.
 */
export function publishWritten(events: CommentEvents, keys: string[]): void {
  try {
    events.publish(WRITTEN_TOPIC, { keys });
  } catch (error) {
    console.error(`[threadline] could not publish the keys a write changed (${keys.slice(0, 3).join(" ")}...):`, error);
  }
}

/** Its state, for CommentChangeEvent.before. */
export function stateOf(comment: Pick<Comment, "status" | "isDeleted">): ModerationState {
  return { status: comment.status, isDeleted: comment.isDeleted };
}

/**
 * In-process events for a single instance. Every subscriber to an article's comments is a listener
 * on one topic, and many readers on one article are ordinary, not a leak: no listener limit, so
 * Node does not warn past ten.
 */
export function createLocalEvents(): CommentEvents {
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  return createPubSub<CommentEventMap>({ eventTarget: eventTarget as PubSubEventTarget<CommentEventMap> });
}
