/**
 * FROZEN COPY of src/ingest/comment-alignment.ts as of commit 1a6f118, for the CommentImportKeys migration. Never change it:
 * a migration must do the same on every database it ever runs on, whatever today's code says.
 * Today's code lives in src/ingest/comment-alignment.ts.
 */
import { createHash } from "node:crypto";

/**
 * Text as compared between dumps: NFC, whitespace runs as one space, no outer whitespace. Two
 * scrapes of one page differ in exactly these ways, and no reader would call the results two
 * different comments.
 */
export function normaliseCommentText(text: string): string {
  return text.normalize("NFC").replace(/\s+/gu, " ").trim();
}

/**
 * What identifies an imported comment: a digest of its normalised author name and body as the
 * dump gave them. A digest, not the text, because it is only ever compared, and it keeps a copy
 * of every body out of the table. Changing this rule changes every stored key: it needs a
 * migration that recomputes them, or every comment would look new to the next re-import.
 */
export function commentImportKey(author: string | null, body: string): string {
  const canonical = JSON.stringify([author === null ? null : normaliseCommentText(author), normaliseCommentText(body)]);
  return createHash("sha256").update(canonical).digest("hex");
}
