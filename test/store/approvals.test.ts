// The approval policy's storage on both backends: approvals kept on the request's row with
// their times, added by compare-and-set; escalation recorded once. And the use cases on them:
// of two owners approving at once exactly one decides, also from two PostgreSQL instances.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Ctx } from "../../src/domain/context.ts";
import { DomainError } from "../../src/domain/errors.ts";
import { createKey } from "../../src/domain/keys/create.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { createRequest } from "../../src/domain/requests/create.ts";
import { approveRequest } from "../../src/domain/requests/decide.ts";
import { escalateRequests } from "../../src/domain/requests/escalate.ts";
import { addRole } from "../../src/domain/roles/add.ts";
import { removeRole } from "../../src/domain/roles/remove.ts";
import type { AccessRequest, Approval } from "../../src/domain/types.ts";
import { openPgStore, type PgStore } from "../../src/store/pg/index.ts";
import { HOUR } from "../helpers/clock.ts";
import { query } from "../helpers/db-rows.ts";
import {
  BACKENDS,
  MEMBER,
  ONCALL,
  OWNER,
  OWNER2,
  TEST_PG,
  type TestStore,
  testStore,
} from "../helpers/store.ts";

const OWNER3 = "U0OWNER3";

describe.each(BACKENDS)("approvals on %s", (backend) => {
  let t: TestStore;
  /** Another instance on the same database (PostgreSQL), or the same store (SQLite). */
  let other: Ctx;
  let second: PgStore | undefined;

  beforeEach(async () => {
    t = await testStore(backend);
    if (backend === "postgres") {
      second = await openPgStore((t.store as PgStore).url, TEST_PG);
      other = { uow: second.uow, clock: t.clock };
    } else other = t.ctx;
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    await addRole(t.ctx, OWNER, { userId: OWNER3, role: "owner" });
    await addRole(t.ctx, OWNER, { userId: ONCALL, role: "oncall" });
  });
  afterEach(async () => {
    await second?.close();
    second = undefined;
    await t.cleanup();
  });

  async function writeRequest(): Promise<AccessRequest> {
    const { key } = await createKey(t.ctx, OWNER, {
      name: `K${Math.random()}`,
      keyOwner: MEMBER,
      cells: [],
      expiresAt: null,
    });
    const { request } = await createRequest(t.ctx, MEMBER, {
      keyId: key.id,
      cells: [
        { scope: "acme", api: "orders:write" },
        { scope: "acme", api: "analytics" },
      ],
      duration: "1d",
      reason: "refunds for support",
    });
    return request;
  }

  it("keeps approvals with their times, added only on the count the writer saw", async () => {
    const r = await writeRequest();
    const at = t.clock.now();
    const a: Approval = { by: OWNER, at, cells: [{ scope: "acme", api: "orders:write" }] };
    const stored = await t.store.uow.run(async (tx) => {
      expect(await tx.requests.addApproval(r.id, 1, a)).toBe(false);
      expect(await tx.requests.addApproval(r.id, 0, a)).toBe(true);
      // Someone who read the request before that approval cannot add theirs over it.
      expect(await tx.requests.addApproval(r.id, 0, { ...a, by: OWNER2 })).toBe(false);
      return tx.requests.byId(r.id);
    });
    expect(stored?.approvals).toEqual([a]);
    expect(stored?.approvals[0]?.at).toBeInstanceOf(Date);
    expect(stored?.status).toBe("pending");
    const listed = await t.store.uow.run((tx) => tx.requests.list({ status: "pending", limit: 5 }));
    expect(listed.find((x) => x.id === r.id)?.approvals).toEqual([a]);
    // Not on a decided request.
    await t.store.uow.run(async (tx) => {
      await tx.requests.decide(r.id, {
        status: "denied",
        by: OWNER2,
        at,
        reason: "no",
        approvedCells: null,
      });
      expect(await tx.requests.addApproval(r.id, 1, { ...a, by: OWNER3 })).toBe(false);
    });
  });

  it("decides on the second owner's approval, granting what both ticked", async () => {
    const r = await writeRequest();
    const first = await approveRequest(t.ctx, OWNER, {
      requestId: r.id,
      cells: [{ scope: "acme", api: "orders:write" }],
    });
    expect(first.waitingFor).toBe(1);
    expect(first.request.status).toBe("pending");
    await expect(approveRequest(other, OWNER, { requestId: r.id })).rejects.toThrow(
      /^You cannot approve request #\d+ twice/,
    );
    await expect(approveRequest(other, MEMBER, { requestId: r.id })).rejects.toThrow(
      /^Only account owners can decide access requests/,
    );
    // A later owner only narrows what the first approved.
    await expect(
      approveRequest(other, OWNER3, {
        requestId: r.id,
        cells: [{ scope: "acme", api: "analytics" }],
      }),
    ).rejects.toThrow(/^Nothing you left checked is still open: .* approved only Orders/);
    const done = await approveRequest(other, OWNER2, { requestId: r.id });
    expect(done.waitingFor).toBe(0);
    expect(done.granted).toEqual([{ scope: "acme", api: "orders:write" }]);
    expect(done.notGranted).toEqual([
      { scope: "acme", api: "analytics", why: "declined", by: OWNER },
    ]);
    expect(done.request.approvals.map((a) => a.by)).toEqual([OWNER, OWNER2]);
    expect(done.request.decidedBy).toBe(OWNER2);
  });

  it("stops counting an approval once its owner is no longer an owner", async () => {
    const r = await writeRequest();
    await approveRequest(t.ctx, OWNER3, { requestId: r.id });
    const cardUpdates = async () =>
      (
        await query(
          t.store,
          "select id from outbox where request_id = ? and kind = 'card_update'",
          r.id,
        )
      ).length;
    const before = await cardUpdates();
    await removeRole(t.ctx, OWNER, { userId: OWNER3 });
    // Taken off the request, and every card redrawn without it.
    const lapsed = await t.store.uow.run((tx) => tx.requests.byId(r.id));
    expect(lapsed?.approvals).toEqual([]);
    expect(await cardUpdates()).toBe(before + 1);
    // OWNER3's approval lapsed with their role: OWNER2's is the first that counts.
    const second = await approveRequest(other, OWNER2, { requestId: r.id });
    expect(second.waitingFor).toBe(1);
    expect(second.request.status).toBe("pending");
    expect(await query(t.store, "select id from grants where request_id = ?", r.id)).toHaveLength(
      0,
    );
    const done = await approveRequest(t.ctx, OWNER, { requestId: r.id });
    expect(done.waitingFor).toBe(0);
    expect(done.request.approvals.map((a) => a.by)).toEqual([OWNER2, OWNER]);
  });

  it("lapses an owner's approval when they become on-call; a decision ignores any approval whose owner may no longer decide", async () => {
    const r = await writeRequest();
    await approveRequest(t.ctx, OWNER3, { requestId: r.id });
    await addRole(t.ctx, OWNER, { userId: OWNER3, role: "oncall" });
    expect((await t.store.uow.run((tx) => tx.requests.byId(r.id)))?.approvals).toEqual([]);
    // Made owner again: the old approval does not come back.
    await addRole(t.ctx, OWNER, { userId: OWNER3, role: "owner" });
    expect((await approveRequest(t.ctx, OWNER2, { requestId: r.id })).waitingFor).toBe(1);

    // A role changed behind the use cases' back (straight in the table): the decision itself
    // still counts only approvals of owners.
    const r2 = await writeRequest();
    await approveRequest(t.ctx, OWNER3, { requestId: r2.id });
    await t.store.uow.run((tx) => tx.roles.set(OWNER3, "oncall", t.clock.now(), OWNER));
    const second = await approveRequest(other, OWNER2, { requestId: r2.id });
    expect(second.waitingFor).toBe(1);
    expect(second.request.status).toBe("pending");
  });

  it("lets exactly one of two simultaneous second approvals decide", async () => {
    for (let round = 0; round < 3; round++) {
      const r = await writeRequest();
      await approveRequest(t.ctx, OWNER, { requestId: r.id });
      const results = await Promise.allSettled([
        approveRequest(t.ctx, OWNER2, { requestId: r.id }),
        approveRequest(other, OWNER3, { requestId: r.id }),
      ]);
      const won = results.filter((x) => x.status === "fulfilled");
      const lost = results.flatMap((x) => (x.status === "rejected" ? [x.reason] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(DomainError);
      expect((lost[0] as DomainError).code).toBe("already_decided");
      const decided = await query(
        t.store,
        "select id from audit_events where request_id = ? and action = 'request.approved'",
        r.id,
      );
      expect(decided).toHaveLength(1);
      const grants = await query(t.store, "select * from grants where request_id = ?", r.id);
      expect(grants).toHaveLength(2);
    }
  });

  it("records one first approval when two owners approve a fresh request at once", async () => {
    const r = await writeRequest();
    const results = await Promise.allSettled([
      approveRequest(t.ctx, OWNER, { requestId: r.id }),
      approveRequest(other, OWNER2, { requestId: r.id }),
    ]);
    expect(results.map((x) => x.status)).toEqual(["fulfilled", "fulfilled"]);
    const actions = await query<{ action: string }>(
      t.store,
      "select action from audit_events where request_id = ? and action like 'request.approv%' order by id",
      r.id,
    );
    expect(actions.map((a) => a.action)).toEqual(["request.approval_recorded", "request.approved"]);
  });

  it("escalates a waiting request once, also when two instances run the job at once", async () => {
    const r = await writeRequest();
    const policy = { writeApprovals: 2, escalateAfterHours: 24 };
    const a = { ...t.ctx, approvals: policy };
    const b = { ...other, approvals: policy };
    t.clock.advance(23 * HOUR);
    expect(await escalateRequests(a)).toBe(0);
    t.clock.advance(2 * HOUR);
    const counts = await Promise.all([escalateRequests(a), escalateRequests(b)]);
    expect(counts.sort()).toEqual([0, 1]);
    expect(await escalateRequests(b)).toBe(0);
    const sent = await query<{ recipient: string }>(
      t.store,
      "select recipient from outbox where request_id = ? and kind = 'dm' and recipient = ?",
      r.id,
      ONCALL,
    );
    // The one on-call engineer: one DM (their escalation), beside nothing else of this request.
    expect(sent).toHaveLength(1);
    const row = await t.store.uow.run((tx) => tx.requests.byId(r.id));
    expect(row?.escalatedAt).toEqual(t.clock.now());
    expect(
      await query(
        t.store,
        "select id from audit_events where request_id = ? and action = 'request.escalated'",
        r.id,
      ),
    ).toHaveLength(1);
    // Never when it is off.
    const off = await writeRequest();
    t.clock.advance(48 * HOUR);
    expect(
      await escalateRequests({ ...t.ctx, approvals: { ...policy, escalateAfterHours: 0 } }),
    ).toBe(0);
    expect((await t.store.uow.run((tx) => tx.requests.byId(off.id)))?.escalatedAt).toBeNull();
  });
});
