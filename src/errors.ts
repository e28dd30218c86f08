import { GraphQLError } from "graphql";

/** The error codes CONTRACT.md promises; every error a client sees carries one. */
export type ErrorCode = "BAD_USER_INPUT" | "UNAUTHENTICATED" | "NOT_FOUND" | "FORBIDDEN" | "INTERNAL_SERVER_ERROR";

export function userError(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", ...extra } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "NOT_FOUND" } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED" } });
}
