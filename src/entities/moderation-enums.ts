import { registerEnumType } from "type-graphql";

export enum CommentStatus {
  PUBLISHED = "PUBLISHED",
  PENDING = "PENDING",
  REJECTED = "REJECTED",
}

registerEnumType(CommentStatus, {
  name: "CommentStatus",
  description: "Where a comment stands with the moderators. Only PUBLISHED comments are shown to the public and counted.",
  valuesConfig: {
    PUBLISHED: { description: "Shown to everyone, and counted in commentCount, replyCount and Author.commentCount." },
    PENDING: {
      description:
        "Waiting for a moderator: posted under pre-moderation, put on hold by AUTO_HOLD_FLAGS flags, or set by a moderator. " +
        "Shown to its author and to moderators only (a tombstone to anyone else, with status null), and counted nowhere.",
    },
    REJECTED: {
      description: "Refused by a moderator. Shown to its author and to moderators only (a tombstone to anyone else, with status null), and counted nowhere.",
    },
  },
});

export enum ModerationMode {
  PRE = "PRE",
  POST = "POST",
}

registerEnumType(ModerationMode, {
  name: "ModerationMode",
  description: "When readers' comments on an article are published.",
  valuesConfig: {
    PRE: { description: "Readers' new comments are PENDING until a moderator publishes them (moderators' and the service token's are PUBLISHED)." },
    POST: { description: "New comments are PUBLISHED at once; moderators act afterwards." },
  },
});

export enum FlagReason {
  SPAM = "SPAM",
  ABUSE = "ABUSE",
  OFF_TOPIC = "OFF_TOPIC",
  OTHER = "OTHER",
}

registerEnumType(FlagReason, {
  name: "FlagReason",
  description: "Why a reader flags a comment.",
  valuesConfig: {
    SPAM: { description: "Advertising or repeated junk." },
    ABUSE: { description: "Insults, harassment or hate." },
    OFF_TOPIC: { description: "Not about the article or the discussion." },
    OTHER: { description: "Anything else; say what in the note." },
  },
});

export enum ModerationActionKind {
  SET_STATUS = "SET_STATUS",
  AUTO_HOLD = "AUTO_HOLD",
  EDIT = "EDIT",
  DELETE = "DELETE",
  FEATURE = "FEATURE",
  UNFEATURE = "UNFEATURE",
  BAN = "BAN",
  UNBAN = "UNBAN",
  SUSPEND = "SUSPEND",
  PREMODERATE = "PREMODERATE",
  UNPREMODERATE = "UNPREMODERATE",
  AUTO_REJECT = "AUTO_REJECT",
}

registerEnumType(ModerationActionKind, {
  name: "ModerationActionKind",
  description: "What was done to a comment, in its moderation history, or to a reader (a sanction), in theirs.",
  valuesConfig: {
    SET_STATUS: { description: "A moderator (or the service token) set its status with setCommentStatus; status says to what." },
    AUTO_HOLD: {
      description:
        "Put on hold (status PENDING) with no actor: by the flag that brought flagCount to AUTO_HOLD_FLAGS, or, as a reader posted or edited it, " +
        "by a word on the suspect list or a link (PREMODERATE_LINKS); reason says which.",
    },
    EDIT: { description: "A moderator or the service token replaced its text with editComment." },
    DELETE: { description: "A moderator or the service token deleted it with deleteComment." },
    FEATURE: { description: "featureComment put it among its article's featuredComments." },
    UNFEATURE: { description: "unfeatureComment took it out of its article's featuredComments." },
    BAN: { description: "banAuthor: the reader may no longer write, until unbanAuthor." },
    UNBAN: { description: "unbanAuthor lifted a ban or a suspension." },
    SUSPEND: { description: "suspendAuthor: the reader may not write until `until`." },
    PREMODERATE: { description: "setAuthorPremoderation(on: true): the reader's new comments wait for a moderator." },
    UNPREMODERATE: { description: "setAuthorPremoderation(on: false): the reader's new comments are published as the article's mode says." },
    AUTO_REJECT: { description: "Rejected (status REJECTED) as a reader posted or edited it, for a word on the banned list; reason says which; no actor." },
  },
});

/** What a caller may do: the GraphQL enum, and the type of the roles the rights code (auth/caller.ts) gives. */
export const Role = { COMMENTER: "COMMENTER", MODERATOR: "MODERATOR", SERVICE: "SERVICE" } as const;
export type Role = (typeof Role)[keyof typeof Role];

registerEnumType(Role, {
  name: "Role",
  description: "What a caller may do.",
  valuesConfig: {
    COMMENTER: {
      description:
        'A signed-in reader (JWT role claim "commenter", or none): posts as themself, edits and deletes their own comments within the edit window, flags comments.',
    },
    MODERATOR: {
      description: 'A signed-in reader with role claim "moderator": a commenter\'s rights, plus every comment and status, and the moderation tools.',
    },
    SERVICE: { description: "The service token (API_TOKEN): every moderator right, imports, and posting under any authorName." },
  },
});
