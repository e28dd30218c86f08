/**
 * The moderation history: one moderation_action row per thing done to a comment, or per sanction
 * on an author, in the transaction that does it.
 */
import { EntityManager } from "typeorm";
import type { Caller } from "../auth/caller";
import { CommentStatus, ModerationAction, ModerationActionKind } from "../entities";
import { Role } from "../entities";

/** One action: on a comment (commentId), or a sanction on an author (authorId). */
export type ActionRecord = { action: ModerationActionKind; status?: CommentStatus | null; reason?: string | null; until?: Date | null } & (
  { commentId: number; authorId?: undefined } | { authorId: number; commentId?: undefined }
);

/** Writes one action; `actor` null for what the flags did on their own (AUTO_HOLD). */
export async function recordAction(manager: EntityManager, actor: Caller | null, at: Date, record: ActionRecord): Promise<void> {
  const reader = actor?.kind === "reader" ? actor : null;
  await manager.insert(ModerationAction, {
    commentId: record.commentId ?? null,
    authorId: record.authorId ?? null,
    action: record.action,
    status: record.status ?? null,
    reason: record.reason ?? null,
    until: record.until ?? null,
    actorRole: actor === null ? null : actor.kind === "service" ? Role.SERVICE : Role.MODERATOR,
    actorName: reader?.name ?? null,
    actorSub: reader?.sub ?? null,
    createdAt: at,
  });
}
