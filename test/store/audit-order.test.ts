// Audit ids grow in commit order on PostgreSQL too, so a reader polling "after the last id I
// saw" (the audit API) never skips an event that commits after a later-numbered one.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/domain/types.ts";
import { hasPostgres } from "../helpers/pg.ts";
import { OWNER, type TestStore, testStore } from "../helpers/store.ts";

describe.skipIf(!hasPostgres())("audit ids on PostgreSQL", () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore("postgres");
  });
  afterEach(() => t.cleanup());

  const append = (subject: string) => ({
    at: t.clock.now(),
    actor: OWNER,
    action: "nickname.added" as const,
    subject,
  });
  const after = (id: number) =>
    t.store.uow.run((tx) => tx.audit.after({ afterId: id, limit: 100 }), { quiet: true });
  const last = (events: AuditEvent[]) => events[events.length - 1]?.id ?? 0;

  it("are given at commit: a poller never moves past an event still to commit", async () => {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let appended = () => {};
    const started = new Promise<void>((r) => {
      appended = r;
    });
    // The slow transaction appends first, then waits before committing.
    const slow = t.store.uow.run(async (tx) => {
      await tx.audit.append(append("slow"));
      appended();
      await held;
    });
    await started;
    await t.store.uow.run((tx) => tx.audit.append(append("quick")));

    const cursor = last(await after(0));
    const seen = (await after(0)).map((e) => e.subject);
    expect(seen).toContain("quick");
    expect(seen).not.toContain("slow");

    release();
    await slow;
    // Polling on from the cursor finds the event that committed later.
    expect((await after(cursor)).map((e) => e.subject)).toEqual(["slow"]);
  });

  it("keep the order of one transaction's events, however many", async () => {
    await t.store.uow.run(async (tx) => {
      for (let i = 0; i < 2500; i++) await tx.audit.append(append(`n${i}`));
    });
    const events = await t.store.uow.run((tx) => tx.audit.after({ afterId: 0, limit: 3000 }));
    const ours = events.filter((e) => e.subject?.startsWith("n"));
    expect(ours.map((e) => e.subject)).toEqual(Array.from({ length: 2500 }, (_, i) => `n${i}`));
  });
});
