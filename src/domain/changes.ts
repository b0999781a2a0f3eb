// Every change is recorded the same way: an audit event, and a DM to each account owner and
// the key's owner, in the transaction of the change itself.
import type { KeyRef } from "./notices.ts";
import type { NewAuditEvent, Tx } from "./ports.ts";
import type { ApiKey } from "./types.ts";

/** How a notice names a key: never more than this (and never its secret). */
export const keyRef = (k: KeyRef): KeyRef => ({ id: k.id, name: k.name, publicId: k.publicId });

/**
 * Owners and the key owner, less the actor — unless the actor is the only owner, who would
 * otherwise never hear of changes at all.
 */
export async function recipientsFor(
  tx: Tx,
  actor: string,
  extra: ReadonlyArray<string | null | undefined> = [],
): Promise<string[]> {
  const owners = await tx.roles.owners();
  const all = new Set([...owners, ...extra.filter((u): u is string => Boolean(u))]);
  const soleOwner = owners.length === 1 && owners[0] === actor;
  if (!soleOwner) all.delete(actor);
  return [...all];
}

export interface ChangeRecord {
  event: Omit<NewAuditEvent, "at">;
  title: string;
  changes: string[];
  key?: ApiKey | KeyRef | null;
  /** Further people to tell, beyond owners and the key owner. */
  alsoTell?: string[];
  urgent?: boolean;
  incidentLink?: string | null;
  hint?: string | null;
  /** Who gets a Reveal new secret button in their copy (the key owner of a hand-over). */
  revealFor?: string | null;
  /** Several audit events can share one notification. */
  extraEvents?: Array<Omit<NewAuditEvent, "at">>;
}

export async function recordChange(tx: Tx, at: Date, rec: ChangeRecord): Promise<void> {
  for (const e of [rec.event, ...(rec.extraEvents ?? [])]) {
    await tx.audit.append({ ...e, at });
  }
  const key = rec.key ? keyRef(rec.key) : null;
  const keyOwner = rec.key && "keyOwner" in rec.key ? rec.key.keyOwner : null;
  const to = await recipientsFor(tx, rec.event.actor, [keyOwner, ...(rec.alsoTell ?? [])]);
  await tx.outbox.enqueue(
    to.map((recipient) => ({
      kind: "dm" as const,
      recipient,
      notice: {
        type: "change" as const,
        title: rec.title,
        actor: rec.event.actor,
        key,
        changes: rec.changes,
        reason: rec.event.reason ?? null,
        urgent: rec.urgent ?? false,
        incidentLink: rec.incidentLink ?? null,
        hint: rec.hint ?? null,
        revealFor: rec.revealFor ?? null,
      },
    })),
    at,
  );
}
