import { KeyboardEvent, useCallback, useEffect, useReducer, useRef, useState } from "react";
import { useClient, useQuery, useSubscription } from "urql";
import { ModerationCountsDocument, ModerationEventsDocument, ModerationQueue, ModerationQueueDocument } from "../generated/graphql";
import { errorText } from "../format";
import { CommentDecision, initialDesk, QUEUES, QueueComment, reduceDesk, staysAfter } from "../moderation/desk-state";
import { ItemActions, QueueItem } from "../moderation/queue-item";
import { SHORTCUTS, useShortcuts } from "../moderation/shortcuts";
import { WordListsPanel } from "../moderation/word-lists-panel";
import { Link } from "../router";
import { useSession } from "../session";
import { ErrorAlert } from "../components/error-alert";

const QUEUE_PAGE = 10;

/** /moderate: the moderators' desk; anyone else is told it is for moderators. */
export function ModeratePage() {
  const session = useSession();
  useEffect(() => {
    document.title = "Moderation · Threadline";
  }, []);
  if (!session.canModerate) {
    return (
      <>
        <h1 className="page-title">Moderators only</h1>
        <p>
          The moderation desk is for moderators. {session.credential ? "This account is not a moderator." : "Sign in as a moderator to use it."}{" "}
          <Link href="/">See the latest articles.</Link>
        </p>
      </>
    );
  }
  return <Desk />;
}

/**
 * The queues as tabs with their sizes, the chosen queue's comments with inline decisions, and the
 * word lists. moderationEvents keeps both live: a comment entering or leaving a queue updates the
 * counts (asked again: the API keeps them in constant time) and the list shown.
 */
