// Replays: Bolt alone accepts a correctly signed request again within its 5-minute window;
// Keyward refuses the signature, and applies a modal submission at most once even when it
// arrives again freshly signed.
import { afterEach, beforeEach, expect, it } from "vitest";
import { sign } from "../../src/sandbox/standin/signing.ts";
import { rows } from "../helpers/db-rows.ts";
import { textOf } from "../helpers/slack/finders.ts";
import { type Harness, PEOPLE, SIGNING_SECRET, startHarness } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import { person } from "../helpers/slack/person.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
// Across every proof: no secret in any outgoing payload, log line or the database file.
afterEach(() => stopChecked(h));

it("refuses a replayed signature, and applies a re-signed copy of a submission at most once", async () => {
  const owner = person(h, "owner");
  await owner.run("create");
  await owner.fill("Name", "Once");
  await owner.submit();
  const original = h.slack.driver.sent.filter((s) => s.kind === "view_submission").at(-1);
  if (!original) throw new Error("no submission");
  expect(rows(h.app.store, "select * from api_keys")).toHaveLength(1);

  const same = await h.slack.driver.resend(original);
  expect(same.status).toBe(401);

  const ts = Math.floor(Date.now() / 1000) + 1;
  const fresh = await h.slack.driver.resend({
    ...original,
    timestamp: ts,
    signature: sign(SIGNING_SECRET, ts, original.body),
  });
  expect(fresh.status).toBe(200);
  const said = JSON.stringify(fresh.json);
  expect(said).toContain("already submitted");
  // No second key, no secret in the answer.
  expect(rows(h.app.store, "select * from api_keys")).toHaveLength(1);
  expect(said).not.toMatch(/kw_[0-9A-Za-z]{46}/);
  expect(
    textOf((fresh.json?.view as { blocks?: unknown } | undefined)?.blocks) || said,
  ).not.toContain("Copy this secret");
  void PEOPLE;
});
