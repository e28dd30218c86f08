import { FormEvent, useEffect, useId, useState } from "react";
import { errorText, isUnauthenticated } from "../format";
import { ReaderRole, useSession } from "../session";
import { useViewer } from "../viewer";
import { ErrorAlert } from "./error-alert";

/**
 * The development sign-ins, offered only when the server says it runs outside production: as a
 * reader (a display name and a role; the server signs the token a host site would), or as the
 * service with the API token that `npm start` printed, posting under any name.
 */
export function SignIn() {
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  if (!session.devSignIn) return null;
  if (session.credential) return <SignedIn onRefused={setRefusal} />;
  if (!open) {
    return (
      <div className="sign-in">
        <button type="button" className="link-button" onClick={() => setOpen(true)}>
          Sign in (development)
        </button>
        <ErrorAlert about="Signed out" message={refusal} />
      </div>
    );
  }
  return (
    <SignInForm
      onDone={() => {
        setOpen(false);
        setRefusal(null);
      }}
    />
  );
}

/** Who the API says the credential is; a credential it refuses signs the app out, saying why. */
function SignedIn({ onRefused }: { onRefused: (reason: string) => void }) {
  const session = useSession();
  const { viewer, error } = useViewer();
  const { credential, signOut } = session;
  useEffect(() => {
    if (error && isUnauthenticated(error)) {
      onRefused(errorText(error));
      signOut();
    }
  }, [error, onRefused, signOut]);
  if (!credential) return null;
  const who =
    credential.kind === "reader"
      ? `${viewer?.name ?? credential.name} (${(viewer?.role ?? credential.role).toLowerCase()})`
      : `${credential.name.trim() || "anonymous"} (service token)`;
  return (
    <div className="sign-in">
      <span className="muted">
        Signed in as <strong className="signed-in-as">{who}</strong>
      </span>
      <button type="button" className="link-button" onClick={signOut}>
        Sign out
      </button>
    </div>
  );
}

function SignInForm({ onDone }: { onDone: () => void }) {
  const session = useSession();
  const readers = session.readerSignInPath !== null;
  const [kind, setKind] = useState<"reader" | "service">(readers ? "reader" : "service");
  const [name, setName] = useState(session.credential?.name ?? "");
  const [role, setRole] = useState<ReaderRole>("commenter");
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { name: useId(), role: useId(), token: useId(), serviceName: useId() };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (kind === "service") {
      if (token.trim() === "") return setError("Paste the API token first.");
      session.signInAsService(token.trim(), name.trim());
      return onDone();
    }
    if (name.trim() === "") return setError("Choose a display name first.");
    setBusy(true);
    const refusal = await session.signInAsReader(name.trim(), role);
    setBusy(false);
    if (refusal) return setError(refusal);
    onDone();
  };

  return (
    <form className="sign-in-form" onSubmit={(event) => void submit(event)} aria-label="Development sign-in">
      <p className="muted">Development only. The credential stays in this tab.</p>
      {readers && (
        <fieldset className="choice">
          <legend>Sign in as</legend>
          <label>
            <input type="radio" name="sign-in-kind" checked={kind === "reader"} onChange={() => setKind("reader")} /> A reader
          </label>
          <label>
            <input type="radio" name="sign-in-kind" checked={kind === "service"} onChange={() => setKind("service")} /> The service (API token)
          </label>
        </fieldset>
      )}
      {kind === "reader" ? (
        <>
          <p className="muted">The server signs a reader token for this name, as a host site would. The same name is the same reader.</p>
          <label htmlFor={ids.name}>Display name</label>
          <input id={ids.name} type="text" maxLength={80} value={name} onChange={(event) => setName(event.target.value)} autoFocus required />
          <label htmlFor={ids.role}>Role</label>
          <select id={ids.role} value={role} onChange={(event) => setRole(event.target.value as ReaderRole)}>
            <option value="commenter">Commenter</option>
            <option value="moderator">Moderator</option>
          </select>
        </>
      ) : (
        <>
          <p className="muted">
            Paste the API token that <code>npm start</code> printed: every right, posting under any name.
          </p>
          <label htmlFor={ids.token}>API token</label>
          <input id={ids.token} type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} autoFocus required />
          <label htmlFor={ids.serviceName}>Post as (empty: anonymous)</label>
          <input id={ids.serviceName} type="text" maxLength={80} value={name} onChange={(event) => setName(event.target.value)} />
        </>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ErrorAlert message={error} />
    </form>
  );
}
