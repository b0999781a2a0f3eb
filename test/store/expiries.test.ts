// Expiry reminders on both backends: each stage of each date recorded once with its DMs, also
// when two instances on one database run the job at the same moment; a new date starts
// afresh; grants of a request are reminded to the requester and moved together on Extend.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Ctx } from "../../src/domain/context.ts";
import { extendExpiry, extendOptions } from "../../src/domain/expiry/extend.ts";
import { DAY_MS } from "../../src/domain/expiry/lifetime.ts";
import { dueStage, remindExpiries } from "../../src/domain/expiry/reminders.ts";
import { createKey } from "../../src/domain/keys/create.ts";
import { editKey } from "../../src/domain/keys/edit.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { refusal } from "../../src/domain/permissions.ts";
import { createRequest } from "../../src/domain/requests/create.ts";
import { approveRequest } from "../../src/domain/requests/decide.ts";
import type { Store } from "../../src/store/index.ts";
import { openPgStore } from "../../src/store/pg/index.ts";
import { query } from "../helpers/db-rows.ts";
import { fileDatabase } from "../helpers/pg.ts";
import { BACKENDS, MEMBER, OWNER, TEST_PG, type TestStore, testStore } from "../helpers/store.ts";

const reminders = async (store: Store) =>
  (
    await query<{ recipient: string; payload: string }>(
      store,
      "select recipient, payload from outbox order by id",
    )
  )
    .map((r) => ({ to: r.recipient, n: JSON.parse(r.payload) }))
    .filter((r) => r.n.type === "expiry_reminder");

describe("dueStage", () => {
  const at = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * DAY_MS);
  it("is the nearest stage reached, only if its moment was ahead when the date was set", () => {
    expect(dueStage(at(10), at(0), at(2))).toBeUndefined();
    expect(dueStage(at(10), at(0), at(3.5))).toBe("7d");
    expect(dueStage(at(10), at(0), at(9.5))).toBe("1d");
    expect(dueStage(at(10), at(0), at(10))).toBeUndefined();
    // Set 3 days before: the 7-day moment had passed already.
    expect(dueStage(at(3), at(0), at(1))).toBeUndefined();
    expect(dueStage(at(3), at(0), at(2.5))).toBe("1d");
    // Set exactly 7 days before: that moment is not ahead.
    expect(dueStage(at(7), at(0), at(0.5))).toBeUndefined();
  });
});

