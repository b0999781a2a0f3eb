// Keyward itself on PostgreSQL (one instance): a key made through Slack, verified, its change
// delivered to the owners by the outbox worker, its last use written back.
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emptyDatabase, fileDatabase, hasPostgres } from "../helpers/pg.ts";
import { textOf } from "../helpers/slack/finders.ts";
import { type Harness, startHarness, verify } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import { person } from "../helpers/slack/person.ts";

describe.skipIf(!hasPostgres())("Keyward on PostgreSQL", () => {
  let h: Harness;
  let url: string;
  beforeEach(async () => {
    url = await fileDatabase();
    await emptyDatabase(url);
    h = await startHarness({ DATABASE_URL: url });
  });
  afterEach(() => stopChecked(h, { expectSecrets: true }));

  it("creates, verifies, disables and notifies through the PostgreSQL store", async () => {
    expect(h.app.store.backend).toBe("postgres");
    const owner = person(h, "owner");
    const owner2 = person(h, "owner2");
    await owner.run("nickname add acme seller");
    const secret = await owner.createKey("Billing sync", { "Analytics API": ["acme"] });
    expect(await verify(h, { key: secret, nickname: "acme", api: "analytics" })).toMatchObject({
      valid: true,
      allowed: true,
    });
    expect(textOf(owner2.dms().at(-1)?.blocks)).toContain("Billing sync");
    await owner.run("disable Billing sync");
    await owner.submit();
    expect(await verify(h, { key: secret, nickname: "acme", api: "analytics" })).toEqual({
      valid: false,
      reason: "disabled",
    });
    const sent = await h.app.store.uow.run((tx) => tx.outboxQueue.counts(), { quiet: true });
    expect(sent.pending ?? 0).toBe(0);
    expect(sent.sent).toBeGreaterThan(0);
    // Stopping flushes the last use of the key.
    await h.app.stop();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query("select last_used_at from api_keys");
    await c.end();
    expect(rows[0]?.last_used_at).toBeInstanceOf(Date);
  });
});
