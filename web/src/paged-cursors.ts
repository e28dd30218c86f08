import { useCallback, useEffect, useState } from "react";

/** How many items a list holds: `isExact` false when there are more than `count` (a boundedCount). */
export interface ListTotal {
  count: number;
  isExact: boolean;
}

/** What a list gives each of its pages: where the page starts, and how it reports back. */
export interface PageOfList {
  after: string | null;
  /** Only the last page offers a next one; the pages before it have theirs loaded already. */
  isLast: boolean;
  /** Given to the first page only: every page of a connection carries the same count. */
  onTotal?: (count: number, isExact: boolean) => void;
  onMore: (cursor: string) => void;
}

/**
 * A connection shown page after page, as the home page's articles and the search's hits are.
 * Each loaded page asks for the next from its endCursor, so the list keeps the cursors asked for
 * (the first page's is null) and renders one page component per cursor; the total comes from the
 * first page once it has loaded.
 */
export function usePagedCursors(): { total: ListTotal | null; pages: (PageOfList & { key: string })[] } {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [total, setTotal] = useState<ListTotal | null>(null);
  const onTotal = useCallback((count: number, isExact: boolean) => setTotal({ count, isExact }), []);
  // A page scrolled into view may ask again for a cursor already in the list.
  const onMore = (cursor: string) => setCursors((loaded) => (loaded.includes(cursor) ? loaded : [...loaded, cursor]));
  const pages = cursors.map((after, index) => ({
    key: after ?? "first",
    after,
    isLast: index === cursors.length - 1,
    onTotal: index === 0 ? onTotal : undefined,
    onMore,
  }));
  return { total, pages };
}

/**
 * A page's side of `PageOfList.onTotal`: tells the list the connection's count once the page has
 * it (a totalCount, or a boundedCount's count and whether it is exact).
 */
export function useReportedTotal(onTotal: PageOfList["onTotal"], count: number | undefined, isExact = true): void {
  useEffect(() => {
    if (onTotal && count !== undefined) onTotal(count, isExact);
  }, [onTotal, count, isExact]);
}
