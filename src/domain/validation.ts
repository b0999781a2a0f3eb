// Shapes of the values people type, shared by every way in (commands, modals, the API).
import { z } from "zod";
import { NICKNAME_KINDS } from "./catalog.ts";
import { DomainError, FieldErrors, invalid, StaleError } from "./errors.ts";

export const keyNameSchema = z
  .string()
  .trim()
  .min(1, "Give the key a name.")
  .max(60, "A key name can be at most 60 characters.")
  .refine((s) => !hasControlCharacters(s), "A key name cannot contain control characters.");

function hasControlCharacters(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export const nicknameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9_-]{1,32}$/,
    "A nickname is 1–32 characters: lowercase letters, digits, _ and -.",
  );

export const nicknameKindSchema = z.enum(NICKNAME_KINDS, {
  error: "The kind must be seller, affiliate or both.",
});

export const userIdSchema = z
  .string()
  .trim()
  .regex(/^[UW][A-Z0-9]{2,20}$/, "That is not a Slack user.");

export const reasonSchema = z
  .string()
  .trim()
  .min(1, "Give a reason.")
  .max(1000, "A reason can be at most 1,000 characters.");

/** Parses `value` or throws a DomainError carrying the first message and the field name. */
export function parseField<T>(schema: z.ZodType<T>, value: unknown, field?: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalid(result.error.issues[0]?.message ?? "That value is not valid.", field);
}

/**
 * Checks every field of a form before refusing any: each check that refuses is kept, and
 * `done()` refuses with all of them together. Only refusals of what was typed are gathered; any
 * other error (not allowed, changed meanwhile) stops at once.
 */
export class Checks {
  private readonly refused: DomainError[] = [];

  async check<T>(f: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await f();
    } catch (e) {
      const typed =
        e instanceof DomainError &&
        !(e instanceof StaleError) &&
        ["invalid", "conflict"].includes(e.code);
      if (!typed) throw e;
      this.refused.push(...(e instanceof FieldErrors ? e.errors : [e as DomainError]));
      return undefined;
    }
  }

  done(): void {
    if (this.refused.length === 1) throw this.refused[0];
    if (this.refused.length > 1) throw new FieldErrors(this.refused);
  }
}
