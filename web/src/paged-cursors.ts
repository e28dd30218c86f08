import { useState } from "react";

/** What a list gives each of its pages: where the page starts, and how it asks for the next. */
export interface PageOfList {
  after: string | null;
  /** Only the last page offers a next one; the pages before it have theirs loaded already. */
  isLast: boolean;
  onMore: (cursor: string) => void;
}

/**
 * A connection shown page after page, as the home page's articles and the search's hits are.
 * Each loaded page asks for the next from its endCursor, so the list keeps the cursors asked for
 * (the first page's is null) and renders one page component per cursor. The list's count is read
 * by the list itself from the first page's query (the same operation, so urql answers both from
 * one request), in render: the server-rendered page says it too, where no effect runs.
 */
export function usePagedCursors(): (PageOfList & { key: string })[] {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // A page scrolled into view may ask again for a cursor already in the list.
  const onMore = (cursor: string) => setCursors((loaded) => (loaded.includes(cursor) ? loaded : [...loaded, cursor]));
  return cursors.map((after, index) => ({ key: after ?? "first", after, isLast: index === cursors.length - 1, onMore }));
}
