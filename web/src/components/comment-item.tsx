import { useEffect, useRef, useState } from "react";
import { CombinedError, useMutation } from "urql";
import { CommentStatus, DeleteCommentDocument, ReactToCommentDocument, SetCommentStatusDocument, UnreactToCommentDocument } from "../generated/graphql";
import { errorText, formatDateTime, isUnauthenticated, plural } from "../format";
import { usePermalinks } from "../permalink";
import { Session, useSession } from "../session";
import { CommentView, isTombstone, useThread } from "../thread-state";
import { useViewer } from "../viewer";
import { CommentForm } from "./deferred";
import { CommentList, CommentListPage, EMPTY_PAGE } from "./comment-list";
import { ReportComment } from "./report-comment";
import { ErrorAlert } from "./error-alert";

/**
 * What a tombstone says. The API tells a comment's status only to those allowed to know it (its
 * author, moderators): they read why it is a tombstone; everyone else reads one neutral text.
 */
function tombstoneText(comment: Pick<CommentView, "isDeleted" | "status">): string {
  if (comment.status === null) return "This comment is not available.";
  if (comment.isDeleted) return "This comment was deleted.";
  return comment.status === "PENDING" ? "This comment is waiting for a moderator." : "This comment was removed by a moderator.";
}

function tombstoneHeading(comment: Pick<CommentView, "isDeleted" | "status">): string {
  if (comment.status === null) return "Unavailable comment";
  return comment.isDeleted ? "Deleted comment" : "Hidden comment";
}

/**
 * One comment with its replies. Text is only ever rendered as text: a comment that contains
 * markup shows the markup.
 */
export function CommentItem({ comment: loaded, replies }: { comment: CommentView; replies: CommentListPage | null }) {
  const { state, dispatch, target } = useThread();
  const session = useSession();
  const [mode, setMode] = useState<"read" | "reply" | "edit" | "confirm-delete">("read");
  const [error, setError] = useState<string | null>(null);
  const [, deleteComment] = useMutation(DeleteCommentDocument);
  const [reacting, react] = useMutation(ReactToCommentDocument);
  const [unreacting, unreact] = useMutation(UnreactToCommentDocument);
  const [, setStatus] = useMutation(SetCommentStatusDocument);
  const element = useRef<HTMLLIElement>(null);
  const comment = { ...loaded, ...state.changed[loaded.id] };
  const isTarget = target.commentId === comment.id;
  const viewerAuthorId = useViewer().viewer?.author?.id ?? null;
  const rights = useRights(comment, session, viewerAuthorId);
  const permalinks = usePermalinks();

  useEffect(() => {
    if (isTarget && element.current) {
      element.current.scrollIntoView({ block: "center" });
      element.current.focus({ preventScroll: true });
    }
  }, [isTarget]);

  if ("hidden" in comment && comment.hidden) return null;

  // The count the page loaded with, plus what arrived since (an edit's fresher count would count those twice).
  const newReplies = state.added[comment.id]?.length ?? 0;
  const replyCount = loaded.replyCount + newReplies;
  const headingId = `c-${comment.id}-by`;

  const failed = (failure: CombinedError | undefined) => {
    setError(failure ? errorText(failure) : "no answer from the server");
    if (failure && isUnauthenticated(failure)) session.signOut();
  };

  const remove = async () => {
    setError(null);
    const result = await deleteComment({ id: comment.id });
    if (result.error || !result.data?.deleteComment) return failed(result.error);
    const { comment: deleted, article } = result.data.deleteComment;
    // A deleted comment with nothing below it leaves the list, as the API lists it from now on.
    dispatch({ type: "changed", comment: deleted, hidden: replyCount === 0, commentCount: article.commentCount });
    setMode("read");
  };

  const toggleReaction = async () => {
    setError(null);
    const result = comment.viewerHasReacted ? await unreact({ id: comment.id }) : await react({ id: comment.id });
    const changed = result.data && ("reactToComment" in result.data ? result.data.reactToComment : result.data.unreactToComment);
    if (result.error || !changed) return failed(result.error);
    dispatch({ type: "changed", comment: changed.comment });
  };
  const reactionBusy = reacting.fetching || unreacting.fetching;

  // The thread's counts follow from the STATUS_CHANGED event every subscriber hears, this page too.
  const moderate = async (status: CommentStatus) => {
    setError(null);
    const result = await setStatus({ id: comment.id, status });
    if (result.error || !result.data?.setCommentStatus) return failed(result.error);
    dispatch({ type: "changed", comment: result.data.setCommentStatus.comment });
  };

  const tombstone = isTombstone(comment);
  // Held by the moderators, and shown to this caller all the same: its author, or a moderator.
  const held = comment.status !== null && comment.status !== "PUBLISHED" && !tombstone;
  const classes = ["comment", isTarget ? "targeted" : "", held && comment.status ? comment.status.toLowerCase() : ""].filter(Boolean).join(" ");
  return (
    <li id={`c-${comment.id}`} ref={element} tabIndex={-1} className={classes} aria-labelledby={headingId}>
      <div className="comment-head">
        <span id={headingId} className={comment.author ? "comment-author" : "comment-author anonymous"}>
          {tombstone ? tombstoneHeading(comment) : (comment.author?.name ?? "Anonymous")}
        </span>
        {held && comment.status && (
          <span className={`status ${comment.status.toLowerCase()}`}>{comment.status === "PENDING" ? "Awaiting moderation" : "Rejected"}</span>
        )}
        {comment.createdAt && (
          <time className="muted" dateTime={comment.createdAt}>
            {formatDateTime(comment.createdAt)}
          </time>
        )}
        {comment.editedAt && !comment.isDeleted && (
          <span className="edited" title={`Edited ${formatDateTime(comment.editedAt)}`}>
            edited
          </span>
        )}
        <a
          className="permalink"
          href={permalinks.href(comment.id)}
          target={permalinks.target}
          aria-label={`Link to this comment by ${comment.author?.name ?? "an anonymous reader"}`}
        >
          Link
        </a>
      </div>
      {tombstone ? (
        <p className="comment-body tombstone">{tombstoneText(comment)}</p>
      ) : mode === "edit" ? (
        <CommentForm
          kind="edit"
          commentId={comment.id}
          initialBody={comment.body}
          onDone={(changed) => {
            if (changed) dispatch({ type: "changed", comment: changed });
            setMode("read");
          }}
        />
      ) : (
        <p className="comment-body">{comment.body}</p>
      )}
      {held && (
        <p className="muted status-note">
          {session.canModerate ? "Readers do not see it unless a moderator publishes it." : "Only you and the moderators see it."}
        </p>
      )}
      <div className="comment-actions">
        {rights.react ? (
          <button
            type="button"
            className={comment.viewerHasReacted ? "reaction reacted" : "reaction"}
            aria-pressed={comment.viewerHasReacted}
            disabled={reactionBusy}
            onClick={() => void toggleReaction()}
          >
            Like<span className="reaction-count"> · {comment.reactionCount}</span>
          </button>
        ) : (
          comment.reactionCount > 0 && <span className="muted reaction-count">{plural(comment.reactionCount, "like")}</span>
        )}
        {replyCount > 0 && <span className="muted reply-count">{plural(replyCount, "reply", "replies")}</span>}
        {mode === "read" && (
          <>
            {rights.reply && (
              <button type="button" className="link-button" onClick={() => setMode("reply")}>
                Reply
              </button>
            )}
            {rights.edit && (
              <button type="button" className="link-button" onClick={() => setMode("edit")}>
                Edit
              </button>
            )}
            {rights.delete && (
              <button type="button" className="link-button" onClick={() => setMode("confirm-delete")}>
                Delete
              </button>
            )}
            {rights.report && <ReportComment comment={comment} onChanged={(changed) => dispatch({ type: "changed", comment: changed })} />}
            {rights.moderate && comment.status !== "PUBLISHED" && (
              <button type="button" className="link-button" onClick={() => void moderate("PUBLISHED")}>
                Publish
              </button>
            )}
            {rights.moderate && comment.status === "PENDING" && (
              <button type="button" className="link-button danger" onClick={() => void moderate("REJECTED")}>
                Reject
              </button>
            )}
          </>
        )}
        {mode === "confirm-delete" && (
          <>
            <span>Delete this comment?</span>
            <button type="button" className="link-button danger" onClick={() => void remove()}>
              Yes, delete
            </button>
            <button type="button" className="link-button" onClick={() => setMode("read")}>
              Keep it
            </button>
          </>
        )}
      </div>
      <ErrorAlert message={error} />
      {mode === "reply" && <CommentForm kind="reply" parentId={comment.id} onDone={() => setMode("read")} />}
      {(loaded.replyCount > 0 || newReplies > 0) && <CommentList parentId={comment.id} initial={replies ?? (loaded.replyCount > 0 ? null : EMPTY_PAGE)} />}
    </li>
  );
}

