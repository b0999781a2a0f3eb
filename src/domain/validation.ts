// Shapes of the values people type, shared by every way in (commands, modals, the API).
import { z } from "zod";
import { NICKNAME_KINDS } from "./catalog.ts";
import { invalid } from "./errors.ts";

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
  .max(1000, "Keep the reason under 1000 characters.");

/** Parses `value` or throws a DomainError carrying the first message and the field name. */
export function parseField<T>(schema: z.ZodType<T>, value: unknown, field?: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalid(result.error.issues[0]?.message ?? "That value is not valid.", field);
}
