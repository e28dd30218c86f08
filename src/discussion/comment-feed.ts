import { filter, map, pipe } from "@graphql-yoga/subscription";
import type { DataSource } from "typeorm";
import type { Context } from "../context";
import { run, sql } from "../db/sql";
import type { Comment } from "../entities";
import { notFound } from "../errors";
import {
  commentAddedTopic,
  CommentAddedEvent,
  CommentChangeEvent,
  CommentEventKind,
  CommentSnapshot,
  commentEventsTopic,
  CommentState,
} from "../events/comment-events";
import { createRowLoaders, RowLoaders, SharedReads } from "../loaders";
import { CommentViewer, viewerSees } from "../loaders/comment.loader";
import { commentRows } from "../loaders/rows";

/**
 * One live event as this instance serves it to every one of its subscribers: the comment as the
 * write left it (from the event, never read back), and rows by id that the subscribers' fields
 * read (the comment's author, parent, article), read once for all of them.
 */
export interface Delivery {
  comment: Comment;
  rows: RowLoaders;
  /** Whether the comment is in this instance's database (a Redis shared with another deployment carries foreign events). */
  here: Promise<boolean>;
}

/**
 * What this instance makes of each live event, once for all its subscribers, so an event costs
 * the same reads whether ten or ten thousand listen. Kept by event object, which the bus hands
 * every listener of an instance (in-process: the published object; Redis: one parse per message),
 * and forgotten with it.
 */
export class LiveDeliveries {
  private readonly made = new WeakMap<object, Delivery>();

  constructor(private readonly read: () => DataSource) {}

  of(event: { comment: CommentSnapshot }): Delivery {
    let delivery = this.made.get(event);
    if (!delivery) {
      const db = this.read();
      const comment = commentRows.build(event.comment);
      const rows = createRowLoaders(db);
      rows.commentById.prime(comment.id, comment);
      const here = run(db, sql`SELECT 1 AS "found" FROM comment WHERE "id" = ${comment.id} AND "articleId" = ${comment.articleId}`).then((found) => found.length > 0);
      delivery = { comment, rows, here };
      this.made.set(event, delivery);
    }
    return delivery;
  }
}

/**
 * What a subscription's resolver is handed: the comment, and what its context's loaders take from
 * the event instead of reading (see freshReads; they are swapped in when the event's fields run,
 * not before, so one event's fields never read through the next event's loaders).
 */
export interface LiveComment {
  comment: Comment;
  shared: SharedReads;
}

export interface LiveCommentEvent extends LiveComment {
  kind: CommentEventKind;
}

/**
 * The stream behind Subscription.commentAdded: the article's topic on the event bus (in-process,
 * or Redis shared by every instance). The article is checked first, so a subscription to an
 * unknown article fails at once instead of waiting forever. Each comment is served as it was
 * posted; an event whose comment is not in this instance's database is dropped.
 */
export async function commentAddedFeed(ctx: Context, articleId: number): Promise<AsyncIterable<LiveComment>> {
  const article = await ctx.loaders.articleById.load(articleId);
  if (!article) throw notFound(`no article with that id`);
  return pipe(
    ctx.events.subscribe(commentAddedTopic(articleId)),
    map(async (event: CommentAddedEvent): Promise<LiveComment | null> => {
      // An event without the comment comes from an instance of an earlier release.
      if (event.articleId !== articleId || !event.comment) return null;
      const delivery = ctx.deliveries.of(event);
      if (!(await delivery.here)) return null;
      return { comment: delivery.comment, shared: { rows: delivery.rows } };
    }),
    filter((told: LiveComment | null): told is LiveComment => told !== null),
  );
}

/**
 * What a viewer is told of one write, or null for nothing: the rule of visibility is viewerSees,
 * applied to the comment before and after the write. A comment that becomes visible to the viewer
 * (posted, or published from hold) reaches them as ADDED, whatever the write was; one that was
 * visible and is no longer (deleted, held) reaches them with the write's kind, served as a
 * tombstone. So each viewer's stream tells of a comment in a consistent order: ADDED first, and
 * nothing after it is taken from them until it is visible to them again.
 */
export function toldOf(viewer: CommentViewer, kind: CommentEventKind, comment: Comment, before: CommentState | null): CommentEventKind | null {
  const seesNow = viewerSees(viewer, comment);
  const sawBefore = before !== null && viewerSees(viewer, { ...comment, ...before });
  if (seesNow) return sawBefore ? kind : "ADDED";
  return sawBefore ? kind : null;
}

/**
 * The stream behind Subscription.commentEvents: every change to the article's comments, each told
 * to this subscriber as toldOf decides from the comment as the write left it, in the order of
 * the writes. The viewer is asked once, when the subscription starts, and follows the reader's
 * first comment (from then on they see their own). The article is checked first, as for
 * commentAdded.
 */
export async function commentEventsFeed(ctx: Context, articleId: number): Promise<AsyncIterable<LiveCommentEvent>> {
  const article = await ctx.loaders.articleById.load(articleId);
  if (!article) throw notFound(`no article with that id`);
  let viewer = await ctx.loaders.viewer();
  return pipe(
    ctx.events.subscribe(commentEventsTopic(articleId)),
    map(async (event: CommentChangeEvent): Promise<LiveCommentEvent | null> => {
      if (event.articleId !== articleId || !event.comment) return null;
      const delivery = ctx.deliveries.of(event);
      if (!(await delivery.here)) return null;
      viewer = await viewerAfter(ctx, viewer, delivery);
      const kind = toldOf(viewer, event.kind, delivery.comment, event.before);
      return kind === null ? null : { kind, comment: delivery.comment, shared: { rows: delivery.rows, viewer } };
    }),
    filter((told: LiveCommentEvent | null): told is LiveCommentEvent => told !== null),
  );
}

/** A reader who had not posted when they subscribed becomes the author of this event's comment, if it is theirs. */
async function viewerAfter(ctx: Context, viewer: CommentViewer, delivery: Delivery): Promise<CommentViewer> {
  const authorId = delivery.comment.authorId;
  if (ctx.caller.kind !== "reader" || viewer.kind !== "public" || authorId === null) return viewer;
  const author = await delivery.rows.authorById.load(authorId);
  return author?.sub === ctx.caller.sub ? { kind: "author", authorId } : viewer;
}