/**
 * What the signed-in caller may do with the comment, as the API said when it was read
 * (viewerCanEdit, viewerCanDelete), and no longer once its edit window closes while the page is
 * open: the buttons go away then, rather than offering what the API would refuse.
 */
function useRights(comment: CommentView, session: Session, viewerAuthorId: string | null) {
  const [, setTick] = useState(0);
  const until = comment.editableUntil && !session.canModerate ? Date.parse(comment.editableUntil) : null;
  const open = until === null || until > Date.now();
  useEffect(() => {
    if (until === null || until <= Date.now()) return;
    // setTimeout holds at most about 24.8 days; a longer window is rechecked then.
    const timer = window.setTimeout(() => setTick((tick) => tick + 1), Math.min(until - Date.now() + 50, 2 ** 31 - 1));
    return () => window.clearTimeout(timer);
  }, [until]);
  const signedIn = session.token !== null && !comment.isDeleted;
  const published = comment.status === "PUBLISHED";
  return {
    reply: signedIn && published,
    edit: signedIn && comment.viewerCanEdit && open,
    delete: signedIn && comment.viewerCanDelete && open,
    // Reactions are readers' own: the service token is no reader.
    react: session.credential?.kind === "reader" && !comment.isDeleted && published,
    moderate: signedIn && session.canModerate,
    // Readers report others' comments (the service token is no reader). Their own: by author, or,
    // before the API has named their author (their first comment), by the edit right only authors have.
    report:
      session.credential?.kind === "reader" &&
      !comment.isDeleted &&
      !comment.isTombstone &&
      !(comment.author !== null && comment.author.id === viewerAuthorId) &&
      !(comment.viewerCanEdit && !session.canModerate),
  };
}
