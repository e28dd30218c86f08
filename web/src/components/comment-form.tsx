import { FormEvent, useId, useState } from "react";
import { CombinedError, useMutation } from "urql";
import { AddCommentDocument, EditCommentDocument } from "../generated/graphql";
import { errorText, isUnauthenticated } from "../format";
import { Session, useSession } from "../session";
import { CommentView, useThread } from "../thread-state";
import { ErrorAlert } from "./error-alert";

/** Body limit the API enforces (after trimming); the form says so before the server has to. */
const MAX_BODY = 10_000;

export type CommentFormProps =
  | { kind: "new"; onDone?: () => void }
  | { kind: "reply"; parentId: string; onDone: () => void }
  | { kind: "edit"; commentId: string; initialBody: string; onDone: (changed: CommentView | null) => void };

/** Posting a comment or a reply, or editing one, through the API's mutations. */
export function CommentForm(props: CommentFormProps) {
  const id = useId();
  const session = useSession();
  const { articleId, dispatch } = useThread();
  const [body, setBody] = useState(props.kind === "edit" ? props.initialBody : "");
  const [error, setError] = useState<string | null>(null);
  const [added, addComment] = useMutation(AddCommentDocument);
  const [edited, editComment] = useMutation(EditCommentDocument);
  const busy = added.fetching || edited.fetching;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (body.trim() === "") {
      setError("Write something first.");
      return;
    }
    if (props.kind === "edit") {
      const result = await editComment({ id: props.commentId, body });
      if (result.error || !result.data?.editComment) return failed(result.error);
      props.onDone(result.data.editComment.comment);
      return;
    }
    const parentId = props.kind === "reply" ? props.parentId : null;
    // A reader posts as themself; the service token posts under the name it was given.
    const authorName = session.credential?.kind === "service" ? session.credential.name.trim() || null : null;
    const result = await addComment({ articleId, body, parentId, authorName });
    if (result.error || !result.data?.addComment) return failed(result.error);
    const { commentEdge, article } = result.data.addComment;
    const comment = commentEdge.node;
    dispatch({ type: "added", comment, parentId: comment.parent?.id ?? null, commentCount: article.commentCount, live: false });
    setBody("");
    props.onDone?.();
  };

  const failed = (failure: CombinedError | undefined) => {
    setError(failure ? errorText(failure) : "no answer from the server");
    if (failure && isUnauthenticated(failure)) session.signOut();
  };

  const label = props.kind === "edit" ? "Edit your comment" : props.kind === "reply" ? "Your reply" : "Add a comment";
  return (
    <form className="comment-form" onSubmit={(event) => void submit(event)}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        value={body}
        maxLength={MAX_BODY}
        rows={props.kind === "new" ? 4 : 3}
        onChange={(event) => setBody(event.target.value)}
        autoFocus={props.kind !== "new"}
      />
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Sending…" : props.kind === "edit" ? "Save" : props.kind === "reply" ? "Post reply" : "Post comment"}
        </button>
        {props.kind !== "new" && (
          <button type="button" className="secondary" onClick={() => (props.kind === "edit" ? props.onDone(null) : props.onDone())}>
            Cancel
          </button>
        )}
        <span className="muted">Posting as {postingAs(session)}</span>
      </div>
      <ErrorAlert message={error} />
    </form>
  );
}

function postingAs(session: Session): string {
  const credential = session.credential;
  if (!credential) return "nobody";
  return credential.name.trim() || "anonymous";
}
