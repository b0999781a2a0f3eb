// Approve or deny. The first decision wins: decisions run one at a time and each checks the
// request is still pending (and the store's update is guarded by status as well). A request
// that adds a write API is decided by the second owner's approval (rules.ts, the approval
// policy): the first is recorded on the request's row by a compare-and-set on its approvals,
// so of two owners approving at once one is first and the other decides.

import { mayHold } from "../catalog.ts";
import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { conflict, DomainError, forbidden, invalid, notFound } from "../errors.ts";
import { newKeyExpiry } from "../expiry/lifetime.ts";
import { cellKey, describeCell, sortCells } from "../grants.ts";
import { auditKey } from "../keys/describe.ts";
import { freshPublicId, uniqueName } from "../keys/rules.ts";
import { may, requirePermission, roleOf } from "../permissions.ts";
import type { Tx } from "../ports.ts";
import { timeRef, userRef } from "../text.ts";
import type { AccessRequest, ApiKey, Approval, GrantCell, NotGranted } from "../types.ts";
import { parseField, reasonSchema } from "../validation.ts";
import { announceApproval, announceDecision } from "./announce.ts";
import { decisionLines } from "./decision.ts";
import {
  agreedCells,
  alreadyHeld,
  approvalBar,
  approvalRefusal,
  approvalsNeeded,
  expiryFor,
  policyOf,
} from "./rules.ts";

export class AlreadyDecided extends DomainError {
  constructor(readonly request: AccessRequest) {
    super("already_decided", describeDecided(request));
  }
}

function describeDecided(r: AccessRequest): string {
  const who = r.decidedBy ? ` by ${userRef(r.decidedBy)}` : "";
  const when = r.decidedAt ? ` at ${timeRef(r.decidedAt)}` : "";
  const what = {
    approved: "approved",
    denied: "denied",
    expired: "expired",
    cancelled: "cancelled",
    pending: "pending",
  }[r.status];
  return `Request #${r.id} was already ${what}${who}${when}; nothing was changed.`;
}

async function loadPending(
  ctx: Ctx,
  tx: Tx,
  actor: string,
  requestId: number,
): Promise<AccessRequest> {
  await requirePermission(ctx, tx, actor, "decide");
  const r = await tx.requests.byId(requestId);
  if (!r) throw notFound(`There is no request #${requestId}.`);
  if (r.status !== "pending") throw new AlreadyDecided(r);
  return r;
}

async function settle(
  tx: Tx,
  r: AccessRequest,
  d: Parameters<Tx["requests"]["decide"]>[1],
): Promise<void> {
  if (!(await tx.requests.decide(r.id, d))) {
    throw new AlreadyDecided((await tx.requests.byId(r.id)) ?? r);
  }
}

export interface ApproveResult {
  request: AccessRequest;
  granted: GrantCell[];
  notGranted: NotGranted[];
  /** Approvals the request still waits for: 0 when this one decided it. */
  waitingFor: number;
}

/**
 * Approves all the requested cells, or the subset the owner left checked. Where the policy asks
 * for more owners' approvals, this one is recorded and the request stays pending; the last one
 * needed decides, granting what every approving owner ticked. Cells that became impossible
 * meanwhile (a nickname removed) or that the key got meanwhile are not granted; the request
 * records the decision as made: what was granted, until when, what was not and why.
 */
