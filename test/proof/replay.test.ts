// Replays: Bolt alone accepts a correctly signed request again within its 5-minute window;
// Keyward refuses the signature, and applies a modal submission at most once even when it
// arrives again freshly signed.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Keyward, startKeyward } from "../../src/app.ts";
import { createLog } from "../../src/log.ts";
import { sign } from "../../src/sandbox/standin/signing.ts";
import { query, rows } from "../helpers/db-rows.ts";
import { emptyDatabase, fileDatabase, hasPostgres } from "../helpers/pg.ts";
import { textOf } from "../helpers/slack/finders.ts";
import { type Harness, PEOPLE, SIGNING_SECRET, startHarness } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import { person } from "../helpers/slack/person.ts";

describe("replays on one instance", () => {
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
});

describe.skipIf(!hasPostgres())("replays across instances on PostgreSQL", () => {
  let h2: Harness;
  let other: Keyward;
  beforeEach(async () => {
    const url = await fileDatabase();
    await emptyDatabase(url);
    h2 = await startHarness({ DATABASE_URL: url });
    other = await startKeyward({
      config: { ...h2.config, PORT: 0 },
      log: createLog("debug", (l) => h2.logs.push(l)),
      slackRetries: 0,
      slackTimeoutMs: 400,
      worker: { pollMs: 20, backoffBaseMs: 20, uploadTimeoutMs: 400 },
    });
  });
  afterEach(async () => {
    await other.stop();
    await stopChecked(h2, { expectSecrets: true });
  });

  it("refuses on a second instance a signed request the first accepted, and applies a re-signed submission once", async () => {
    const owner = person(h2, "owner");
    await owner.run("create");
    await owner.fill("Name", "Shared");
    await owner.submit();
    const original = h2.slack.driver.sent.filter((s) => s.kind === "view_submission").at(-1);
    if (!original) throw new Error("no submission");
    const keys = async () => (await query(h2.app.store, "select id from api_keys")).length;
    expect(await keys()).toBe(1);

    // The same bytes, sent to the other instance (as a load balancer might).
    h2.slack.appUrl = `${other.url}/slack/events`;
    const same = await h2.slack.driver.resend(original);
    expect(same.status).toBe(401);

    const ts = Math.floor(Date.now() / 1000) + 1;
    const fresh = await h2.slack.driver.resend({
      ...original,
      timestamp: ts,
      signature: sign(SIGNING_SECRET, ts, original.body),
    });
    expect(fresh.status).toBe(200);
    expect(JSON.stringify(fresh.json)).toContain("already submitted");
    expect(await keys()).toBe(1);
    h2.slack.appUrl = `${h2.app.url}/slack/events`;
  });
});