function Desk() {
  const client = useClient();
  const [desk, dispatch] = useReducer(reduceDesk, "PENDING", initialDesk);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [counts, refreshCounts] = useQuery({ query: ModerationCountsDocument });
  const actions = useRef(new Map<string, ItemActions>());
  const tabs = useRef(new Map<ModerationQueue, HTMLButtonElement>());
  const queue = desk.queue;

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      setError(null);
      const result = await client.query(ModerationQueueDocument, { queue, first: QUEUE_PAGE, after }).toPromise();
      setLoading(false);
      if (result.error || !result.data) return setError(result.error ? errorText(result.error) : "no answer from the server");
      const page = result.data.moderationQueue;
      dispatch({ type: "page", queue, nodes: page.nodes, endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage });
    },
    [client, queue],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const recount = useCallback(() => refreshCounts({ requestPolicy: "network-only" }), [refreshCounts]);
  useSubscription({ query: ModerationEventsDocument }, (_previous, event) => {
    const { kind, queue: changed, comment } = event.moderationEvents;
    if (kind === "ENTERED") dispatch({ type: "entered", queue: changed, comment });
    else dispatch({ type: "left", queue: changed, id: comment.id });
    recount();
    return event;
  });

  const decided = (comment: QueueComment, decision: CommentDecision) => {
    dispatch({ type: "updated", comment });
    if (!staysAfter(queue, decision)) dispatch({ type: "left", queue, id: comment.id });
    setAnnouncement(
      `${decision === "approve" ? "Approved" : decision === "reject" ? "Rejected" : "Featured"} the comment by ${comment.author?.name ?? "an anonymous reader"}.`,
    );
    recount();
  };

  const register = useCallback(
    (id: string) => (found: ItemActions | null) => {
      if (found) actions.current.set(id, found);
      else actions.current.delete(id);
    },
    [],
  );

  useShortcuts({
    j: () => dispatch({ type: "move", by: 1 }),
    k: () => dispatch({ type: "move", by: -1 }),
    a: () => desk.selected && actions.current.get(desk.selected)?.decide("approve"),
    r: () => desk.selected && actions.current.get(desk.selected)?.decide("reject"),
  });

  // Tabs: arrow keys, Home and End move between them (and show the queue), as the ARIA pattern has it.
  const tabKey = (event: KeyboardEvent) => {
    const at = QUEUES.findIndex((entry) => entry.queue === queue);
    const to =
      event.key === "ArrowRight"
        ? (at + 1) % QUEUES.length
        : event.key === "ArrowLeft"
          ? (at + QUEUES.length - 1) % QUEUES.length
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? QUEUES.length - 1
              : -1;
    if (to < 0) return;
    event.preventDefault();
    dispatch({ type: "switched", queue: QUEUES[to].queue });
    tabs.current.get(QUEUES[to].queue)?.focus();
  };

  const sizes = counts.data?.moderationCounts;
  const size = (entry: ModerationQueue): number | null => {
    if (!sizes) return null;
    return entry === "PENDING"
      ? sizes.pending
      : entry === "REPORTED"
        ? sizes.reported
        : entry === "UNMODERATED"
          ? sizes.unmoderated
          : entry === "REJECTED"
            ? sizes.rejected
            : null;
  };
  const current = QUEUES.find((entry) => entry.queue === queue) ?? QUEUES[0];
  return (
    <div className="desk">
      <div className="desk-main">
        <h1 className="page-title">Moderation</h1>
        <div className="queue-tabs" role="tablist" aria-label="Queues">
          {QUEUES.map((entry) => {
            const count = size(entry.queue);
            return (
              <button
                key={entry.queue}
                ref={(button) => {
                  if (button) tabs.current.set(entry.queue, button);
                }}
                type="button"
                role="tab"
                id={`tab-${entry.queue.toLowerCase()}`}
                aria-selected={entry.queue === queue}
                aria-controls="queue-panel"
                tabIndex={entry.queue === queue ? 0 : -1}
                className="queue-tab"
                onClick={() => dispatch({ type: "switched", queue: entry.queue })}
                onKeyDown={tabKey}
              >
                {entry.label}
                {count !== null && <span className="count"> {count}</span>}
              </button>
            );
          })}
        </div>
        <ErrorAlert about="Could not count the queues" message={counts.error && errorText(counts.error)} />
        <section id="queue-panel" role="tabpanel" aria-labelledby={`tab-${queue.toLowerCase()}`} className="queue-panel">
          <h2 className="visually-hidden">{current.label}</h2>
          <p className="muted queue-hint">
            {current.label}: {current.hint}.
          </p>
          {desk.items.map((comment) => (
            <QueueItem
              key={comment.id}
              comment={comment}
              queue={queue}
              selected={desk.selected === comment.id}
              onSelect={() => dispatch({ type: "select", id: comment.id })}
              onDecided={decided}
              onAuthorChanged={(author) => dispatch({ type: "author", author })}
              register={register(comment.id)}
            />
          ))}
          {desk.loaded && desk.items.length === 0 && <p className="empty-queue">Nothing here. New comments appear as they arrive.</p>}
          {loading && <p className="muted">Loading…</p>}
          <ErrorAlert about="Could not load the queue" message={error} />
          {desk.hasNextPage && !loading && (
            <button type="button" className="more" onClick={() => void load(desk.endCursor)}>
              More comments
            </button>
          )}
        </section>
        <p className="visually-hidden" aria-live="polite">
          {announcement}
        </p>
      </div>
      <aside className="desk-side" aria-label="Desk tools">
        <section className="shortcuts" aria-labelledby="shortcuts-heading">
          <h2 id="shortcuts-heading">Keyboard shortcuts</h2>
          <dl>
            {SHORTCUTS.map((shortcut) => (
              <div key={shortcut.key}>
                <dt>
                  <kbd>{shortcut.key}</kbd>
                </dt>
                <dd>{shortcut.does}</dd>
              </div>
            ))}
          </dl>
          <p className="muted">Not while typing in a field. Tab and arrow keys reach everything else.</p>
        </section>
        <WordListsPanel />
      </aside>
    </div>
  );
}
