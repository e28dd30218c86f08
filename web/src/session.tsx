import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";

/**
 * Who posts. Readers sign in through their host site in a real deployment, which hands the app a
 * token; development servers stand in for the host site and sign a reader token for a display
 * name and role of the developer's choosing. They also take the service's API token (the one
 * `npm start` prints), as an operator would post. The credential is kept in sessionStorage: this
 * tab only, gone when the tab closes.
 */
export type ReaderRole = "commenter" | "moderator";

export type Credential =
  | { kind: "reader"; token: string; expiresAt: string; name: string; role: ReaderRole }
  /** The service token; `name` is the authorName comments are posted under (empty: anonymous). */
  | { kind: "service"; token: string; name: string };

export interface Session {
  /** Whether the server runs outside production: it then offers the development sign-ins. */
  devSignIn: boolean;
  /** Where the server signs development reader tokens; null when it does not (production, or no JWT secret). */
  readerSignInPath: string | null;
  credential: Credential | null;
  token: string | null;
  /** Moderators and the service token see and may change every comment. */
  canModerate: boolean;
  /** Signs in as a reader with a token from the development server; resolves to the refusal's text, or null. */
  signInAsReader(name: string, role: ReaderRole): Promise<string | null>;
  signInAsService(token: string, name: string): void;
  signOut(): void;
}

const STORAGE_KEY = "threadline.session";
/** A reader token is renewed this long before it expires, so no request goes out with a stale one. */
const RENEW_BEFORE_MS = 60_000;

/** Provided by SessionProvider here, and by the embed (web/src/embed/) with the host site's reader token. */
export const SessionContext = createContext<Session | null>(null);

/**
 * What the server says in the page's meta tags; on the server, what it will say (setServerMeta),
 * so that the HTML rendered there is what the browser renders when it hydrates.
 */
let serverMeta: Record<string, string> = {};

export function setServerMeta(meta: Record<string, string>): void {
  serverMeta = meta;
}

function metaContent(name: string): string | null {
  if (typeof document === "undefined") return serverMeta[name] ?? null;
  return document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") ?? null;
}

/** Whether the server runs outside production (it says so in the page it serves). */
export function developmentServer(): boolean {
  return metaContent("threadline-development") === "on";
}

/** The path of the server's development reader sign-in, when it has one. */
function readerSignInPath(): string | null {
  const path = metaContent("threadline-reader-sign-in");
  return path && path.startsWith("/") ? path : null;
}

function stored(): Credential | null {
  try {
    const text = window.sessionStorage.getItem(STORAGE_KEY);
    if (!text) return null;
    const value = JSON.parse(text) as Credential;
    if (typeof value?.token !== "string" || (value.kind !== "reader" && value.kind !== "service")) return null;
    return value;
  } catch {
    return null;
  }
}

function store(credential: Credential | null): void {
  try {
    if (credential) window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credential));
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage refused (private mode, quota): the sign-in lasts until the page reloads.
  }
}

/** Asks the development server for a reader token; the credential, or the refusal's text. */
async function fetchReaderToken(path: string, name: string, role: ReaderRole): Promise<Credential | string> {
  let response: Response;
  try {
    response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, role }) });
  } catch (error) {
    return `cannot reach the server (${(error as Error).message})`;
  }
  const answer = (await response.json().catch(() => null)) as { token?: string; expiresAt?: string; reader?: { name: string }; error?: string } | null;
  if (!response.ok || !answer?.token || !answer.expiresAt || !answer.reader) return answer?.error ?? `the server answered ${response.status}`;
  return { kind: "reader", token: answer.token, expiresAt: answer.expiresAt, name: answer.reader.name, role };
}

/** The credential kept in this tab, and whether it must be renewed before use. */
function keptSession(devSignIn: boolean): { credential: Credential | null; renew: Credential | null } {
  const kept = devSignIn ? stored() : null;
  // A kept reader token that has run out (the tab slept) is not sent, which would refuse even
  // reads: the app starts anonymous and asks for a new one for the same reader.
  if (kept?.kind === "reader" && Date.parse(kept.expiresAt) - RENEW_BEFORE_MS <= Date.now()) return { credential: null, renew: kept };
  return { credential: kept, renew: null };
}

/**
 * `hydrating`: the page came rendered from the server, for the anonymous reader. The app then
 * hydrates as that reader, and takes up the credential kept in this tab right after.
 */
export function SessionProvider({ children, hydrating = false }: { children: ReactNode; hydrating?: boolean }) {
  const devSignIn = useMemo(developmentServer, []);
  const signInPath = useMemo(readerSignInPath, []);
  const [initial] = useState(() => (hydrating ? { credential: null, renew: null } : keptSession(devSignIn)));
  const [credential, setCredential] = useState<Credential | null>(initial.credential);
  /** The reader whose token is renewed next: the signed-in one, or the one whose kept token ran out. */
  const [renewal, setRenewal] = useState<Credential | null>(initial.renew ?? initial.credential);

  useEffect(() => {
    if (!hydrating) return;
    const kept = keptSession(devSignIn);
    if (kept.credential) setCredential(kept.credential);
    if (kept.credential || kept.renew) setRenewal(kept.renew ?? kept.credential);
  }, [hydrating, devSignIn]);

  const change = useCallback((next: Credential | null) => {
    store(next);
    setCredential(next);
    setRenewal(next);
  }, []);

  const signInAsReader = useCallback(
    async (name: string, role: ReaderRole) => {
      if (!signInPath) return "this server offers no reader sign-in";
      const result = await fetchReaderToken(signInPath, name, role);
      if (typeof result === "string") return result;
      change(result);
      return null;
    },
    [signInPath, change],
  );
  const signInAsService = useCallback((token: string, name: string) => change({ kind: "service", token, name }), [change]);
  const signOut = useCallback(() => change(null), [change]);

  // A development reader token lasts an hour: a new one is asked for shortly before, as a host site would renew it.
  useEffect(() => {
    if (renewal?.kind !== "reader" || !signInPath) return;
    const { name, role } = renewal;
    const wait = Math.max(Date.parse(renewal.expiresAt) - RENEW_BEFORE_MS - Date.now(), 0);
    let current = true;
    const timer = window.setTimeout(() => {
      // Unless the reader signed out or in as someone else meanwhile.
      void fetchReaderToken(signInPath, name, role).then((result) => current && change(typeof result === "string" ? null : result));
    }, wait);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [renewal, signInPath, change]);

  const session = useMemo<Session>(
    () => ({
      devSignIn,
      readerSignInPath: signInPath,
      credential,
      token: credential?.token ?? null,
      canModerate: credential?.kind === "service" || (credential?.kind === "reader" && credential.role === "moderator"),
      signInAsReader,
      signInAsService,
      signOut,
    }),
    [devSignIn, signInPath, credential, signInAsReader, signInAsService, signOut],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/** Who the session is, for keying what must start over when it changes (not when a token is renewed). */
export function identityKey(credential: Credential | null): string {
  if (!credential) return "anonymous";
  return credential.kind === "reader" ? `reader:${credential.role}:${credential.name}` : `service:${credential.name}`;
}
