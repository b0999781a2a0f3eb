// Typed refusals of the domain. `message` is written for the person who acted: it says what
// to do next. `field` names the input at fault so a modal can show it under that field.
import { quote } from "./text.ts";

export type ErrorCode =
  | "invalid"
  | "not_found"
  | "forbidden"
  | "conflict"
  | "stale"
  | "already_decided";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const invalid = (message: string, field?: string) =>
  new DomainError("invalid", message, field);
export const notFound = (message: string, field?: string) =>
  new DomainError("not_found", message, field);
export const forbidden = (message: string) => new DomainError("forbidden", message);
export const conflict = (message: string, field?: string) =>
  new DomainError("conflict", message, field);

/** An update based on a version of the key that someone else has since changed. */
export class StaleError extends DomainError {
  constructor(
    readonly changedBy: string,
    readonly changedAt: Date,
    keyName: string,
  ) {
    super("stale", `"${quote(keyName)}" was changed by someone else after you opened it.`, "name");
  }
}

/**
 * Several refusals of one form at once (each under its own field), so a person fixes them all
 * in one go rather than meeting them one submission at a time.
 */
export class FieldErrors extends DomainError {
  constructor(readonly errors: DomainError[]) {
    super("invalid", errors.map((e) => e.message).join(" "), errors[0]?.field);
  }
}
