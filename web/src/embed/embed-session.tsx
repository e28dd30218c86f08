import { ReactNode, useMemo } from "react";
import { Credential, Session, SessionContext } from "../session";

/** The claims the embed shows (who is posting); the server verifies the token, this only reads it. */
function readClaims(token: string): { name?: unknown; role?: unknown; exp?: unknown } | null {
  try {
    const part = token.split(".")[1];
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as { name?: unknown; role?: unknown; exp?: unknown };
  } catch {
    return null;
  }
}

/** The host site's reader token as the app's credential; the server still decides what it may do. */
export function readerCredential(token: string | null): Credential | null {
  if (!token) return null;
  const claims = readClaims(token) ?? {};
  return {
    kind: "reader",
    token,
    expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : new Date(8.64e15).toISOString(),
    name: typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : "Reader",
    role: claims.role === "moderator" ? "moderator" : "commenter",
  };
}

/**
 * The session inside the embed: the reader is whoever the host site's token says, set by the host
 * page (Threadline.mount's token, Threadline.setToken). There is no sign-in form here: readers sign
 * in on the host site. A token the API refuses signs the frame out and tells the host.
 */
export function EmbedSessionProvider({ credential, onSignOut, children }: { credential: Credential | null; onSignOut: () => void; children: ReactNode }) {
  const session = useMemo<Session>(
    () => ({
      devSignIn: false,
      readerSignInPath: null,
      credential,
      token: credential?.token ?? null,
      canModerate: credential?.kind === "reader" && credential.role === "moderator",
      signInAsReader: async () => "readers sign in on the host site",
      signInAsService: () => undefined,
      signOut: onSignOut,
    }),
    [credential, onSignOut],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
