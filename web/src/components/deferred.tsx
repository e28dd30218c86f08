import { lazy, Suspense, useEffect, useState } from "react";
import type { CommentFormProps } from "./comment-form";

/**
 * What the first paint does not need, loaded as chunks of their own when first shown: the comment
 * form (only a signed-in reader gets it) and the development sign-in (personal, so never in the
 * HTML the server renders for everyone).
 */
const LazyCommentForm = lazy(() => import("./comment-form").then((module) => ({ default: module.CommentForm })));
const LazySignIn = lazy(() => import("./sign-in").then((module) => ({ default: module.SignIn })));

export function CommentForm(props: CommentFormProps) {
  return (
    <Suspense fallback={<p className="muted">Loading the form…</p>}>
      <LazyCommentForm {...props} />
    </Suspense>
  );
}

/** Shown once the app runs in the browser (after hydration), so the server's HTML and the first render agree. */
export function SignIn() {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  if (!mounted) return null;
  return (
    <Suspense fallback={null}>
      <LazySignIn />
    </Suspense>
  );
}
