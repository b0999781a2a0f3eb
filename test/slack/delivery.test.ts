// Owner notifications go out through the outbox exactly once, whatever Slack does.

import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sign } from "../../src/sandbox/standin/signing.ts";
import { rows } from "../helpers/db-rows.ts";
import {
  GENERAL,
  type Harness,
  outboxSettled,
  PEOPLE,
  quiet,
  startHarness,
} from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import { person } from "../helpers/slack/person.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => stopChecked(h));

const posts = () => h.slack.api.calls.filter((c) => c.method === "chat.postMessage");

/** DMs the bot posted, by outbox id (from message metadata). */
function deliveredByOutboxId(): Map<number, number> {
  const count = new Map<number, number>();
  for (const m of h.slack.ws.messages) {
    const id = (m.metadata?.event_payload as { outbox_id?: number } | undefined)?.outbox_id;
    if (typeof id === "number") count.set(id, (count.get(id) ?? 0) + 1);
  }
  return count;
}

describe("the outbox under Slack faults", () => {
  it("delivers every notification exactly once through 429s, 5xx, timeouts and lost answers", async () => {
    const owner = person(h, "owner");
    h.slack.api.setFaults({
      rate: 0.5,
      kinds: ["rate_limited", "server_error", "timeout", "applied_then_timeout"],
      methods: ["chat.postMessage"],
      retryAfterSeconds: 1,
      timeoutMs: 700,
      seed: 42,
    });
    for (let i = 0; i < 8; i++)
      await h.slack.driver.command(PEOPLE.owner.id, GENERAL, `nickname add n${i} seller`);
    await outboxSettled(h);
    h.slack.api.setFaults(undefined);

    const outbox = rows<{ id: number; status: string }>(
      h.app.store,
      "select id, status from outbox",
    );
    expect(outbox.length).toBe(8);
    expect(outbox.every((r) => r.status === "sent")).toBe(true);
    const delivered = deliveredByOutboxId();
    for (const r of outbox) expect(delivered.get(r.id)).toBe(1);
    // Faults really happened, including lost answers that needed a look-up.
    const faults = h.slack.api.calls.filter((c) => c.fault).map((c) => c.fault);
    expect(faults).toContain("rate_limited");
    expect(faults).toContain("applied_then_timeout");
    expect(h.slack.api.calls.some((c) => c.method === "conversations.history")).toBe(true);
    expect(owner.dms().length).toBe(0);
    expect(person(h, "owner2").dms().length).toBe(8);
  });

  it("honours Retry-After before trying again", async () => {
    h.slack.api.setFaults({
      rate: 1,
      kinds: ["rate_limited"],
      methods: ["chat.postMessage"],
      retryAfterSeconds: 1,
    });
    await h.slack.driver.command(PEOPLE.owner.id, GENERAL, "nickname add slow seller");
    // The first attempt is refused with Retry-After; the next may only come a second later.
    await expect.poll(() => posts().length).toBe(1);
    h.slack.api.setFaults(undefined);
    await outboxSettled(h);
    const [first, second, ...more] = posts();
    expect(first?.fault).toBe("rate_limited");
    expect(second?.ok).toBe(true);
    expect(more).toEqual([]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("stops retrying what Slack refuses for good, once the refusal repeats", async () => {
    await h.slack.driver.command(PEOPLE.owner.id, GENERAL, `role add <@U0GHOST1|ghost> oncall`);
    await outboxSettled(h);
    const failed = rows<{ recipient: string; last_error: string }>(
      h.app.store,
      "select recipient, last_error from outbox where status = 'failed'",
    );
    expect(failed).toEqual([{ recipient: "U0GHOST1", last_error: "channel_not_found" }]);
  });

  it("keeps a send whose answer was lost in doubt, and looks for it instead of sending again", async () => {
    // Slack takes the message but the answer is lost; then the look-ups go unanswered too.
    h.slack.api.setFaults({
      rate: 1,
      kinds: ["applied_then_timeout"],
      methods: ["chat.postMessage", "conversations.history"],
      timeoutMs: 2000,
    });
    await h.slack.driver.command(PEOPLE.owner.id, GENERAL, "nickname add doubtful seller");
    const outbox = () =>
      rows<{ status: string; in_doubt: number; last_error: string | null }>(
        h.app.store,
        "select status, in_doubt, last_error from outbox",
      );
    await expect
      .poll(outbox, { timeout: 10_000 })
      .toEqual([{ status: "pending", in_doubt: 1, last_error: "look-up: no_answer" }]);
    h.slack.api.setFaults(undefined);
    await outboxSettled(h);
    expect(outbox()).toEqual([{ status: "sent", in_doubt: 0, last_error: null }]);
    // Posted once (the call whose answer was lost); found by a look-up, never sent again.
    expect(posts().map((c) => c.fault)).toEqual(["applied_then_timeout"]);
    expect(h.slack.api.calls.some((c) => c.method === "conversations.history" && c.ok)).toBe(true);
    expect([...deliveredByOutboxId().values()]).toEqual([1]);
  });

  it("finishes notifications interrupted by a restart without sending them twice", async () => {
    // Slack takes the message but the answer is lost; the process stops before retrying.
    h.slack.api.setFaults({
      rate: 1,
      kinds: ["applied_then_timeout"],
      methods: ["chat.postMessage"],
      timeoutMs: 2000,
    });
    await h.slack.driver.command(PEOPLE.owner.id, GENERAL, "nickname add interrupted seller");
    await expect.poll(() => posts().some((c) => c.fault === "applied_then_timeout")).toBe(true);
    h.slack.api.setFaults(undefined);
    // While it is down, leave the row as a crash mid-call would: claimed, in flight.
    await h.restart((path) => {
      const db = new Database(path);
      db.prepare("update outbox set status = 'sending'").run();
      db.close();
    });
    await outboxSettled(h);
    const outbox = rows<{ id: number; status: string }>(
      h.app.store,
      "select id, status from outbox",
    );
    expect(outbox.map((r) => r.status)).toEqual(["sent"]);
    expect(deliveredByOutboxId().get(outbox[0]?.id ?? -1)).toBe(1);
    expect(h.logs.some((l) => l.includes("recovered notifications interrupted by a restart"))).toBe(
      true,
    );
  });
});

describe("signed requests", () => {
  const body = new URLSearchParams({
    command: "/apikeys",
    text: "nickname add replayed seller",
    user_id: PEOPLE.owner.id,
    channel_id: GENERAL,
    team_id: "T0SANDBOX",
    trigger_id: "1.2.3",
    response_url: "http://127.0.0.1:1/none",
  }).toString();
  const post = (headers: Record<string, string>, b = body) =>
    fetch(`${h.app.url}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: b,
    });

  it("refuses bad, stale and replayed signatures", async () => {
    const ts = Math.floor(Date.now() / 1000);
    expect(
      (await post({ "x-slack-request-timestamp": String(ts), "x-slack-signature": "v0=00" }))
        .status,
    ).toBe(401);
    const stale = ts - 6 * 60;
    expect(
      (
        await post({
          "x-slack-request-timestamp": String(stale),
          "x-slack-signature": sign("test-signing-secret-0123456789", stale, body),
        })
      ).status,
    ).toBe(401);
    const good = {
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": sign("test-signing-secret-0123456789", ts, body),
    };
    expect((await post(good)).status).toBe(200);
    expect((await post(good)).status).toBe(401);
    await quiet(h);
    expect(rows(h.app.store, "select * from nicknames where nickname = 'replayed'")).toHaveLength(
      1,
    );
    expect(h.logs.some((l) => l.includes("replayed Slack request"))).toBe(true);
    // A restart does not forget what it has seen.
    await h.restart();
    expect((await post(good)).status).toBe(401);
  });
});
