import { useCallback, useEffect, useRef, useState } from "react";
import { useClient } from "urql";
import { ArticlePageQuery, CommentRepliesDocument, MoreCommentsDocument } from "../generated/graphql";
import { errorText, plural } from "../format";
import { COMMENTS_PAGE, REPLIES_PAGE, targetIn, useThread } from "../thread-state";
import { CommentItem } from "./comment-item";
import { ErrorAlert } from "./error-alert";

/** A page of a list whose comments bring the first page of their replies (every query asks so). */
type ThreadPage = NonNullable<ArticlePageQuery["article"]>["comments"];
/** The replies that came with a comment of a ThreadPage: their own replies are fetched when shown. */
type ReplyPage = ThreadPage["nodes"][number]["replies"];
export type CommentListPage = ThreadPage | ReplyPage;
type ListNode = ThreadPage["nodes"][number] | ReplyPage["nodes"][number];

export const EMPTY_PAGE: ReplyPage = { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] };

/**
 * One level of the thread: the top-level comments (parentId null) or the replies of one comment.
 * It starts from the page its parent's query brought (or fetches it when none came), pages on with
 * "more", and shows after them what arrived since, minus what a later page already holds.
 */
export function CommentList({ parentId, initial }: { parentId: string | null; initial: CommentListPage | null }) {
  const client = useClient();
  const { articleId, state, target } = useThread();
  const [fetchedFirst, setFetchedFirst] = useState<CommentListPage | null>(null);
  const [more, setMore] = useState<CommentListPage[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Cursors already asked for: a page is fetched once, however many renders or clicks ask for it.
  const requested = useRef(new Set<string | null>());

  const first = initial ?? fetchedFirst;
  const pages = first ? [first, ...more] : [];
  const last = pages[pages.length - 1];
  const nodes: ListNode[] = pages.flatMap((page): ListNode[] => page.nodes);
  const loadedIds = new Set(nodes.map((node) => node.id));
  const arrived = (state.added[parentId ?? ""] ?? []).filter((comment) => !loadedIds.has(comment.id));

  const load = useCallback(
    async (after: string | null) => {
      if (requested.current.has(after)) return;
      requested.current.add(after);
      setLoading(true);
      setError(null);
      const result =
        parentId === null
          ? await client.query(MoreCommentsDocument, { articleId, first: COMMENTS_PAGE, after, repliesFirst: REPLIES_PAGE }).toPromise()
          : await client.query(CommentRepliesDocument, { commentId: parentId, first: REPLIES_PAGE, after, repliesFirst: REPLIES_PAGE }).toPromise();
      setLoading(false);
      if (result.error) {
        requested.current.delete(after);
        setError(errorText(result.error));
        return;
      }
      const data = result.data;
      const page = data && "article" in data ? data.article?.comments : data && "comment" in data ? data.comment?.replies : undefined;
      if (!page) {
        setError("this list is no longer there");
        return;
      }
      if (after === null) setFetchedFirst(page);
      else setMore((pagesSoFar) => [...pagesSoFar, page]);
    },
    [client, articleId, parentId],
  );

  useEffect(() => {
    if (!first) void load(null);
  }, [first, load]);

  // A permalink into this list: page on until the comment on the way to it is here.
  const wanted = targetIn(target, parentId);
  useEffect(() => {
    if (wanted && last && !loading && !error && !loadedIds.has(wanted) && last.pageInfo.hasNextPage) void load(last.pageInfo.endCursor);
  });

  const total = (first?.totalCount ?? 0) + arrived.length;
  const shown = nodes.length + arrived.length;
  const noun = parentId === null ? "comment" : "reply";
  const label = `More ${parentId === null ? "comments" : "replies"} (${plural(Math.max(total - shown, 0), noun, noun === "reply" ? "replies" : "comments")} not shown)`;
  return (
    <>
      {(nodes.length > 0 || arrived.length > 0) && (
        <ol className={parentId === null ? "comment-list" : "comment-list replies"} aria-label={parentId === null ? "Comments" : "Replies"}>
          {nodes.map((node) => (
            <CommentItem key={node.id} comment={node} replies={"replies" in node ? node.replies : null} />
          ))}
          {arrived.map((comment) => (
            <CommentItem key={comment.id} comment={comment} replies={EMPTY_PAGE} />
          ))}
        </ol>
      )}
      {!first && loading && <p className="muted">Loading {parentId === null ? "comments" : "replies"}…</p>}
      <ErrorAlert about={`Could not load ${parentId === null ? "comments" : "replies"}`} message={error} />
      {last?.pageInfo.hasNextPage &&
        (parentId === null && last.pageInfo.endCursor ? (
          // A link to the next page's address (the server renders it, for readers without
          // JavaScript) that loads the page in place when the app runs.
          <a
            role="button"
            className="more"
            aria-disabled={loading || undefined}
            href={`?after=${encodeURIComponent(last.pageInfo.endCursor)}#comments`}
            onClick={(event) => {
              event.preventDefault();
              if (!loading) void load(last.pageInfo.endCursor);
            }}
          >
            {loading ? "Loading…" : label}
          </a>
        ) : (
          <button type="button" className="more" disabled={loading} onClick={() => void load(last.pageInfo.endCursor)}>
            {loading ? "Loading…" : label}
          </button>
        ))}
    </>
  );
}