describe.each(BACKENDS)("expiry reminders on %s", (backend) => {
  let t: TestStore;
  let other: Store | undefined;
  beforeEach(async () => {
    t = await testStore(backend);
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
  });
  afterEach(async () => {
    await other?.close();
    other = undefined;
    await t.cleanup();
  });

  /** A second instance on the same database (SQLite serves one process: a second run there). */
  async function secondInstance(): Promise<Ctx> {
    if (backend === "sqlite") return t.ctx;
    other = await openPgStore(await fileDatabase(), TEST_PG);
    return { uow: other.uow, clock: t.clock };
  }

  it("sends each stage once, across two instances at once; a new date starts afresh", async () => {
    const now = t.clock.now().getTime();
    const { key } = await createKey(t.ctx, OWNER, {
      name: "Billing",
      keyOwner: MEMBER,
      cells: [{ scope: "acme", api: "analytics" }],
      expiresAt: new Date(now + 10 * DAY_MS),
    });
    expect(await remindExpiries(t.ctx)).toBe(0);
    t.clock.advance(3.5 * DAY_MS);
    const ctx2 = await secondInstance();
    const runs = await Promise.all([remindExpiries(t.ctx), remindExpiries(ctx2)]);
    expect(runs.sort()).toEqual([0, 1]);
    let sent = await reminders(t.store);
    // The key owner and both owners, once each.
    expect(sent.map((r) => r.to).sort()).toEqual([MEMBER, OWNER, "U0OWNER2"].sort());
    expect(sent[0]?.n).toMatchObject({ subject: "key", stage: "7d", key: { id: key.id } });
    expect(await remindExpiries(ctx2)).toBe(0);

    t.clock.advance(6 * DAY_MS);
    expect((await Promise.all([remindExpiries(t.ctx), remindExpiries(ctx2)])).sort()).toEqual([
      0, 1,
    ]);
    sent = await reminders(t.store);
    expect(sent.filter((r) => r.n.stage === "1d")).toHaveLength(3);

    // Extended: the new date is reminded of again, 7 days before it.
    await editKey(t.ctx, OWNER, {
      keyId: key.id,
      expiresAt: new Date(t.clock.now().getTime() + 30 * DAY_MS),
    });
    t.clock.advance(24 * DAY_MS);
    expect(await remindExpiries(t.ctx)).toBe(1);
    const stages = await query<{ stage: string }>(
      t.store,
      "select stage from expiry_reminders where subject = 'key' order by expires_at, stage",
    );
    expect(stages.map((s) => s.stage)).toEqual(["1d", "7d", "7d"]);
  });

  it("reminds the requester of time-bound grants; Extend moves them together", async () => {
    const { key } = await createKey(t.ctx, OWNER, {
      name: "Shared",
      keyOwner: OWNER,
      cells: [],
      expiresAt: null,
    });
    const { request } = await createRequest(t.ctx, MEMBER, {
      keyId: key.id,
      cells: [
        { scope: "acme", api: "analytics" },
        { scope: "acme", api: "products" },
      ],
      duration: "30d",
      reason: "Quarterly reconciliation",
    });
    await approveRequest(t.ctx, OWNER, { requestId: request.id });
    t.clock.advance(23.5 * DAY_MS);
    expect(await remindExpiries(t.ctx)).toBe(1);
    const [r] = await reminders(t.store);
    expect(r?.to).toBe(MEMBER);
    expect(r?.n).toMatchObject({ subject: "grants", requestId: request.id, stage: "7d" });
    expect(r?.n.cells).toHaveLength(2);

    const from = new Date(r?.n.expiresAt);
    await extendExpiry(t.ctx, OWNER, { subject: "grants", id: request.id, from, to: { days: 30 } });
    const ends = await query<{ expires_at: number }>(
      t.store,
      "select expires_at from grants where request_id = ?",
      request.id,
    );
    const until = t.clock.now().getTime() + 30 * DAY_MS;
    expect(ends.map((g) => g.expires_at)).toEqual([until, until]);
    // Nothing more for the old date; the new one is reminded 7 days before it.
    t.clock.advance(6.5 * DAY_MS);
    expect(await remindExpiries(t.ctx)).toBe(0);
    t.clock.advance(17 * DAY_MS);
    expect(await remindExpiries(t.ctx)).toBe(1);
  });

  it("extends access no later than its key's own expiry or the key lifetime; others learn nothing of requests not theirs", async () => {
    const keyEnds = new Date(t.clock.now().getTime() + 40 * DAY_MS);
    const { key } = await createKey(t.ctx, OWNER, {
      name: "Bounded",
      keyOwner: OWNER,
      cells: [],
      expiresAt: keyEnds,
    });
    const { request } = await createRequest(t.ctx, MEMBER, {
      keyId: key.id,
      cells: [{ scope: "acme", api: "analytics" }],
      duration: "7d",
      reason: "A week of reports",
    });
    await approveRequest(t.ctx, OWNER, { requestId: request.id });
    const [grant] = await query<{ expires_at: number }>(
      t.store,
      "select expires_at from grants where request_id = ?",
      request.id,
    );
    const from = new Date(Number(grant?.expires_at));
    const extend = (ctx: Ctx, days: number) =>
      extendExpiry(ctx, OWNER, { subject: "grants", id: request.id, from, to: { days } });
    // 90 days would outlive the key (40 days): refused, under the length picked.
    await expect(extend(t.ctx, 90)).rejects.toMatchObject({
      field: "until",
      message: expect.stringMatching(/^"Bounded" itself expires .*extend the key first\.$/),
    });
    // With a 20-day key lifetime, 30 days is longer than any key may live.
    await expect(
      extendExpiry({ ...t.ctx, maxKeyLifetimeDays: 20 }, OWNER, {
        subject: "grants",
        id: request.id,
        from,
        to: { date: new Date(t.clock.now().getTime() + 30 * DAY_MS) },
      }),
    ).rejects.toMatchObject({
      field: "expires",
      message: expect.stringMatching(/at most 20 days/),
    });
    // The key's own last day, as a date: until the key ends.
    const keyDay = await extendExpiry(t.ctx, OWNER, {
      subject: "grants",
      id: request.id,
      from,
      to: { date: new Date(keyEnds.getTime() + 7 * 60 * 60 * 1000) },
    });
    expect(keyDay.until).toEqual(keyEnds);

    // A member's forged Extend for someone else's request, and for one that does not exist:
    // the same refusal, nothing about the key.
    for (const id of [request.id, request.id + 1000]) {
      await expect(
        extendOptions(t.ctx, "U0STRANGER", { subject: "grants", id, from }),
      ).rejects.toThrow(refusal("extend"));
    }
  });
});
