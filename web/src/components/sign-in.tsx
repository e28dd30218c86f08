import { FormEvent, useId, useState } from "react";
import { useSession } from "../session";

/**
 * The development sign-in: the API token that `npm start` prints, and a display name. Offered
 * only when the server says it runs outside production.
 */
export function SignIn() {
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [token, setToken] = useState("");
  const [name, setName] = useState(session.name);
  const tokenId = useId();
  const nameId = useId();
  if (!session.devSignIn) return null;

  if (session.token) {
    return (
      <div className="sign-in">
        <span className="muted">Posting as {session.name.trim() || "anonymous"}</span>
        <button type="button" className="link-button" onClick={session.signOut}>
          Sign out
        </button>
      </div>
    );
  }
  if (!open) {
    return (
      <div className="sign-in">
        <button type="button" className="link-button" onClick={() => setOpen(true)}>
          Sign in (development)
        </button>
      </div>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim() === "") return;
    session.signIn(token.trim(), name.trim());
    setOpen(false);
    setToken("");
  };
  return (
    <form className="sign-in-form" onSubmit={submit} aria-label="Development sign-in">
      <p className="muted">
        Development only: paste the API token that <code>npm start</code> printed. It stays in this tab.
      </p>
      <label htmlFor={tokenId}>API token</label>
      <input id={tokenId} type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} autoFocus required />
      <label htmlFor={nameId}>Display name (empty: anonymous)</label>
      <input id={nameId} type="text" maxLength={80} value={name} onChange={(event) => setName(event.target.value)} />
      <div className="form-actions">
        <button type="submit">Sign in</button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
