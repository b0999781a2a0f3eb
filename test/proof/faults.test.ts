// Slack misbehaving: 429s with Retry-After, 5xx, timeouts, answers lost after Slack acted, and
// ok:false refusals, at a set rate on every Web API method. Nothing is lost, nothing is sent
// twice, people are told in words, and no listener throws.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rows } from "../helpers/db-rows.ts";
import { textOf } from "../helpers/slack/finders.ts";
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
// Across every proof: no secret in any outgoing payload, log line or the database file.
afterEach(() => stopChecked(h));

describe("under Slack faults", () => {
  it("delivers every owner notification exactly once and keeps every listener standing", async () => {
    h.slack.api.setFaults({
      rate: 0.3,
      kinds: [
        "rate_limited",
        "server_error",
        "timeout",
        "applied_then_timeout",
        "user_not_found",
        "channel_not_found",
        "expired_trigger_id",
        "hash_conflict",
      ],
      retryAfterSeconds: 1,
      timeoutMs: 600,
      seed: Number(process.env.FAULT_SEED ?? 42),
    });
    const owner = person(h, "owner");
    const member = person(h, "member");
    const answers: number[] = [];
    for (let i = 0; i < 12; i++) {
      answers.push(
        (
          await h.slack.driver.command(
            PEOPLE.owner.id,
            GENERAL,
            `nickname add f${i} ${i % 2 ? "seller" : "affiliate"}`,
          )
        ).status,
      );
    }
    // Opening modals under faults: either the modal opens, or the person is told why not.
    for (let i = 0; i < 6; i++) {
      const before = h.slack.ws.visibleTo(PEOPLE.owner.id, GENERAL).length;
      const r = await h.slack.driver.command(PEOPLE.owner.id, GENERAL, "create");
      answers.push(r.status);
      // Either the modal opens, or the person is told why it did not (in words, not silence).
      const outcome = async () => {
        const opened = h.slack.api.calls.some(
          (c) => c.method === "views.open" && c.args.trigger_id === r.trigger && c.ok,
        );
        const said = h.slack.ws
          .visibleTo(PEOPLE.owner.id, GENERAL)
          .slice(before)
          .map((m) => m.text)
          .join("\n");
        return opened ? "opened" : said;
      };
      await expect
        .poll(outcome, { timeout: 6000 })
        .toMatch(
          /^opened$|Slack (did not let Keyward open that in time|is busy|did not answer)|Slack refused that/,
        );
    }
    await member.run("list");
    h.slack.api.setFaults(undefined);
    await outboxSettled(h);

    expect(answers.every((s) => s === 200)).toBe(true);
    const outbox = rows<{ id: number; status: string }>(
      h.app.store,
      "select id, status from outbox",
    );
    expect(outbox.length).toBeGreaterThanOrEqual(12);
    expect(
      rows(
        h.app.store,
        "select id, status, attempts, last_error from outbox where status != 'sent'",
      ),
    ).toEqual([]);

    const delivered = new Map<number, number>();
    for (const m of h.slack.ws.messages) {
      const id = (m.metadata?.event_payload as { outbox_id?: number } | undefined)?.outbox_id;
      if (typeof id === "number") delivered.set(id, (delivered.get(id) ?? 0) + 1);
    }
    for (const r of outbox) {
      expect(delivered.get(r.id), `outbox row ${r.id}`).toBe(1);
    }
    expect(
      person(h, "owner2")
        .dms()
        .filter((m) => m.text.includes("nickname")),
    ).toHaveLength(12);
    // The faults really happened (which ones depends on the seed).
    const faults = new Set(h.slack.api.calls.map((c) => c.fault).filter(Boolean));
    expect(faults.size).toBeGreaterThanOrEqual(2);
    expect(h.slack.api.calls.filter((c) => c.fault).length).toBeGreaterThanOrEqual(5);
    expect(h.logs.join("\n")).not.toContain("unhandled Slack listener error");
    expect(h.slack.driver.sent.every((s) => (s.answer?.status ?? 0) < 500)).toBe(true);
    void owner;
  });

  it("opens a loading view first when building the modal is slow, so the trigger is not burned", async () => {
    const owner = person(h, "owner");
    await owner.run("nickname add acme seller");
    await owner.run("create");
    await owner.fill("Name", "Slow one");
    await owner.submit();
    await h.slack.driver.close(PEOPLE.owner.id, owner.modal().id);
    // Something holds the database for two seconds (a long job, a backup).
    const busy = h.app.store.uow.run(() => new Promise((r) => setTimeout(r, 2000)));
    const started = Date.now();
    const r = await h.slack.driver.command(PEOPLE.owner.id, GENERAL, "edit Slow one");
    await busy;
    await quiet(h);
    const open = h.slack.api.calls.find(
      (c) => c.method === "views.open" && c.args.trigger_id === r.trigger,
    );
    expect(open?.ok).toBe(true);
    expect((open?.at ?? 0) - started).toBeLessThan(2000);
    expect(String(open?.args.view)).toContain("Loading");
    expect(textOf(owner.modal().view.blocks)).toContain("Editing *Slow one*");
  });
});
