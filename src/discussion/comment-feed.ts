import { filter, map, pipe } from "@graphql-yoga/subscription";
import type { DataSource } from "typeorm";
import { run, sql } from "../db/sql";
import type { Comment } from "../entities";
import { notFound } from "../errors";
import {
  commentAddedTopic,
  CommentAddedEvent,
  CommentChangeEvent,
  CommentEventKind,
  CommentEvents,
  CommentSnapshot,
  commentEventsTopic,
  ModerationState,
} from "../events/comment-events";
import { ANONYMOUS, Caller } from "../auth/caller";
import { createLoaders, createRowLoaders, Loaders, RowLoaders } from "../read";
import { canSeeComment, Viewer } from "../policy";
import { commentRows } from "../read/rows";

/**
 * One live event as this instance serves it to every one of its subscribers: the comment as the
 * write left it (from the event, never read back), and the loaders its subscribers' fields read
 * through (the comment's author, parent, article), one set per kind of viewer, so what they read
 * is read once for all of them.
 */
export class Delivery {
  readonly comment: Comment;
  /** Whether the comment is in this instance's database (a Redis shared with another deployment carries foreign events). */
  readonly here: Promise<boolean>;
  /** Rows by id, the same for every viewer. */
  readonly rows: RowLoaders;
  private readonly byViewer = new Map<string, Loaders>();

  constructor(
    private readonly db: DataSource,
    snapshot: CommentSnapshot,
  ) {
    this.comment = commentRows.build(snapshot);
    this.rows = createRowLoaders(db);
    this.rows.commentById.prime(this.comment.id, this.comment);
    this.here = run(db, sql`SELECT 1 AS "found" FROM comment WHERE "id" = ${this.comment.id} AND "articleId" = ${this.comment.articleId}`).then(
      (found) => found.length > 0,
    );
  }

  /**
   * The loaders of every subscriber who sees as `viewer` does. Loaders differ between callers only
   * by the viewer (reactions are keyed by reader), so the public's are shared by anonymous
   * subscribers and readers who have not posted, the moderators' by moderators and the service token.
   */
  loadersFor(viewer: Viewer): Loaders {
    const key = viewer.kind === "author" ? `author:${viewer.authorId}` : viewer.kind;
    let loaders = this.byViewer.get(key);
    if (!loaders) {
      loaders = createLoaders(this.db, ANONYMOUS, { rows: this.rows, viewer });
      this.byViewer.set(key, loaders);
    }
    return loaders;
  }
}

/**
 * Deliveries this many at a time: a turn of the event loop runs at most this many, and requests
 * are served between turns. An event's subscribers need no I/O of their own, so without turns one
 * event's whole fan-out would run as one block and hold every request up behind it.
 */
const DELIVERIES_PER_TURN = 10;

/**
 * What this instance makes of each live event, once for all its subscribers, so an event costs
 * the same reads whether ten or ten thousand listen. Kept by event object, which the bus hands
 * every listener of an instance (in-process: the published object; Redis: one parse per message),
 * and forgotten with it.
 */
export class LiveDeliveries {
  private readonly made = new WeakMap<object, Delivery>();
  private readonly waiting: (() => void)[] = [];
  private turning = false;

  constructor(private readonly read: () => DataSource) {}

  of(event: { comment: CommentSnapshot }): Delivery {
    let delivery = this.made.get(event);
    if (!delivery) {
      delivery = new Delivery(this.read(), event.comment);
      this.made.set(event, delivery);
    }
    return delivery;
  }

  /** Resolves when this delivery's turn comes (see DELIVERIES_PER_TURN); first come, first served. */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.turning) {
        this.turning = true;
        setImmediate(() => this.release());
      }
    });
  }

  private release(): void {
    for (const resolve of this.waiting.splice(0, DELIVERIES_PER_TURN)) resolve();
    // Scheduled from within the check phase, the next batch waits for the loop's next turn, after I/O.
    if (this.waiting.length > 0) setImmediate(() => this.release());
    else this.turning = false;
  }
}

/**
 * What a subscription's resolver is handed: the comment, and the loaders its fields read through
 * (the delivery's, for the subscriber's viewer). The resolver puts them in the context when the
 * event's fields run, not before, so one event's fields never read through the next event's loaders.
 */
export interface LiveComment {
  comment: Comment;
  loaders: Loaders;
}

export interface LiveCommentEvent extends LiveComment {
  kind: CommentEventKind;
}

/** What a feed needs of its subscriber's context (context.ts's Context): the caller, their loaders, the bus, and this instance's deliveries. */
export interface FeedContext {
  caller: Caller;
  loaders: Loaders;
  events: CommentEvents;
  deliveries: LiveDeliveries;
}

/**
 * The stream behind Subscription.commentAdded: the article's topic on the event bus (in-process,
 * or Redis shared by every instance). The article is checked first, so a subscription to an
 * unknown article fails at once instead of waiting forever. Each comment is served as it was
 * posted; an event whose comment is not in this instance's database is dropped.
 */
export async function commentAddedFeed(ctx: FeedContext, articleId: number): Promise<AsyncIterable<LiveComment>> {
  const article = await ctx.loaders.articleById.load(articleId);
  if (!article) throw notFound(`no article with that id`);
  const viewer = await ctx.loaders.viewer();
  return pipe(
    ctx.events.subscribe(commentAddedTopic(articleId)),
    map(async (event: CommentAddedEvent): Promise<LiveComment | null> => {
      // An event without the comment comes from an instance of an earlier release.
      if (event.articleId !== articleId || !event.comment) return null;
      const delivery = ctx.deliveries.of(event);
      if (!(await delivery.here)) return null;
      await ctx.deliveries.turn();
      return { comment: delivery.comment, loaders: delivery.loadersFor(viewer) };
    }),
    filter((told: LiveComment | null): told is LiveComment => told !== null),
  );
}

/**
 * What a viewer is told of one write, or null for nothing: the rule of visibility is canSeeComment,
 * applied to the comment before and after the write. A comment that becomes visible to the viewer
 * (posted, or published from hold) reaches them as ADDED, whatever the write was; one that was
 * visible and is no longer (deleted, held) reaches them with the write's kind, served as a
 * tombstone. So each viewer's stream tells of a comment in a consistent order: ADDED first, and
 * nothing after it is taken from them until it is visible to them again.
 */
export function toldOf(viewer: Viewer, kind: CommentEventKind, comment: Comment, before: ModerationState | null): CommentEventKind | null {
  const seesNow = canSeeComment(viewer, comment);
  const sawBefore = before !== null && canSeeComment(viewer, { ...comment, ...before });
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
export async function commentEventsFeed(ctx: FeedContext, articleId: number): Promise<AsyncIterable<LiveCommentEvent>> {
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
      if (kind === null) return null;
      await ctx.deliveries.turn();
      return { kind, comment: delivery.comment, loaders: delivery.loadersFor(viewer) };
    }),
    filter((told: LiveCommentEvent | null): told is LiveCommentEvent => told !== null),
  );
}

/** A reader who had not posted when they subscribed becomes the author of this event's comment, if it is theirs. */
async function viewerAfter(ctx: FeedContext, viewer: Viewer, delivery: Delivery): Promise<Viewer> {
  const authorId = delivery.comment.authorId;
  if (ctx.caller.kind !== "reader" || viewer.kind !== "public" || authorId === null) return viewer;
  const author = await delivery.rows.authorById.load(authorId);
  return author?.sub === ctx.caller.sub ? { kind: "author", authorId } : viewer;
}
