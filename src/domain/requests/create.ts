import { recipientsFor } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { conflict, invalid, notFound } from "../errors.ts";
import { cellKey, describeCell, validateCells } from "../grants.ts";
import { uniqueName } from "../keys/rules.ts";
import { roleOf } from "../permissions.ts";
import { quote } from "../text.ts";
import type { AccessRequest, GrantCell, RequestDuration } from "../types.ts";
import { Checks, parseField } from "../validation.ts";
import {
  alreadyHeld,
  durationSchema,
  expiryFor,
  REQUEST_TTL_MS,
  requestReasonSchema,
} from "./rules.ts";

export const PICK_A_KEY = "Pick a key, or “A new key”.";

export interface CreateRequestInput {
  /** An existing key, or null for a new one (then `newKeyName`); undefined when none was picked. */
  keyId: number | null | undefined;
  newKeyName?: string;
  cells: ReadonlyArray<{ scope: string; api: string }>;
  duration: string;
  reason: string;
}

/**
 * Anyone may ask. Cells the key already has are dropped; asking for nothing new is refused.
 * Every owner gets an Approve/Deny card (the requester too only if they are the only owner).
 */
export async function createRequest(
  ctx: Ctx,
  actor: string,
  input: CreateRequestInput,
): Promise<{ request: AccessRequest; dropped: string[] }> {
  return ctx.uow.run(async (tx) => {
    await roleOf(ctx, tx, actor);
    const now = ctx.clock.now();
    // Every field is checked before anything is refused, so all its errors show at once.
    const checks = new Checks();
    const keyId = input.keyId;
    if (keyId === undefined) await checks.check(() => Promise.reject(invalid(PICK_A_KEY, "key")));
    const newName =
      keyId === null ? await checks.check(() => uniqueName(tx, input.newKeyName ?? "")) : "";
    const nicknames = await tx.nicknames.list();
    const asked = await checks.check(() => {
      const valid = validateCells(input.cells, nicknames);
      if (valid.length === 0)
        throw invalid("Pick at least one API for at least one nickname.", "permissions");
      return valid;
    });
    const duration = await checks.check(() =>
      parseField(durationSchema, input.duration, "duration"),
    );
    const reason = await checks.check(() =>
      parseField(requestReasonSchema, input.reason, "reason"),
    );
    checks.done();
    let cells = asked as GrantCell[];
    const target = keyId ?? null;

    let keyName: string;
    let dropped: string[] = [];
    if (target === null) {
      keyName = newName as string;
    } else {
      const key = await tx.keys.byId(target);
      if (!key) throw notFound("That key no longer exists.", "key");
      keyName = key.name;
      const grants = await tx.grants.forKey(key.id);
      const until = expiryFor(duration as RequestDuration, now);
      const held = cells.filter((c) => alreadyHeld(c, grants, nicknames, now, until));
      cells = cells.filter((c) => !held.includes(c));
      dropped = held.map(describeCell);
      if (cells.length === 0) {
        throw invalid(`"${quote(key.name)}" already has everything you asked for.`, "permissions");
      }
    }
    const same = (await tx.requests.list({ requester: actor, status: "pending", limit: 100 })).find(
      (r) =>
        r.keyId === target &&
        (target !== null || r.keyName.toLowerCase() === keyName.toLowerCase()) &&
        r.cells.map(cellKey).sort().join() === cells.map(cellKey).sort().join(),
    );
    if (same)
      throw conflict(
        `You already asked for exactly this (request #${same.id}); it is waiting for an owner.`,
        "permissions",
      );

    const request = await tx.requests.insert({
      requester: actor,
      keyId: target,
      keyName,
      newKey: target === null,
      cells,
      duration: duration as RequestDuration,
      reason: reason as string,
      status: "pending",
      createdAt: now,
      expiresAt: new Date(now.getTime() + REQUEST_TTL_MS),
      remindedAt: null,
      decidedBy: null,
      decidedAt: null,
      decisionReason: null,
      approvedCells: null,
      grantsExpireAt: null,
      notGranted: null,
      revealedAt: null,
      approvals: [],
      escalatedAt: null,
    });
    await tx.audit.append({
      at: now,
      actor,
      action: "request.created",
      keyId: target,
      keyName,
      requestId: request.id,
      reason,
      diff: {
        after: { cells, duration, newKey: target === null },
        changes: cells.map((c) => `+ ${describeCell(c)}`),
      },
    });
    // Every owner but the requester (unless they are the only one, who must decide).
    await tx.outbox.enqueue(
      (await recipientsFor(tx, actor)).map((recipient) => ({
        kind: "dm" as const,
        recipient,
        requestId: request.id,
        notice: { type: "request_card" as const, requestId: request.id },
      })),
      now,
    );
    return { request, dropped };
  });
}
