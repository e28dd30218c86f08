import { FormEvent, KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { useMutation } from "urql";
import { FlagCommentDocument, FlagReason } from "../generated/graphql";
import { errorText, isUnauthenticated } from "../format";
import { useSession } from "../session";
import { CommentView } from "../thread-state";
import { ErrorAlert } from "./error-alert";

/** The reasons a reader may give, in the API's FlagReason order, as the form words them. */
export const FLAG_REASONS: { value: FlagReason; label: string; hint: string }[] = [
  { value: "SPAM", label: "Spam", hint: "advertising or repeated junk" },
  { value: "ABUSE", label: "Abuse", hint: "insults, harassment or hate" },
  { value: "OFF_TOPIC", label: "Off topic", hint: "not about the article or the discussion" },
  { value: "OTHER", label: "Other", hint: "say what in the note" },
];

/** The note limit the API enforces (after trimming). */
const MAX_NOTE = 1000;

/**
 * Report a comment to the moderators (flagComment): a disclosure that opens a small form with a
 * reason and an optional note. Escape or Cancel closes it and gives focus back to the button. A
 * report that puts the comment on hold comes back as its new state, for the thread to show.
 */
export function ReportComment({ comment, onChanged }: { comment: CommentView; onChanged: (comment: CommentView) => void }) {
  const id = useId();
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<FlagReason | null>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [sending, flag] = useMutation(FlagCommentDocument);
  const button = useRef<HTMLButtonElement>(null);
  const firstChoice = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (open) firstChoice.current?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    setError(null);
    // The button renders again on the next frame: focus it then.
    window.requestAnimationFrame(() => button.current?.focus());
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!reason) return setError("Choose a reason first.");
    const result = await flag({ id: comment.id, reason, note: note.trim() || null });
    if (result.error || !result.data?.flagComment) {
      setError(result.error ? errorText(result.error) : "no answer from the server");
      if (result.error && isUnauthenticated(result.error)) session.signOut();
      return;
    }
    setOpen(false);
    setDone(true);
    onChanged(result.data.flagComment.comment);
  };

  const escape = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  };

  if (done) {
    return (
      <span className="muted report-done" role="status">
        Reported. Thank you: a moderator will look at it.
      </span>
    );
  }
  if (!open) {
    return (
      <button type="button" ref={button} className="link-button" aria-expanded={false} onClick={() => setOpen(true)}>
        Report
      </button>
    );
  }
  return (
    <form className="report-form" aria-labelledby={`${id}-title`} onSubmit={(event) => void submit(event)} onKeyDown={escape}>
      <p id={`${id}-title`} className="report-title">
        Report this comment by {comment.author?.name ?? "an anonymous reader"}
      </p>
      <fieldset className="choice">
        <legend>Why?</legend>
        {FLAG_REASONS.map((choice, index) => (
          <label key={choice.value}>
            <input
              ref={index === 0 ? firstChoice : undefined}
              type="radio"
              name={`${id}-reason`}
              value={choice.value}
              checked={reason === choice.value}
              onChange={() => setReason(choice.value)}
            />{" "}
            {choice.label} <span className="muted">({choice.hint})</span>
          </label>
        ))}
      </fieldset>
      <label htmlFor={`${id}-note`}>Note for the moderators (optional)</label>
      <textarea id={`${id}-note`} rows={2} maxLength={MAX_NOTE} value={note} onChange={(event) => setNote(event.target.value)} />
      <div className="form-actions">
        <button type="submit" disabled={sending.fetching}>
          {sending.fetching ? "Sending…" : "Send report"}
        </button>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
      </div>
      <ErrorAlert message={error} />
    </form>
  );
}
