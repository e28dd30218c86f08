import { createContext, ReactNode, useContext } from "react";
import { CombinedError, useQuery } from "urql";
import { ViewerDocument, ViewerQuery } from "./generated/graphql";
import { useSession } from "./session";

/**
 * Who the API says the signed-in caller is, asked once per credential and shared by the header
 * (the name, the bell) and every comment (whether it is the reader's own).
 */
export interface ViewerState {
  viewer: ViewerQuery["viewer"] | null;
  error: CombinedError | undefined;
}

const ViewerContext = createContext<ViewerState>({ viewer: null, error: undefined });

export function ViewerProvider({ children }: { children: ReactNode }) {
  const { token } = useSession();
  const [{ data, error }] = useQuery({ query: ViewerDocument, pause: token === null });
  return <ViewerContext.Provider value={{ viewer: token === null ? null : (data?.viewer ?? null), error }}>{children}</ViewerContext.Provider>;
}

export function useViewer(): ViewerState {
  return useContext(ViewerContext);
}
