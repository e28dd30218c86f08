import { useEffect, useRef, useState } from "react";
import { useClient, useMutation, useSubscription } from "urql";
import { MarkNotificationsReadDocument, NotificationFieldsFragment, NotificationsDocument, NotificationAddedDocument } from "../generated/graphql";
import { errorText, formatDateTime, plural } from "../format";
import { articlePath, Link } from "../router";
import { useSession } from "../session";
import { useViewer } from "../viewer";
import { ErrorAlert } from "./error-alert";

const PAGE = 10;

/** What a notification tells its reader, in a line. */
function headline(notification: NotificationFieldsFragment): string {
  const why = notification.reason ? `: ${notification.reason}` : "";
  switch (notification.kind) {
    case "REPLY":
      return "A reply to your comment";
    case "APPROVED":
      return "Your comment was approved";
    case "REJECTED":
      return `Your comment was rejected${why}`;
    case "FEATURED":
      return "Your comment was featured";
    case "SANCTIONED":
      return `The moderators restricted your account${why}`;
  }
}

/**
 * The signed-in reader's notifications: a bell with the unread count in the header, a list it
 * opens (Escape closes it), and "mark all as read". notificationAdded brings new ones live.
 */
export function NotificationBell() {
  const { credential } = useSession();
  if (credential?.kind !== "reader") return null;
  return <Bell />;
}

function Bell() {
  const client = useClient();
  const [open, setOpen] = useState(false);
  const [unread, setUnread] = useState<number | null>(null);
  const [items, setItems] = useState<NotificationFieldsFragment[] | null>(null);
  const [more, setMore] = useState<{ hasNextPage: boolean; endCursor: string | null }>({ hasNextPage: false, endCursor: null });
  const [error, setError] = useState<string | null>(null);
  // The count the header started from (asked with the viewer), until this bell knows better.
  const initial = useViewer().viewer?.unreadNotificationCount ?? 0;
  const [marking, markRead] = useMutation(MarkNotificationsReadDocument);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  const shownUnread = unread ?? initial;

  useSubscription({ query: NotificationAddedDocument }, (_previous, event) => {
    const added = event.notificationAdded;
    setUnread((before) => (before ?? initial) + (added.read ? 0 : 1));
    setItems((before) => (before && !before.some((item) => item.id === added.id) ? [added, ...before] : before));
    return event;
  });

  const load = async (after: string | null) => {
    setError(null);
    const result = await client.query(NotificationsDocument, { first: PAGE, after }).toPromise();
    const viewer = result.data?.viewer;
    if (result.error || !viewer) return setError(result.error ? errorText(result.error) : "no answer from the server");
    setUnread(viewer.unreadNotificationCount);
    setItems((before) => (after && before ? [...before, ...viewer.notifications.nodes] : viewer.notifications.nodes));
    setMore(viewer.notifications.pageInfo);
  };

  useEffect(() => {
    if (open) {
      void load(null);
      panel.current?.focus();
    }
    // Loaded again on every opening: what was read elsewhere shows as read.
  }, [open]);

  // Escape closes the list wherever the focus is (a button that went disabled leaves it on the page).
  useEffect(() => {
    if (!open) return;
    const escape = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener("keydown", escape);
    return () => document.removeEventListener("keydown", escape);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const markAll = async () => {
    setError(null);
    const newest = items?.[0]?.id ?? null;
    const result = await markRead({ upTo: newest });
    const viewer = result.data?.markNotificationsRead;
    if (result.error || !viewer) return setError(result.error ? errorText(result.error) : "no answer from the server");
    setUnread(viewer.unreadNotificationCount);
    setItems((before) => before?.map((item) => ({ ...item, read: true })) ?? before);
  };

  const label = shownUnread > 0 ? `Notifications, ${shownUnread} unread` : "Notifications";
  return (
    <div className="notifications">
      <button
        ref={button}
        type="button"
        className="bell"
        aria-expanded={open}
        aria-controls={open ? "notifications-panel" : undefined}
        aria-label={label}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {shownUnread > 0 && (
          <span className="badge" aria-hidden="true">
            {shownUnread > 99 ? "99+" : shownUnread}
          </span>
        )}
      </button>
      {open && (
        <div id="notifications-panel" ref={panel} className="notifications-panel" role="region" aria-label="Notifications" tabIndex={-1}>
          <div className="notifications-head">
            <h2>Notifications</h2>
            <span className="muted">{plural(shownUnread, "unread", "unread")}</span>
            <button type="button" className="link-button" disabled={marking.fetching || shownUnread === 0} onClick={() => void markAll()}>
              Mark all as read
            </button>
          </div>
          {items === null && !error && <p className="muted">Loading…</p>}
          {items?.length === 0 && <p className="muted">Nothing yet. Replies to your comments and the moderators&apos; decisions show here.</p>}
          {items && items.length > 0 && (
            <ul>
              {items.map((item) => (
                <li key={item.id} className={item.read ? "notification" : "notification unread"}>
                  {!item.read && <span className="visually-hidden">Unread: </span>}
                  <span className="notification-what">{headline(item)}</span>
                  {item.comment && (
                    <>
                      {" "}
                      on{" "}
                      <Link href={articlePath(item.comment.article.slug, item.comment.id)} onClick={() => setOpen(false)}>
                        {item.comment.article.title}
                      </Link>
                    </>
                  )}{" "}
                  <time className="muted" dateTime={item.createdAt}>
                    {formatDateTime(item.createdAt)}
                  </time>
                </li>
              ))}
            </ul>
          )}
          {more.hasNextPage && (
            <button type="button" className="more" onClick={() => void load(more.endCursor)}>
              Older notifications
            </button>
          )}
          <ErrorAlert message={error} />
        </div>
      )}
    </div>
  );
}
