// What Keyward's buttons, menus and modals carry back to it, written once: the builders put
// these shapes in `value` and `private_metadata`, the listeners parse them with the same zod
// schemas. What comes back is untrusted input: anything else is refused, never guessed at.
import { z } from "zod";
import { invalid } from "../../domain/errors.ts";
import { DIGEST_VERBS, KEY_COMMAND_VERBS, KEY_VERBS } from "./ids.ts";

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

// Buttons posted before values were spelled out carried a bare id ("12") or, in the digest,
// {v, t, id}; they still sit in owners' DMs (a pending request's card), so they are still
// understood. Only the shape is old: every click is authorized again as any other.

/** A key: Quick view, Rotate now. */
export const keyValue = z.union([z.object({ keyId: id }), id.transform((keyId) => ({ keyId }))]);
/** A request: Approve, Deny, Reveal key. */
export const requestValue = z.union([
  z.object({ requestId: id }),
  id.transform((requestId) => ({ requestId })),
]);
/** One verb of a key's Actions menu (an overflow option value: at most 75 characters). */
export const keyMenuValue = z.object({ verb: z.enum(KEY_VERBS), keyId: id });
/** Previous and Next of a key list. */
export const keysPageValue = z.object({
  offset: z.number().int().min(0).max(1_000_000),
  text: z.string().max(100),
});
/**
 * Older, in the audit log: the filter as typed and when it was first read (`keyRef` is how
 * buttons made before filters named a key).
 */
export const auditPageValue = z.object({
  beforeId: id,
  text: z.string().max(500).optional(),
  at: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  keyRef: z.string().max(120).optional(),
});
/** A digest button: an action on a key, or reviewing a request. */
export const digestValue = z.union([
  z.discriminatedUnion("verb", [
    z.object({ verb: z.enum(DIGEST_VERBS).exclude(["review"]), keyId: id }),
    z.object({ verb: z.literal("review"), requestId: id }),
  ]),
  z
    .discriminatedUnion("t", [
      z.object({ t: z.literal("key"), v: z.enum(DIGEST_VERBS).exclude(["review"]), id }),
      z.object({ t: z.literal("request"), v: z.literal("review"), id }),
    ])
    .transform((old) =>
      old.t === "key" ? { verb: old.v, keyId: old.id } : { verb: old.v, requestId: old.id },
    ),
]);
/** Remove unused grants: the key as the suggestion saw it, and its window's first day. */
export const unusedGrantsValue = z.object({
  keyId: id,
  version: id,
  since: z.number().int().min(0).max(10_000_000),
});
/** An expiry reminder's buttons and Extend modal: a key or a request's grants, and the date. */
export const expiryValue = z.object({
  subject: z.enum(["key", "grants"]),
  id,
  at: z.number().int().positive().max(8.64e15),
});
/** The lifetime fix: the key as the digest saw it. */
export const lifetimeValue = z.object({ keyId: id, version: id });
/** A key command run on one key: "Did you mean …?" buttons. */
export const keyCommandValue = z.object({ verb: z.enum(KEY_COMMAND_VERBS), keyId: id });
/** The key picker remembers which command it picks a key for. */
export const keyPickMeta = z.object({ verb: z.enum(KEY_COMMAND_VERBS) });
/** A key in the key picker. */
export const keyPickValue = z.object({ keyId: id });

/** The request modal's key picker: a key, or a new one. */
export const keyChoiceValue = z.union([
  z.object({ keyId: id }),
  z.object({ newKey: z.literal(true) }),
]);

/** The key list a key's modal was opened from, so it can be redrawn after the change. */
export const listSource = z.object({
  url: z.string().max(500),
  offset: z.number().int().min(0).max(1_000_000),
  text: z.string().max(100),
});
export type ListSource = z.infer<typeof listSource>;

/** A key's modal remembers which key and the version the person saw (and where it came from). */
export const keyMeta = z.object({ keyId: id, version: id, source: listSource.optional() });
export const keyMetaOf = (key: { id: number; version: number }, source?: ListSource) =>
  encode(keyMeta, { keyId: key.id, version: key.version, ...(source && { source }) });

/** A key list's page, carried in each key's block id so its Actions menu knows the list. */
export const keyBlockPage = keysPageValue;
/** A request's modal (deny, reveal) remembers which request. */
export const requestMeta = requestValue;
/** Modals that remember nothing. */
export const noMeta = z.object({});

/** A value as a builder writes it. */
export const encode = <S extends z.ZodType>(_schema: S, value: z.input<S>): string =>
  JSON.stringify(value);

/** A value as a listener reads it; anything else is refused with `refusal` (under `field`). */
export function decode<S extends z.ZodType>(
  schema: S,
  raw: string | undefined,
  refusal: string,
  field?: string,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(raw || "{}");
  } catch {
    throw invalid(refusal, field);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw invalid(refusal, field);
  return r.data;
}
