import { createContext, ReactNode, useCallback, useContext, useMemo, useState } from "react";

/**
 * Who posts. Until readers sign in through their host site, development servers offer a sign-in
 * with the service's API token (the one `npm start` prints). It is kept in sessionStorage: this
 * tab only, gone when the tab closes.
 */
export interface Session {
  /** Whether the server offers the development sign-in (it says so in the page; never in production). */
  devSignIn: boolean;
  token: string | null;
  /** The display name comments are posted under; empty posts anonymously. */
  name: string;
  signIn(token: string, name: string): void;
  signOut(): void;
}

const TOKEN_KEY = "threadline.apiToken";
const NAME_KEY = "threadline.authorName";

const SessionContext = createContext<Session | null>(null);

function readStorage(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Whether the server runs outside production (it says so in the page it serves). */
export function developmentServer(): boolean {
  return document.querySelector('meta[name="threadline-development"]')?.getAttribute("content") === "on";
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const devSignIn = useMemo(developmentServer, []);
  const [token, setToken] = useState(() => (devSignIn ? readStorage(TOKEN_KEY) : null));
  const [name, setName] = useState(() => readStorage(NAME_KEY) ?? "");
  const signIn = useCallback((newToken: string, newName: string) => {
    window.sessionStorage.setItem(TOKEN_KEY, newToken);
    window.sessionStorage.setItem(NAME_KEY, newName);
    setToken(newToken);
    setName(newName);
  }, []);
  const signOut = useCallback(() => {
    window.sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
  }, []);
  const session = useMemo(() => ({ devSignIn, token, name, signIn, signOut }), [devSignIn, token, name, signIn, signOut]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
