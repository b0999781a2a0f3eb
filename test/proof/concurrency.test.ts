// Many people at once: one edit per version wins, one decision per request.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addRole } from "../../src/domain/roles/add.ts";
import { rows } from "../helpers/db-rows.ts";
import { button, secretIn } from "../helpers/slack/finders.ts";
import { GENERAL, type Harness, PEOPLE, quiet, startHarness } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import { person } from "../helpers/slack/person.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
// Across every proof: no secret in any outgoing payload, log line or the database file.
afterEach(() => stopChecked(h));

describe("concurrency", () => {
  it("applies exactly one of 50 simultaneous edits of one key; the rest are told who changed it", async () => {
    const owner = person(h, "owner");
    await owner.run("create");
    await owner.fill("Name", "Shared");
    await owner.submit();
    await h.slack.driver.close(PEOPLE.owner.id, owner.modal().id);
    const owners = Array.from({ length: 50 }, (_, i) => `U0CONC${String(i).padStart(3, "0")}`);
    for (const id of owners) {
      h.slack.ws.addPerson({ id, name: id.toLowerCase(), realName: `Owner ${id.slice(-3)}` });
      await addRole(h.app.ctx, PEOPLE.owner.id, { userId: id, role: "owner" });
    }
    // Everyone opens the edit modal on the same version…
    for (const id of owners) await h.slack.driver.command(id, GENERAL, "edit Shared");
    await quiet(h);
    const views = owners.map((id) => {
      const v = h.slack.ws.topModal(id);
      if (!v) throw new Error(`no modal for ${id}`);
      h.slack.driver.setValue(v.id, "name", "value", {
        type: "plain_text_input",
        value: `Shared by ${id}`,
      });
      return { id, v };
    });
    // …and everyone saves at the same instant.
    const answers = await Promise.all(views.map(({ id, v }) => h.slack.driver.submit(id, v.id)));
    // The one that won closes its form (no response_action); the rest are refused under it.
    const won = answers.filter((a) => a.status === 200 && !a.json?.response_action);
    const refused = answers.filter((a) => a.json?.response_action === "errors");
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const r of refused)
      expect(Object.values(r.json?.errors as object)[0]).toMatch(
        /^Owner \d{3} changed this key .* after you opened it/,
      );
    expect(
      rows(h.app.store, "select * from audit_events where action = 'key.renamed'"),
    ).toHaveLength(1);
    const names = rows<{ name: string; version: number }>(
      h.app.store,
      "select name, version from api_keys",
    );
    expect(names).toHaveLength(1);
    expect(names[0]?.name).toBe(
      `Shared by ${views[answers.indexOf(won[0] as (typeof answers)[number])]?.id}`,
    );
    expect(names[0]?.version).toBe(2);
  });

  it("makes one decision when Approve and Deny land at the same instant", async () => {
    const owner = person(h, "owner");
    const owner2 = person(h, "owner2");
    const member = person(h, "member");
    await owner.run("nickname add acme seller");
    await owner.run("create");
    await owner.fill("Name", "Contested");
    await owner.submit();
    secretIn(owner.modal());
    await h.slack.driver.close(PEOPLE.owner.id, owner.modal().id);
    await member.run("request");
    await member.fill("Key", "Contested");
    await member.fill("Analytics API", ["acme"]);
    await member.fill("For how long", "1 day");
    await member.fill("Why", "Weekly cohort analysis please");
    await member.submit();
    const card1 = owner.dms().find((m) => m.text.startsWith("Access request #1"));
    const card2 = owner2.dms().find((m) => m.text.startsWith("Access request #1"));
    if (!card1 || !card2) throw new Error("no cards");
    await owner2.click(card2, button(card2.blocks, "Deny"));
    await owner2.fill("Reason", "Not this week");
    const [a, d] = await Promise.all([
      h.slack.driver.click(
        PEOPLE.owner.id,
        { kind: "message", channel: card1.channel, ts: card1.ts },
        button(card1.blocks, "Approve"),
      ),
      h.slack.driver.submit(PEOPLE.owner2.id, owner2.modal().id),
    ]);
    expect(a.status).toBe(200);
    expect(d.status).toBe(200);
    await quiet(h);
    const decisions = rows<{ action: string }>(
      h.app.store,
      "select action from audit_events where action in ('request.approved', 'request.denied')",
    );
    expect(decisions).toHaveLength(1);
    const status = rows<{ status: string }>(h.app.store, "select status from access_requests")[0]
      ?.status;
    expect(status === "approved" ? "request.approved" : "request.denied").toBe(
      decisions[0]?.action,
    );
  });
});
