import { useEffect, useRef, useState } from "react";
import { useMutation } from "urql";
import { DeleteCommentDocument } from "../generated/graphql";
import { errorText, formatDateTime, isUnauthenticated, plural } from "../format";
import { useSession } from "../session";
import { CommentView, useThread } from "../thread-state";
import { CommentForm } from "./comment-form";
import { CommentList, CommentListPage, EMPTY_PAGE } from "./comment-list";

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
  const element = useRef<HTMLLIElement>(null);
  const comment = state.changed[loaded.id] ?? loaded;
  const isTarget = target.commentId === comment.id;

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
  const canWrite = session.token !== null && !comment.isDeleted;
  const headingId = `c-${comment.id}-by`;

  const remove = async () => {
    setError(null);
    const result = await deleteComment({ id: comment.id });
    if (result.error || !result.data) {
      setError(result.error ? errorText(result.error) : "no answer");
      if (result.error && isUnauthenticated(result.error)) session.signOut();
      return;
    }
    const { comment: deleted, article } = result.data.deleteComment;
    // A deleted comment with nothing below it leaves the list, as the API lists it from now on.
    dispatch({ type: "changed", comment: deleted, hidden: replyCount === 0, commentCount: article.commentCount });
    setMode("read");
  };

  return (
    <li id={`c-${comment.id}`} ref={element} tabIndex={-1} className={isTarget ? "comment targeted" : "comment"} aria-labelledby={headingId}>
      <div className="comment-head">
        <span id={headingId} className={comment.author ? "comment-author" : "comment-author anonymous"}>
          {comment.isDeleted ? "Deleted comment" : (comment.author?.name ?? "Anonymous")}
        </span>
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
        <a className="permalink" href={`#c-${comment.id}`} aria-label={`Link to this comment by ${comment.author?.name ?? "an anonymous reader"}`}>
          Link
        </a>
      </div>
      {comment.isDeleted ? (
        <p className="comment-body tombstone">This comment was deleted.</p>
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
      <div className="comment-actions">
        {replyCount > 0 && <span className="muted reply-count">{plural(replyCount, "reply", "replies")}</span>}
        {canWrite && mode === "read" && (
          <>
            <button type="button" className="link-button" onClick={() => setMode("reply")}>
              Reply
            </button>
            <button type="button" className="link-button" onClick={() => setMode("edit")}>
              Edit
            </button>
            <button type="button" className="link-button" onClick={() => setMode("confirm-delete")}>
              Delete
            </button>
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
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {mode === "reply" && <CommentForm kind="reply" parentId={comment.id} onDone={() => setMode("read")} />}
      {(loaded.replyCount > 0 || newReplies > 0) && <CommentList parentId={comment.id} initial={replies ?? (loaded.replyCount > 0 ? null : EMPTY_PAGE)} />}
    </li>
  );
}