export async function approveRequest(
  ctx: Ctx,
  actor: string,
  input: { requestId: number; cells?: GrantCell[] },
): Promise<ApproveResult> {
  return ctx.uow.run(async (tx) => {
    const r = await loadPending(ctx, tx, actor, input.requestId);
    const bar = approvalBar(r, actor);
    if (bar) throw forbidden(approvalRefusal(r, bar));
    const now = ctx.clock.now();
    // An approval counts only while its owner may still decide: one demoted since does not.
    const standing: Approval[] = [];
    for (const a of r.approvals) if (may(await roleOf(ctx, tx, a.by), "decide")) standing.push(a);
    const asked = new Set(r.cells.map(cellKey));
    const open = agreedCells(r.cells, standing);
    const picked = input.cells ?? open;
    if (picked.some((c) => !asked.has(cellKey(c))))
      throw invalid("Only what was asked for can be approved.");
    if (picked.length === 0)
      throw invalid("Leave at least one permission checked to approve, or deny the request.");
    const pickedKeys = new Set(picked.map(cellKey));
    const approval: Approval = {
      by: actor,
      at: now,
      cells: r.cells.filter((c) => pickedKeys.has(cellKey(c))),
    };
    const approvals = [...standing, approval];
    const agreed = agreedCells(r.cells, approvals);
    if (agreed.length === 0) {
      throw invalid(
        `Nothing you left checked is still open: ${standing.map((a) => userRef(a.by)).join(" and ")} approved only ${open.map(describeCell).join(", ")}. Approve some of that, or deny the request.`,
      );
    }
    const needed = approvalsNeeded(agreed, policyOf(ctx));
    if (approvals.length < needed) {
      await recordApproval(tx, r, approval, needed - approvals.length);
      return {
        request: (await tx.requests.byId(r.id)) as AccessRequest,
        granted: [],
        notGranted: [],
        waitingFor: needed - approvals.length,
      };
    }

    const agreedKeys = new Set(agreed.map(cellKey));
    // Each cell left out, with the first owner who left it unticked (the decider goes unnamed:
    // the decision names them).
    const notGranted: NotGranted[] = r.cells
      .filter((c) => !agreedKeys.has(cellKey(c)))
      .map((c) => {
        const by = approvals.find((a) => !a.cells.some((x) => cellKey(x) === cellKey(c)))?.by;
        return { ...c, why: "declined" as const, ...(by && by !== actor ? { by } : {}) };
      });
    const nicknames = await tx.nicknames.list();
    const possible = agreed.filter((c) => {
      if (c.scope === "*") return true;
      const n = nicknames.find((x) => x.nickname === c.scope);
      const ok = n !== undefined && mayHold(c.api, n.kind);
      if (!ok) notGranted.push({ ...c, why: "unavailable" });
      return ok;
    });
    const expiresAt = expiryFor(r.duration, now);

    let granted: GrantCell[];
    let key: ApiKey;
    if (r.newKey) {
      const name = await uniqueName(tx, r.keyName);
      key = await tx.keys.insert({
        publicId: await freshPublicId(tx),
        name,
        keyOwner: r.requester,
        secretHash: null,
        at: now,
        by: actor,
        expiresAt: newKeyExpiry(ctx, now),
      });
      granted = possible;
    } else {
      const existing = r.keyId === null ? undefined : await tx.keys.byId(r.keyId);
      if (!existing) throw notFound("The key of this request no longer exists.");
      key = existing;
      const current = await tx.grants.forKey(key.id);
      granted = possible.filter((c) => {
        const held = alreadyHeld(c, current, nicknames, now, expiresAt);
        if (held) notGranted.push({ ...c, why: "already_held" });
        return !held;
      });
    }
    const keyId = key.id;
    const decision = { granted, until: expiresAt, notGranted: sortCells(notGranted) };
    const lines = decisionLines(decision, actor);
    const told = [
      ...lines.granted,
      ...(lines.notGranted.length ? ["Not granted:", ...lines.notGranted] : []),
    ];
    // A shorter time-bound grant of a cell granted again is replaced by this one.
    await tx.grants.remove(key.id, granted);
    await tx.grants.add(
      key.id,
      granted.map((c) => ({ ...c, expiresAt, requestId: r.id })),
      now,
      actor,
    );
    if (r.newKey) {
      await recordChange(tx, now, {
        event: {
          actor,
          action: "key.created",
          ...auditKey(key),
          requestId: r.id,
          reason: r.reason,
          diff: {
            after: { name: key.name, keyOwner: r.requester, grants: granted },
            changes: granted.map((c) => `+ ${describeCell(c)}`),
          },
        },
        title: `API key created for request #${r.id}`,
        key,
        changes: [
          `Asked by ${userRef(r.requester)}, the key owner; the secret is shown to them once when they reveal it.`,
          ...told,
        ],
      });
    } else if (granted.length) {
      await tx.keys.update(key.id, key.version, {}, now, actor);
      await recordChange(tx, now, {
        event: {
          actor,
          action: "key.permissions_changed",
          ...auditKey(key),
          requestId: r.id,
          reason: r.reason,
          diff: { changes: granted.map((c) => `+ ${describeCell(c)}`) },
        },
        title: `Access granted on request #${r.id}`,
        key,
        alsoTell: [r.requester],
        changes: [`Asked by ${userRef(r.requester)}.`, ...told],
      });
    }
    await settle(tx, r, {
      status: "approved",
      by: actor,
      at: now,
      reason: null,
      approvedCells: granted,
      grantsExpireAt: expiresAt,
      notGranted: decision.notGranted,
      keyId,
      // One approval is the decider's own; more are the approvals that made it.
      approvals: approvals.length > 1 ? approvals : [],
    });
    await tx.audit.append({
      at: now,
      actor,
      action: "request.approved",
      keyId,
      keyName: r.keyName,
      requestId: r.id,
      reason: r.reason,
      diff: {
        after: {
          granted,
          notGranted: decision.notGranted,
          expiresAt: expiresAt?.toISOString() ?? null,
        },
        changes: [...lines.granted, ...lines.notGranted.map((l) => `not granted: ${l}`)],
      },
    });
    await announceDecision(tx, r.id, r.requester, now);
    return {
      request: (await tx.requests.byId(r.id)) as AccessRequest,
      granted,
      notGranted: decision.notGranted,
      waitingFor: 0,
    };
  });
}

