import { createContext, Dispatch, ReactNode, useContext, useMemo, useReducer } from "react";
import type { CommentEventKind, CommentFieldsFragment } from "./generated/graphql";

/** Page sizes: top-level comments, and replies at every level below. */
export const COMMENTS_PAGE = 10;
export const REPLIES_PAGE = 5;

export type CommentView = CommentFieldsFragment;

/**
 * What happened to the thread since its pages were loaded: comments that arrived (live, or
 * posted here) by parent, and comments edited or deleted here. Lists merge these into the pages
 * they fetched, so nothing is refetched and nothing moves under the reader.
 */
export interface ThreadState {
  /** New comments by parent id ("" for top level), oldest first. */
  added: Record<string, CommentView[]>;
  /**
   * What changed in comments since they were loaded (edits, deletions, reactions; here or live),
   * laid over the loaded version; `hidden` once one leaves its list.
   */
  changed: Record<string, CommentChange>;
  /** Article.commentCount as last reported by the API. */
  commentCount: number;
  /** The last live arrival, for the screen reader's live region. */
  announcement: string;
}

export type CommentChange = Partial<CommentView> & { hidden?: boolean };

export type ThreadAction =
  | { type: "added"; comment: CommentView; parentId: string | null; commentCount: number; live: boolean }
  | { type: "changed"; comment: Partial<CommentView> & { id: string }; hidden?: boolean; commentCount?: number }
  | { type: "event"; kind: CommentEventKind; comment: CommentView; parentId: string | null; commentCount: number };

/**
 * Whether the caller is shown the comment only as a tombstone: deleted, or held from them by the
 * moderators (the API then serves its text as "" and no author; comment text is never empty).
 */
export function isTombstone(comment: Pick<CommentView, "isTombstone">): boolean {
  return comment.isTombstone;
}

function reduce(state: ThreadState, action: ThreadAction): ThreadState {
  switch (action.type) {
    case "event": {
      // commentEvents: each change as this subscriber may see the comment (commentCount is the public's).
      const { kind, comment, parentId, commentCount } = action;
      if (kind === "ADDED") {
        // Visible to this reader now; one published again after a hold also replaces the tombstone shown for it.
        const shown = state.changed[comment.id] ? reduce(state, { type: "changed", comment, hidden: false, commentCount }) : state;
        return reduce(shown, { type: "added", comment, parentId, commentCount, live: true });
      }
      // A tombstone with nothing below it leaves its list, as the API lists it from now on.
      const gone = isTombstone(comment) && comment.replyCount === 0;
      const changed = reduce(state, { type: "changed", comment, hidden: gone, commentCount });
      // Published now: readers who could not see it before get it at the end of its list (a list that holds it already ignores it).
      if (kind === "STATUS_CHANGED" && comment.status === "PUBLISHED") return reduce(changed, { type: "added", comment, parentId, commentCount, live: true });
      return changed;
    }
    case "added": {
      const key = action.parentId ?? "";
      const siblings = state.added[key] ?? [];
      // The subscription also reports the comments posted from this page.
      if (siblings.some((comment) => comment.id === action.comment.id)) return { ...state, commentCount: action.commentCount };
      return {
        ...state,
        added: { ...state.added, [key]: [...siblings, action.comment] },
        commentCount: action.commentCount,
        announcement: action.live ? `New comment by ${action.comment.author?.name ?? "an anonymous reader"}` : state.announcement,
      };
    }
    case "changed": {
      const before = state.changed[action.comment.id];
      return {
        ...state,
        changed: { ...state.changed, [action.comment.id]: { ...before, ...action.comment, hidden: action.hidden ?? before?.hidden } },
        commentCount: action.commentCount ?? state.commentCount,
      };
    }
  }
}

/** Where a permalink points: the linked comment and the ids from its top-level ancestor down to it. */
export interface ThreadTarget {
  commentId: string | null;
  path: string[];
}

interface ThreadContextValue {
  articleId: string;
  state: ThreadState;
  dispatch: Dispatch<ThreadAction>;
  target: ThreadTarget;
}

const ThreadContext = createContext<ThreadContextValue | null>(null);

export function ThreadProvider(props: { articleId: string; commentCount: number; target: ThreadTarget; children: ReactNode }) {
  const [state, dispatch] = useReducer(reduce, { added: {}, changed: {}, commentCount: props.commentCount, announcement: "" });
  const value = useMemo(() => ({ articleId: props.articleId, state, dispatch, target: props.target }), [props.articleId, state, props.target]);
  return <ThreadContext.Provider value={value}>{props.children}</ThreadContext.Provider>;
}

export function useThread(): ThreadContextValue {
  const thread = useContext(ThreadContext);
  if (!thread) throw new Error("useThread outside ThreadProvider");
  return thread;
}

/** The id in this list (the replies of `parentId`, or the top level) on the way to the linked comment. */
export function targetIn(target: ThreadTarget, parentId: string | null): string | null {
  if (parentId === null) return target.path[0] ?? null;
  const at = target.path.indexOf(parentId);
  return at >= 0 ? (target.path[at + 1] ?? null) : null;
}
