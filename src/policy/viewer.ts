/**
 * Who is looking, as the visibility rules see them. The public: anonymous callers, and readers who
 * have no author row yet (they have written nothing, so there is nothing more to show them). A
 * reader who has written: the public's view plus their own comments. A moderator or the service
 * token: every comment that is not deleted, and every status.
 */
import { Caller, canModerate } from "../auth/caller";

export type Viewer = { kind: "public" } | { kind: "author"; authorId: number } | { kind: "moderator" };

export const PUBLIC_VIEWER: Viewer = { kind: "public" };
export const MODERATOR_VIEWER: Viewer = { kind: "moderator" };

/**
 * The caller as a viewer, asked for lazily: a reader's author row is looked up (`authorIdOfSub`) on
 * the first ask, once per request; anonymous callers and moderators cost nothing.
 */
export function viewerOf(caller: Caller, authorIdOfSub: (sub: string) => Promise<number | null>): () => Promise<Viewer> {
  if (canModerate(caller)) {
    const moderator = Promise.resolve(MODERATOR_VIEWER);
    return () => moderator;
  }
  if (caller.kind !== "reader") {
    const everyone = Promise.resolve(PUBLIC_VIEWER);
    return () => everyone;
  }
  let reader: Promise<Viewer> | null = null;
  return () => (reader ??= authorIdOfSub(caller.sub).then((authorId): Viewer => (authorId === null ? PUBLIC_VIEWER : { kind: "author", authorId })));
}

/** The caller as a viewer, where their author row's id is known already (a write's transaction). */
export function viewerFor(caller: Caller, ownAuthorId: number | null): Viewer {
  if (canModerate(caller)) return MODERATOR_VIEWER;
  return caller.kind === "reader" && ownAuthorId !== null ? { kind: "author", authorId: ownAuthorId } : PUBLIC_VIEWER;
}