/** An approval that does not decide yet: on the request, in the audit log, on every card. */
async function recordApproval(
  tx: Tx,
  r: AccessRequest,
  approval: Approval,
  missing: number,
): Promise<void> {
  if (!(await tx.requests.addApproval(r.id, r.approvals.length, approval))) {
    const now = await tx.requests.byId(r.id);
    if (now?.status !== "pending") throw new AlreadyDecided(now ?? r);
    throw conflict(
      `Another account owner approved request #${r.id} at the same moment. Look at its card again, then approve.`,
    );
  }
  const left = new Set(approval.cells.map(cellKey));
  const unticked = r.cells.filter((c) => !left.has(cellKey(c)));
  await tx.audit.append({
    at: approval.at,
    actor: approval.by,
    action: "request.approval_recorded",
    keyId: r.keyId,
    keyName: r.keyName,
    requestId: r.id,
    reason: r.reason,
    diff: {
      after: { approved: approval.cells, approvalsMissing: missing },
      changes: [
        ...approval.cells.map((c) => `approved: ${describeCell(c)}`),
        ...unticked.map((c) => `left unticked: ${describeCell(c)}`),
        `waiting for ${missing} more account owner${missing === 1 ? "'s approval" : "s' approvals"}`,
      ],
    },
  });
  await announceApproval(tx, r.id, r.requester, approval.at);
}

export async function denyRequest(
  ctx: Ctx,
  actor: string,
  input: { requestId: number; reason: string },
): Promise<AccessRequest> {
  return ctx.uow.run(async (tx) => {
    const r = await loadPending(ctx, tx, actor, input.requestId);
    const reason = parseField(reasonSchema, input.reason, "reason");
    const now = ctx.clock.now();
    await settle(tx, r, { status: "denied", by: actor, at: now, reason, approvedCells: null });
    await tx.audit.append({
      at: now,
      actor,
      action: "request.denied",
      keyId: r.keyId,
      keyName: r.keyName,
      requestId: r.id,
      reason,
    });
    await announceDecision(tx, r.id, r.requester, now);
    return (await tx.requests.byId(r.id)) as AccessRequest;
  });
}
