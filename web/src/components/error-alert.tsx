/**
 * A failure the reader must hear of: announced by screen readers as it appears (role="alert"), and
 * nothing at all while there is none. `about` says what failed ("Could not load the queue").
 */
export function ErrorAlert({ message, about }: { message: string | null | undefined; about?: string }) {
  if (!message) return null;
  return (
    <p className="error" role="alert">
      {about ? `${about}: ${message}` : message}
    </p>
  );
}
