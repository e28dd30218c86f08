import { FormEvent, useId, useState } from "react";
import { useMutation, useQuery } from "urql";
import { SetWordListDocument, WordListKind, WordListsDocument } from "../generated/graphql";
import { errorText, plural } from "../format";
import { ErrorAlert } from "../components/error-alert";

const LISTS: { kind: WordListKind; key: "banned" | "suspect"; label: string; hint: string }[] = [
  { kind: "BANNED", key: "banned", label: "Banned words", hint: "a comment with one is rejected at once, and its author is told why" },
  { kind: "SUSPECT", key: "suspect", label: "Suspect words", hint: "a comment with one waits for a moderator" },
];

/** One word or phrase a line; blank lines and surrounding spaces do not count. */
function entries(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The moderators' word lists, each edited as text and saved whole (setWordList replaces the list). */
export function WordListsPanel() {
  const [{ data, error, fetching }] = useQuery({ query: WordListsDocument });
  return (
    <section className="word-lists" aria-labelledby="word-lists-heading">
      <h2 id="word-lists-heading">Word lists</h2>
      <p className="muted">Whole words and phrases, one a line; case and accents do not matter.</p>
      {fetching && !data && <p className="muted">Loading…</p>}
      <ErrorAlert about="Could not load the word lists" message={error && errorText(error)} />
      {data && LISTS.map((list) => <WordListForm key={list.kind} list={list} saved={data.wordLists[list.key]} />)}
    </section>
  );
}

function WordListForm({ list, saved: initial }: { list: (typeof LISTS)[number]; saved: string[] }) {
  const id = useId();
  const [saved, setSaved] = useState(initial);
  const [text, setText] = useState(initial.join("\n"));
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, save] = useMutation(SetWordListDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const result = await save({ kind: list.kind, words: entries(text) });
    const lists = result.data?.setWordList;
    if (result.error || !lists) return setError(result.error ? errorText(result.error) : "no answer from the server");
    const now = lists[list.key];
    setSaved(now);
    setText(now.join("\n"));
    setNote(`Saved: ${plural(now.length, "entry", "entries")}.`);
  };

  const changed = entries(text).join("\n") !== saved.join("\n");
  return (
    <form className="word-list" onSubmit={(event) => void submit(event)}>
      <label htmlFor={id}>{list.label}</label>
      <p className="muted hint" id={`${id}-hint`}>
        {list.hint}
      </p>
      <textarea
        id={id}
        aria-describedby={`${id}-hint`}
        rows={5}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setNote(null);
        }}
        spellCheck={false}
      />
      <div className="form-actions">
        <button type="submit" disabled={saving.fetching || !changed}>
          {saving.fetching ? "Saving…" : `Save ${list.label.toLowerCase()}`}
        </button>
        {note && (
          <span className="muted" role="status">
            {note}
          </span>
        )}
      </div>
      <ErrorAlert message={error} />
    </form>
  );
}
