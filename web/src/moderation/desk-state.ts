import type { ModerationQueue, QueueCommentFragment } from "../generated/graphql";

export type QueueComment = QueueCommentFragment;

/** The tabs, in the order moderators work them, as the API names the queues. */
export const QUEUES: { queue: ModerationQueue; label: string; hint: string }[] = [
  { queue: "PENDING", label: "Pending", hint: "held by the system or by pre-moderation" },
  { queue: "REPORTED", label: "Reported", hint: "published, reported by readers, not yet seen by a moderator" },
  { queue: "UNMODERATED", label: "Unmoderated", hint: "published, never seen by a moderator, newest first" },
  { queue: "REJECTED", label: "Rejected", hint: "refused by a moderator, newest first" },
  { queue: "APPROVED", label: "Approved", hint: "approved by a moderator, newest first" },
];

/** PENDING and REPORTED list oldest first (worked in order), the others newest first, as the API lists them. */
export function newestFirst(queue: ModerationQueue): boolean {
  return queue !== "PENDING" && queue !== "REPORTED";
}

/** What a moderator does to a comment from the desk. */
export type CommentDecision = "approve" | "reject" | "feature";

/**
 * Whether a comment stays in the queue shown after the moderator's decision. The API's
 * moderationEvents says the same a moment later (LEFT); the desk does not wait for it.
 */
export function staysAfter(queue: ModerationQueue, decision: CommentDecision): boolean {
  if (decision === "approve") return queue === "APPROVED";
  if (decision === "reject") return queue === "REJECTED";
  return queue === "APPROVED" || queue === "PENDING" || queue === "REJECTED";
}

/**
 * One queue as the desk shows it: the pages loaded, then what arrived live (at the end of an
 * oldest-first queue, at the top of a newest-first one), without what left since; and the
 * comment the keyboard acts on.
 */
export interface DeskState {
  queue: ModerationQueue;
  items: QueueComment[];
  endCursor: string | null;
  hasNextPage: boolean;
  loaded: boolean;
  /** Id of the selected comment (j/k move it; a and r act on it); null before there is one. */
  selected: string | null;
}

export type DeskAction =
  | { type: "switched"; queue: ModerationQueue }
  | { type: "page"; queue: ModerationQueue; nodes: QueueComment[]; endCursor: string | null; hasNextPage: boolean }
  | { type: "entered"; queue: ModerationQueue; comment: QueueComment }
  | { type: "left"; queue: ModerationQueue; id: string }
  | { type: "updated"; comment: Partial<QueueComment> & { id: string } }
  | { type: "author"; author: NonNullable<QueueComment["author"]> }
  | { type: "select"; id: string }
  | { type: "move"; by: 1 | -1 };

export function initialDesk(queue: ModerationQueue): DeskState {
  return { queue, items: [], endCursor: null, hasNextPage: false, loaded: false, selected: null };
}

export function reduceDesk(state: DeskState, action: DeskAction): DeskState {
  switch (action.type) {
    case "switched":
      return action.queue === state.queue ? state : initialDesk(action.queue);
    case "page": {
      if (action.queue !== state.queue) return state;
      const known = new Set(state.items.map((item) => item.id));
      const items = [...state.items, ...action.nodes.filter((node) => !known.has(node.id))];
      return { ...state, items, endCursor: action.endCursor, hasNextPage: action.hasNextPage, loaded: true, selected: state.selected ?? items[0]?.id ?? null };
    }
    case "entered": {
      if (action.queue !== state.queue || state.items.some((item) => item.id === action.comment.id)) return state;
      // An oldest-first queue with more pages to load will list the newcomer on its last page.
      if (!newestFirst(state.queue) && state.hasNextPage) return state;
      const items = newestFirst(state.queue) ? [action.comment, ...state.items] : [...state.items, action.comment];
      return { ...state, items, selected: state.selected ?? action.comment.id };
    }
    case "left": {
      if (action.queue !== state.queue) return state;
      const at = state.items.findIndex((item) => item.id === action.id);
      if (at < 0) return state;
      const items = state.items.filter((item) => item.id !== action.id);
      // The selection moves on to the comment that took the place of the one that left.
      const selected = state.selected === action.id ? (items[Math.min(at, items.length - 1)]?.id ?? null) : state.selected;
      return { ...state, items, selected };
    }
    case "updated":
      return { ...state, items: state.items.map((item) => (item.id === action.comment.id ? { ...item, ...action.comment } : item)) };
    case "author":
      return {
        ...state,
        items: state.items.map((item) => (item.author?.id === action.author.id ? { ...item, author: { ...item.author, ...action.author } } : item)),
      };
    case "select":
      return { ...state, selected: action.id };
    case "move": {
      if (state.items.length === 0) return state;
      const at = state.items.findIndex((item) => item.id === state.selected);
      const next = at < 0 ? 0 : Math.min(Math.max(at + action.by, 0), state.items.length - 1);
      return { ...state, selected: state.items[next].id };
    }
  }
}
