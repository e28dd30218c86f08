import { useEffect, useId, useRef, useState } from "react";
import { CombinedError, useMutation, useQuery } from "urql";
import {
  AuthorHistoryDocument,
  BanAuthorDocument,
  FeatureQueueCommentDocument,
  ModerateCommentDocument,
  ModerationQueue,
  SetAuthorPremoderationDocument,
  SuspendAuthorDocument,
  UnbanAuthorDocument,
} from "../generated/graphql";
import { FLAG_REASONS } from "../components/report-comment";
import { errorText, formatDateTime, isUnauthenticated, plural } from "../format";
import { articlePath, Link } from "../router";
import { useSession } from "../session";
import { CommentDecision, QueueComment } from "./desk-state";
import { ErrorAlert } from "../components/error-alert";

type QueueAuthor = NonNullable<QueueComment["author"]>;

/** What the keyboard shortcuts ask of the selected comment. */
export interface ItemActions {
  decide(decision: CommentDecision): void;
}

/** Suspensions a moderator picks from; the API takes any end time. */
const SUSPENSIONS: { label: string; hours: number }[] = [
  { label: "1 hour", hours: 1 },
  { label: "1 day", hours: 24 },
  { label: "3 days", hours: 72 },
  { label: "1 week", hours: 168 },
];

const HISTORY = 5;

function excerpt(text: string, length = 160): string {
  return text.length > length ? `${text.slice(0, length - 1).trimEnd()}…` : text;
}

function reasonLabel(reason: string): string {
  return FLAG_REASONS.find((choice) => choice.value === reason)?.label ?? reason;
}

function standingText(standing: NonNullable<QueueAuthor["standing"]>): string {
  const why = standing.reason ? ` (${standing.reason})` : "";
  const pre = standing.premoderated ? "; pre-moderated" : "";
  if (standing.status === "BANNED") return `Banned${why}${pre}`;
  if (standing.status === "SUSPENDED") return `Suspended${standing.until ? ` until ${formatDateTime(standing.until)}` : ""}${why}${pre}`;
  return standing.premoderated ? "In good standing; pre-moderated" : "In good standing";
}

/**
 * One comment in a queue, with what a moderator decides on: its article, the comment it answers,
 * the readers' reports, and its author's standing and recent comments. Decisions and sanctions
 * are inline; the reason field goes with reject, suspend and ban.
 */
