import { API_LABELS, type ApiId } from "../catalog.ts";
import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { DomainError, FieldErrors } from "../errors.ts";
import { checkLifetime } from "../expiry/lifetime.ts";
import { describeDiff, diffCells, reachLostWithAllAccounts, validateCells } from "../grants.ts";
import { requirePermission } from "../permissions.ts";
import type { KeyPatch, NewAuditEvent, Tx } from "../ports.ts";
import { quote, timeRef, userRef } from "../text.ts";
import type { ApiKey } from "../types.ts";
import { Checks, parseField, userIdSchema } from "../validation.ts";
import { auditKey } from "./describe.ts";
import { loadKey } from "./load.ts";
import { checkExpiry, uniqueName } from "./rules.ts";
import { applyUpdate, assertFresh } from "./versioning.ts";

export interface EditKeyInput {
  keyId: number;
  /** The version the person saw; a newer one means someone else changed the key meanwhile. */
  expectedVersion?: number;
  name?: string;
  keyOwner?: string;
  /** Undefined leaves it; null clears it. */
  expiresAt?: Date | null;
  /** The complete new permission matrix; cells kept from before keep their expiry. */
  cells?: ReadonlyArray<{ scope: string; api: string }>;
  /**
   * Taking All accounts away from an API is refused with what it would take from which
   * nicknames, until the person has seen that and confirms (`allowReachLoss`).
   */
  allowReachLoss?: boolean;
  /** Why the permissions changed, when Keyward suggested it (audit log and DMs). */
  reason?: string;
}

/** Removing All accounts would take an API away from nicknames; said before it happens. */
export class ReachLoss extends DomainError {}

function reachLossErrors(lost: Map<ApiId, string[]>): DomainError[] {
  return [...lost].map(([api, nicks]) => {
    const names = nicks.slice(0, 5).join(", ");
    const more = nicks.length > 5 ? ` and ${nicks.length - 5} more` : "";
    return new ReachLoss(
      "invalid",
      `Removing All accounts takes ${API_LABELS[api]} away from ${nicks.length} nickname${nicks.length === 1 ? "" : "s"} that have it only through All accounts: ${quote(names)}${more}. Pick those that still need it, or press Save again to take it away.`,
      `permissions.${api}`,
    );
  });
}

export type EditResult = { changed: false; key: ApiKey } | { changed: true; key: ApiKey };

/** Rename, re-own and re-permission a key in one change. Nothing to change: nothing written. */
export async function editKey(ctx: Ctx, actor: string, input: EditKeyInput): Promise<EditResult> {
  return ctx.uow.run((tx) => editKeyIn(ctx, tx, actor, input));
}

/** The same edit inside a transaction a use case already holds (one change, one transaction). */
export async function editKeyIn(
  ctx: Ctx,
  tx: Tx,
  actor: string,
  input: EditKeyInput,
): Promise<EditResult> {
  await requirePermission(ctx, tx, actor, "edit");
  const now = ctx.clock.now();
  const key = await loadKey(tx, input.keyId);
  assertFresh(key, input.expectedVersion);

  // Every field is checked before anything is refused, so all its errors show at once.
  const checks = new Checks();
  const name =
    input.name === undefined
      ? undefined
      : await checks.check(() => uniqueName(tx, input.name as string, key.id));
  const owner =
    input.keyOwner === undefined
      ? undefined
      : await checks.check(() => parseField(userIdSchema, input.keyOwner, "key_owner"));
  const nicknames = await tx.nicknames.list();
  const after =
    input.cells === undefined
      ? undefined
      : await checks.check(() => validateCells(input.cells ?? [], nicknames));
  const expiryChanges =
    input.expiresAt !== undefined &&
    (key.expiresAt?.getTime() ?? null) !== (input.expiresAt?.getTime() ?? null);
  if (expiryChanges && input.expiresAt) {
    const at = input.expiresAt;
    await checks.check(() => checkExpiry(at, now));
  }
  if (expiryChanges) await checks.check(() => checkLifetime(ctx, input.expiresAt ?? null, now));
  checks.done();

  const patch: KeyPatch = {};
  const events: Array<Omit<NewAuditEvent, "at">> = [];
  const lines: string[] = [];

  if (name !== undefined) {
    if (name !== key.name) {
      patch.name = name;
      lines.push(`Renamed from "${quote(key.name)}" to "${quote(name)}"`);
      events.push({
        actor,
        action: "key.renamed",
        ...auditKey(key),
        keyName: name,
        diff: { before: { name: key.name }, after: { name } },
      });
    }
  }
  if (owner !== undefined) {
    if (owner !== key.keyOwner) {
      patch.keyOwner = owner;
      lines.push(`Key owner: ${userRef(key.keyOwner)} → ${userRef(owner)}`);
      events.push({
        actor,
        action: "key.owner_changed",
        ...auditKey(key),
        diff: { before: { keyOwner: key.keyOwner }, after: { keyOwner: owner } },
      });
    }
  }

  if (input.expiresAt !== undefined) {
    if (expiryChanges) {
      patch.expiresAt = input.expiresAt;
      const show = (d: Date | null) => (d ? timeRef(d) : "never");
      lines.push(`Expires: ${show(key.expiresAt)} → ${show(input.expiresAt)}`);
      events.push({
        actor,
        action: "key.expiry_changed",
        ...auditKey(key),
        diff: {
          before: { expiresAt: key.expiresAt?.toISOString() ?? null },
          after: { expiresAt: input.expiresAt?.toISOString() ?? null },
        },
      });
    }
  }

  const before = await tx.grants.forKey(key.id);
  if (after !== undefined && !input.allowReachLoss) {
    const warnings = reachLossErrors(reachLostWithAllAccounts(before, after, nicknames, now));
    if (warnings.length === 1) throw warnings[0];
    if (warnings.length > 1) throw new FieldErrors(warnings);
  }
  let grantDiff: ReturnType<typeof diffCells> = { added: [], removed: [] };
  if (after !== undefined) {
    const d = diffCells(before, after);
    grantDiff = d;
    if (d.added.length || d.removed.length) {
      const changes = describeDiff(d.added, d.removed);
      lines.push(...changes);
      events.push({
        actor,
        action: "key.permissions_changed",
        ...auditKey(key),
        reason: input.reason ?? null,
        diff: { before: before.map(({ scope, api }) => ({ scope, api })), after, changes },
      });
    }
  }

  if (events.length === 0) return { changed: false, key };

  await applyUpdate(tx, key, patch, now, actor);
  await tx.grants.remove(key.id, grantDiff.removed);
  // Cells kept from before keep their expiry; new ones are permanent.
  await tx.grants.add(
    key.id,
    grantDiff.added.map((c) => ({ ...c, expiresAt: null, requestId: null })),
    now,
    actor,
  );
  const updated = await loadKey(tx, key.id);
  const [first, ...rest] = events as [Omit<NewAuditEvent, "at">, ...Omit<NewAuditEvent, "at">[]];
  await recordChange(tx, now, {
    event: first,
    extraEvents: rest,
    title: "API key edited",
    key: { ...updated, keyOwner: key.keyOwner },
    alsoTell: patch.keyOwner ? [patch.keyOwner] : [],
    changes: lines,
  });
  return { changed: true, key: updated };
}
