/**
 * Who may see what, and who may do what: one home for every visibility rule (comment-visibility.ts,
 * author-visibility.ts, each as SQL and as a predicate from one statement: rule.ts) and the rights
 * of callers (auth/caller.ts decides them from the credential).
 */
export { canModerate, requireModerator, requireSignedIn } from "../auth/caller";
export * from "./author-visibility";
export * from "./comment-visibility";
export { ruleHolds, ruleSql } from "./rule";
export type { Rule } from "./rule";
export * from "./viewer";
