import { registerEnumType } from "type-graphql";

/** The moderators' queues (Query.moderationQueue); which comments each holds is the policy's (policy/moderation-queues.ts). */
export enum ModerationQueue {
  PENDING = "PENDING",
  REPORTED = "REPORTED",
  UNMODERATED = "UNMODERATED",
  REJECTED = "REJECTED",
  APPROVED = "APPROVED",
}

registerEnumType(ModerationQueue, {
  name: "ModerationQueue",
  description: "A moderators' queue. Deleted comments are in none.",
  valuesConfig: {
    PENDING: {
      description: "Held for a moderator (status PENDING): pre-moderation, a premoderated reader, flags (AUTO_HOLD_FLAGS), a moderator. Oldest first.",
    },
    REPORTED: { description: "Published, flagged by readers, and not yet approved, rejected or featured by a moderator. Oldest first." },
    UNMODERATED: {
      description: "Readers' published comments that no moderator has approved, rejected or featured yet (the reported ones included). Newest first.",
    },
    REJECTED: { description: "Rejected (status REJECTED). Newest first." },
    APPROVED: { description: "Published and approved or featured by a moderator, or never needing it (imported, staff). Newest first." },
  },
});

export enum ModerationEventKind {
  ENTERED = "ENTERED",
  LEFT = "LEFT",
}

registerEnumType(ModerationEventKind, {
  name: "ModerationEventKind",
  description: "Whether a comment came into a queue or went out of it.",
  valuesConfig: {
    ENTERED: { description: "The comment is now in the queue." },
    LEFT: { description: "The comment is no longer in the queue." },
  },
});

export enum AuthorStatus {
  ACTIVE = "ACTIVE",
  SUSPENDED = "SUSPENDED",
  BANNED = "BANNED",
}

registerEnumType(AuthorStatus, {
  name: "AuthorStatus",
  description: "Whether a reader may write.",
  valuesConfig: {
    ACTIVE: { description: "They may write." },
    SUSPENDED: { description: "Their writes are FORBIDDEN until `until`, then they are ACTIVE again." },
    BANNED: { description: "Their writes are FORBIDDEN until a moderator lifts the ban (unbanAuthor)." },
  },
});