export function QueueItem(props: {
  comment: QueueComment;
  queue: ModerationQueue;
  selected: boolean;
  onSelect: () => void;
  onDecided: (comment: QueueComment, decision: CommentDecision) => void;
  onAuthorChanged: (author: QueueAuthor) => void;
  register: (actions: ItemActions | null) => void;
}) {
  const { comment, queue, selected, onSelect, onDecided, onAuthorChanged, register } = props;
  const id = useId();
  const session = useSession();
  const element = useRef<HTMLElement>(null);
  const [reason, setReason] = useState("");
  const [suspendHours, setSuspendHours] = useState(SUSPENSIONS[1].hours);
  const [confirmBan, setConfirmBan] = useState(false);
  const [rejectExisting, setRejectExisting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [moderating, moderate] = useMutation(ModerateCommentDocument);
  const [featuring, feature] = useMutation(FeatureQueueCommentDocument);
  const [, ban] = useMutation(BanAuthorDocument);
  const [, unban] = useMutation(UnbanAuthorDocument);
  const [, suspend] = useMutation(SuspendAuthorDocument);
  const [, premoderate] = useMutation(SetAuthorPremoderationDocument);
  const busy = moderating.fetching || featuring.fetching;
  const author = comment.author;

  const failed = (failure: CombinedError | undefined) => {
    setNote(null);
    setError(failure ? errorText(failure) : "no answer from the server");
    if (failure && isUnauthenticated(failure)) session.signOut();
  };

  const decide = async (decision: CommentDecision) => {
    if (busy) return;
    setError(null);
    const trimmed = reason.trim() || null;
    const result =
      decision === "feature"
        ? await feature({ id: comment.id })
        : await moderate({ id: comment.id, status: decision === "approve" ? "PUBLISHED" : "REJECTED", reason: trimmed });
    const changed = result.data && ("featureComment" in result.data ? result.data.featureComment : result.data.setCommentStatus);
    if (result.error || !changed) return failed(result.error);
    setNote(decision === "approve" ? "Approved." : decision === "reject" ? "Rejected." : "Featured.");
    onDecided(changed.comment, decision);
  };

  // The keyboard acts through the latest closure (its reason text included).
  const actions = useRef<ItemActions>({ decide: () => undefined });
  actions.current.decide = (decision) => void decide(decision);
  useEffect(() => {
    register({ decide: (decision) => actions.current.decide(decision) });
    return () => register(null);
  }, [register]);

  useEffect(() => {
    if (selected && element.current && !element.current.contains(document.activeElement)) {
      element.current.focus({ preventScroll: true });
      element.current.scrollIntoView({ block: "nearest" });
    }
  }, [selected]);

  const sanction = async (kind: "ban" | "unban" | "suspend" | "premoderate", on?: boolean) => {
    if (!author) return;
    setError(null);
    const why = reason.trim() || null;
    const result =
      kind === "ban"
        ? await ban({ authorId: author.id, reason: why, rejectExisting })
        : kind === "unban"
          ? await unban({ authorId: author.id })
          : kind === "suspend"
            ? await suspend({ authorId: author.id, until: new Date(Date.now() + suspendHours * 3_600_000).toISOString(), reason: why })
            : await premoderate({ authorId: author.id, on: Boolean(on) });
    const data = result.data;
    const payload =
      data &&
      ("banAuthor" in data
        ? data.banAuthor
        : "unbanAuthor" in data
          ? data.unbanAuthor
          : "suspendAuthor" in data
            ? data.suspendAuthor
            : data.setAuthorPremoderation);
    if (result.error || !payload) return failed(result.error);
    setConfirmBan(false);
    setNote(
      kind === "ban"
        ? `${author.name} is banned.`
        : kind === "unban"
          ? `${author.name} may write again.`
          : kind === "suspend"
            ? `${author.name} is suspended.`
            : on
              ? `${author.name}'s comments now wait for a moderator.`
              : `${author.name}'s comments are published at once again.`,
    );
    onAuthorChanged(payload.author);
  };

  const titleId = `${id}-title`;
  const published = comment.status === "PUBLISHED";
  const flags = comment.flags ?? [];
  return (
    <article
      ref={element}
      id={`q-${comment.id}`}
      tabIndex={-1}
      className={selected ? "queue-item selected" : "queue-item"}
      aria-labelledby={titleId}
      aria-current={selected ? "true" : undefined}
      onFocus={() => !selected && onSelect()}
    >
      <div className="queue-item-head">
        <h3 id={titleId}>{author?.name ?? "Anonymous"}</h3>
        {comment.status && <span className={`status ${comment.status.toLowerCase()}`}>{comment.status.toLowerCase()}</span>}
        {comment.isFeatured && <span className="status featured">featured</span>}
        {comment.createdAt && (
          <time className="muted" dateTime={comment.createdAt}>
            {formatDateTime(comment.createdAt)}
          </time>
        )}
        {comment.editedAt && <span className="edited">edited</span>}
      </div>
      <p className="queue-article">
        On <Link href={articlePath(comment.article.slug, comment.id)}>{comment.article.title}</Link>
      </p>
      {comment.parent && (
        <blockquote className="parent-excerpt">
          <span className="muted">
            In reply to {comment.parent.isTombstone ? "a comment no longer shown" : (comment.parent.author?.name ?? "an anonymous reader")}:
          </span>{" "}
          {!comment.parent.isTombstone && excerpt(comment.parent.body)}
        </blockquote>
      )}
      <p className="comment-body">{comment.body}</p>
      {flags.length > 0 && (
        <div className="flags">
          <h4>{plural(comment.flagCount ?? flags.length, "report")}</h4>
          <ul>
            {flags.map((flag, index) => (
              <li key={index}>
                <strong>{reasonLabel(flag.reason)}</strong>
                {flag.note && <>: {flag.note}</>} <span className="muted">({formatDateTime(flag.createdAt)})</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="decision">
        <label htmlFor={`${id}-reason`}>Reason (optional; goes with reject, suspend and ban)</label>
        <input id={`${id}-reason`} type="text" maxLength={1000} value={reason} onChange={(event) => setReason(event.target.value)} />
        <div className="form-actions">
          {!(queue === "APPROVED" && published) && (
            <button type="button" disabled={busy} onClick={() => void decide("approve")}>
              Approve
            </button>
          )}
          {comment.status !== "REJECTED" && (
            <button type="button" className="danger" disabled={busy} onClick={() => void decide("reject")}>
              Reject
            </button>
          )}
          {published && !comment.isFeatured && (
            <button type="button" className="secondary" disabled={busy} onClick={() => void decide("feature")}>
              Feature
            </button>
          )}
        </div>
      </div>
      {author && (
        <AuthorPanel
          author={author}
          selected={selected}
          commentId={comment.id}
          suspendHours={suspendHours}
          onSuspendHours={setSuspendHours}
          confirmBan={confirmBan}
          onConfirmBan={setConfirmBan}
          rejectExisting={rejectExisting}
          onRejectExisting={setRejectExisting}
          onSanction={(kind, on) => void sanction(kind, on)}
        />
      )}
      {note && (
        <p className="muted" role="status">
          {note}
        </p>
      )}
      <ErrorAlert message={error} />
    </article>
  );
}

/** The author: standing, sanctions, and (for the selected comment) their recent comments. */
function AuthorPanel(props: {
  author: QueueAuthor;
  selected: boolean;
  commentId: string;
  suspendHours: number;
  onSuspendHours: (hours: number) => void;
  confirmBan: boolean;
  onConfirmBan: (open: boolean) => void;
  rejectExisting: boolean;
  onRejectExisting: (on: boolean) => void;
  onSanction: (kind: "ban" | "unban" | "suspend" | "premoderate", on?: boolean) => void;
}) {
  const { author, selected } = props;
  const id = useId();
  const [shown, setShown] = useState(false);
  const [{ data, error, fetching }] = useQuery({ query: AuthorHistoryDocument, variables: { id: author.id, first: HISTORY }, pause: !(selected || shown) });
  const standing = author.standing;
  const history = data?.author?.comments;
  return (
    <div className="author-panel">
      <h4>
        {author.name} <span className="muted">· {plural(author.commentCount, "published comment")}</span>
      </h4>
      {standing && <p className={`standing ${standing.status.toLowerCase()}`}>{standingText(standing)}</p>}
      {standing && (
        <div className="form-actions sanctions">
          {standing.status === "ACTIVE" ? (
            <>
              <label htmlFor={`${id}-suspend`} className="inline-label">
                Suspend for
              </label>
              <select
                id={`${id}-suspend`}
                className="inline-select"
                value={props.suspendHours}
                onChange={(event) => props.onSuspendHours(Number(event.target.value))}
              >
                {SUSPENSIONS.map((choice) => (
                  <option key={choice.hours} value={choice.hours}>
                    {choice.label}
                  </option>
                ))}
              </select>
              <button type="button" className="secondary" onClick={() => props.onSanction("suspend")}>
                Suspend
              </button>
              {!props.confirmBan && (
                <button type="button" className="secondary danger" onClick={() => props.onConfirmBan(true)}>
                  Ban…
                </button>
              )}
            </>
          ) : (
            <button type="button" className="secondary" onClick={() => props.onSanction("unban")}>
              {standing.status === "BANNED" ? "Unban" : "End suspension"}
            </button>
          )}
          <label className="check">
            <input type="checkbox" checked={standing.premoderated} onChange={(event) => props.onSanction("premoderate", event.target.checked)} /> Pre-moderate
            their comments
          </label>
        </div>
      )}
      {props.confirmBan && standing?.status === "ACTIVE" && (
        <div className="confirm-ban" role="group" aria-label={`Ban ${author.name}`}>
          <p>Ban {author.name}? They can still read, but not comment, edit, like or report.</p>
          <label className="check">
            <input type="checkbox" checked={props.rejectExisting} onChange={(event) => props.onRejectExisting(event.target.checked)} /> Also reject their
            comments
          </label>
          <div className="form-actions">
            <button type="button" className="danger" onClick={() => props.onSanction("ban")}>
              Yes, ban {author.name}
            </button>
            <button type="button" className="secondary" onClick={() => props.onConfirmBan(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {selected || shown ? (
        <div className="history">
          <h5>Recent comments</h5>
          {fetching && !history && <p className="muted">Loading…</p>}
          <ErrorAlert about="Could not load their comments" message={error && errorText(error)} />
          {history && (
            <ul>
              {history.nodes.map((node) => (
                <li key={node.id} className={node.id === props.commentId ? "this-comment" : undefined}>
                  {node.status && node.status !== "PUBLISHED" && <span className={`status ${node.status.toLowerCase()}`}>{node.status.toLowerCase()}</span>}{" "}
                  {node.isTombstone ? <em className="muted">deleted</em> : excerpt(node.body, 100)}{" "}
                  <span className="muted">
                    on <Link href={articlePath(node.article.slug, node.id)}>{node.article.title}</Link>
                    {node.createdAt && <>, {formatDateTime(node.createdAt)}</>}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <button type="button" className="link-button" onClick={() => setShown(true)}>
          Show {author.name}&apos;s recent comments
        </button>
      )}
    </div>
  );
}
