// On-call: compromised-key rotation, leaked keys in channels, the hygiene digest.
import { afterEach, describe, expect, it } from "vitest";
import { newPublicId, newSecret } from "../../src/domain/secrets.ts";
import { DAY, HOUR } from "../helpers/clock.ts";
import { rows } from "../helpers/db-rows.ts";
import { button, secretIn, textOf } from "../helpers/slack/finders.ts";
import { GENERAL, type Harness, PEOPLE, quiet, verify } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { type Seed, seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let owner2: Person;
let oncall: Person;
let member: Person;
let member2: Person;

async function setUp(seed: Seed = {}) {
  ({ h, owner, owner2, oncall, member, member2 } = await seeded({
    nicknames: ["acme seller"],
    oncall: true,
    ...seed,
  }));
}

const createKey = (
  name: string,
  keyOwner: string = PEOPLE.member.id,
  perms: Record<string, string[]> = { "Orders/Tickets API Read": ["acme"] },
) => owner.createKey(name, perms, keyOwner);

// Every surface within Block Kit limits; no secret shown anywhere but its one-time modal.
afterEach(() => stopChecked(h));

describe("compromised-key rotation", () => {
  it("lets on-call rotate at once: old secret dead, new one shown once, urgent DMs, audit", async () => {
    await setUp();
    const old = await createKey("Payments");
    await oncall.run("rotate payments");
    const modal = textOf(oncall.modal().view.blocks);
    expect(modal).toContain("*Payments*");
    expect(modal).toContain("Orders/Tickets API Read on acme");
    expect(modal).toContain("last used never");
    let r = await oncall.submit();
    expect(r.json?.errors).toMatchObject({ reason: "Give a reason." });
    await oncall.fill("Reason", "Pasted in a public gist");
    await oncall.fill("Incident link", "not a link");
    r = await oncall.submit();
    expect(r.json?.errors).toMatchObject({
      incident: "The incident link must be a web address (https://…).",
    });
    await oncall.fill("Incident link", "https://status.example.com/incidents/42");
    await oncall.submit();
    const fresh = secretIn(oncall.modal());
    expect(await verify(h, { key: old })).toEqual({ valid: false, reason: "rotated" });
    expect(await verify(h, { key: fresh, nickname: "acme", api: "orders:read" })).toMatchObject({
      allowed: true,
    });
    for (const who of [owner, owner2, member]) {
      const dm = who.dms().at(-1);
      expect(dm?.text).toBe(
        `URGENT — Compromised API key rotated: Payments (${dm?.text.split("(")[1]}`,
      );
      const text = textOf(dm?.blocks);
      expect(text).toContain(`by <@${PEOPLE.oncall.id}>`);
      expect(text).toContain("Pasted in a public gist");
      expect(text).toContain("https://status.example.com/incidents/42");
      expect(text).toContain("The old secret stopped working at <!date^");
    }
    const audit = rows<{ action: string; reason: string; actor: string }>(
      h.app.store,
      "select action, reason, actor from audit_events where action = 'key.rotated_compromised'",
    );
    expect(audit).toEqual([
      {
        action: "key.rotated_compromised",
        reason: "Pasted in a public gist",
        actor: PEOPLE.oncall.id,
      },
    ]);
  });

  it("can leave the new secret for the key owner, while the old one is dead", async () => {
    await setUp();
    const old = await createKey("Their key");
    await oncall.run("rotate Their key");
    await oncall.fill("Reason", "Posted in a public channel");
    await oncall.fill("Who gets the new secret", "key_owner");
    await oncall.submit();
    expect(textOf(oncall.modal().view.blocks)).toContain(
      `<@${PEOPLE.member.id}> got a DM with *Reveal new secret*`,
    );
    expect(await verify(h, { key: old })).toEqual({ valid: false, reason: "rotated" });
    const dm = member.dms().at(-1);
    if (!dm) throw new Error("no DM for the key owner");
    expect(textOf(dm.blocks)).toContain("Until then every call with this key is refused.");
    await member.click(dm, button(dm.blocks, "Reveal new secret"));
    await member.submit();
    const fresh = secretIn(member.modal());
    expect(await verify(h, { key: fresh, nickname: "acme", api: "orders:read" })).toMatchObject({
      allowed: true,
    });
  });

  it("can keep the old secret a while, or only disable the key (which only owners undo)", async () => {
    await setUp();
    const a = await createKey("Gradual");
    await oncall.run("rotate Gradual");
    await oncall.fill("What to do", "Rotate, old secret works 1 hour more");
    await oncall.fill("Reason", "Suspicious traffic, moving over");
    await oncall.submit();
    secretIn(oncall.modal());
    expect(await verify(h, { key: a })).toMatchObject({ valid: true });
    h.clock.advance(HOUR + 1000);
    expect(await verify(h, { key: a })).toEqual({ valid: false, reason: "rotated" });

    const b = await createKey("Stop it");
    await oncall.run("rotate Stop it");
    await oncall.fill("What to do", "Disable the key only (no new secret)");
    await oncall.fill("Reason", "Leaked, integration owner unreachable");
    await oncall.submit();
    expect(textOf(oncall.modal().view.blocks)).toContain("is disabled");
    expect(await verify(h, { key: b })).toEqual({ valid: false, reason: "disabled" });
    await oncall.run("enable Stop it");
    expect(oncall.last().text).toContain("Only account owners can enable keys.");
  });

  it("refuses a member, including a crafted submission of someone else's rotate modal", async () => {
    await setUp();
    const s = await createKey("Guarded");
    await member.run("rotate Guarded");
    expect(member.last().text).toContain(
      "Only account owners and on-call engineers can rotate a compromised key.",
    );
    await oncall.run("rotate Guarded");
    h.slack.driver.setValue(oncall.modal().id, "reason", "value", {
      type: "plain_text_input",
      value: "I want to break it",
    });
    const r = await h.slack.driver.submit(PEOPLE.member.id, oncall.modal().id);
    expect(textOf((r.json?.view as { blocks?: unknown } | undefined)?.blocks)).toContain(
      "Only account owners and on-call engineers can rotate a compromised key.",
    );
    expect(await verify(h, { key: s })).toMatchObject({ valid: true });
    expect(
      rows(h.app.store, "select * from audit_events where action = 'key.rotated_compromised'"),
    ).toHaveLength(0);
  });
});

describe("leaked keys", () => {
  it("tells the poster to delete it, and DMs owners, on-call and the key owner a link to the message", async () => {
    await setUp();
    const live = await createKey("Warehouse");
    const publicId = live.slice(3, 11);
    const { message } = await h.slack.driver.say(
      PEOPLE.member2.id,
      GENERAL,
      `here is the key for the job: ${live} thanks`,
    );
    await quiet(h);
    const thread = h.slack.ws.messages.filter((m) => m.threadTs === message.ts);
    expect(thread).toHaveLength(1);
    const reply = textOf(thread[0]?.blocks);
    expect(reply).toContain(`<@${PEOPLE.member2.id}>, this message contains a *live API key*`);
    expect(reply).toContain("*Delete this message now*");
    expect(reply).toContain("The account owners and on-call engineers have been told");
    expect(reply).toContain(`*Warehouse* \`${publicId}\``);
    // The poster is not offered what they may not do, nor sent to a channel that does not exist.
    expect(JSON.stringify(thread[0]?.blocks)).not.toContain('"button"');
    expect(reply).not.toMatch(/#[a-z]/);
    expect(JSON.stringify(thread[0])).not.toContain(live);

    const { permalink } = (await h.app.slack?.client.chat.getPermalink({
      channel: GENERAL,
      message_ts: message.ts,
    })) ?? { permalink: "" };
    for (const who of [owner, owner2, oncall, member]) {
      const dm = who.dms().at(-1);
      expect(dm?.text).toContain("URGENT — a live API key was posted");
      expect(textOf(dm?.blocks)).toContain(`<${permalink}|`);
    }
    // Those who may rotate get the button; the key owner (a member) is told who will.
    for (const who of [owner, owner2, oncall]) button(who.dms().at(-1)?.blocks, "Rotate now");
    expect(JSON.stringify(member.dms().at(-1)?.blocks)).not.toContain('"button"');
    expect(textOf(member.dms().at(-1)?.blocks)).toContain(
      "The account owners and on-call engineers have been told",
    );
    // On-call answers from their DM.
    const dm = oncall.dms().at(-1);
    if (!dm) throw new Error("no DM for on-call");
    await oncall.click(dm, button(dm.blocks, "Rotate now"));
    expect(textOf(oncall.modal().view.blocks)).toContain("*Warehouse*");
    await h.slack.driver.close(oncall.id, oncall.modal().id);
    // The same alert as Keyward posted it before each key had its own button: the bare
    // action id "leak_rotate" and the bare key id.
    const keyId = Number(
      rows(h.app.store, "select id from api_keys where name = 'Warehouse'")[0]?.id,
    );
    const old = JSON.parse(
      JSON.stringify(dm.blocks)
        .replace(/"action_id":"leak_rotate:[^"]*"/, '"action_id":"leak_rotate"')
        .replace(JSON.stringify(JSON.stringify({ keyId })), `"${keyId}"`),
    );
    expect(JSON.stringify(old)).toContain(`"action_id":"leak_rotate","value":"${keyId}"`);
    const posted = h.slack.ws.post({
      channel: dm.channel,
      user: "U0KEYWARD",
      text: dm.text,
      blocks: old,
    });
    await oncall.click(posted, button(posted.blocks, "Rotate now"));
    expect(textOf(oncall.modal().view.blocks)).toContain("*Warehouse*");
  });

  it("DMs the on-call user group's members too", async () => {
    await setUp({
      env: { ONCALL_USERGROUP_ID: "S0ONCALL" },
      usergroups: { S0ONCALL: [PEOPLE.member2.id] },
    });
    const live = await createKey("Grouped leak");
    await h.slack.driver.say(PEOPLE.member.id, GENERAL, `oops ${live}`);
    await quiet(h);
    const dm = member2.dms().at(-1);
    expect(dm?.text).toContain("URGENT — a live API key was posted");
    button(dm?.blocks, "Rotate now");
  });

  it("refuses a member's rotation without naming a channel that is not configured", async () => {
    await setUp();
    await createKey("Guarded");
    await member.run("rotate Guarded");
    expect(member.last().text).toContain("Only account owners and on-call engineers can rotate");
    expect(member.last().text).not.toMatch(/#[a-z]/);
  });

  it("offers a Rotate button for each live key when one message holds several", async () => {
    await setUp();
    const a = await createKey("First leaked");
    const b = await createKey("Second leaked");
    await h.slack.driver.say(PEOPLE.member.id, GENERAL, `${a} and ${b}`);
    await quiet(h);
    const reply = oncall.dms().at(-1);
    if (!reply) throw new Error("no DM for on-call");
    const rotate = (publicId: string) => button(reply.blocks, `Rotate ${publicId} now`);
    await oncall.click(reply, rotate(b.slice(3, 11)));
    expect(textOf(oncall.modal().view.blocks)).toContain("*Second leaked*");
    await h.slack.driver.close(PEOPLE.oncall.id, oncall.modal().id);
    await oncall.click(reply, rotate(a.slice(3, 11)));
    expect(textOf(oncall.modal().view.blocks)).toContain("*First leaked*");
  });

  it("ignores lookalikes whose checksum fails, and reports unknown well-formed keys", async () => {
    await setUp();
    const live = await createKey("Quiet");
    const fake = live.slice(0, -1) + (live.endsWith("A") ? "B" : "A");
    await h.slack.driver.say(PEOPLE.member.id, GENERAL, `not a real one: ${fake}`);
    await quiet(h);
    expect(h.slack.ws.messages.filter((m) => m.threadTs)).toHaveLength(0);
    expect(rows(h.app.store, "select * from outbox where kind = 'thread'")).toHaveLength(0);
    const stranger = newSecret(newPublicId());
    await h.slack.driver.say(PEOPLE.member.id, GENERAL, stranger);
    await quiet(h);
    const reply = h.slack.ws.messages.find((m) => m.threadTs);
    expect(textOf(reply?.blocks)).toContain("matches no key here");
    expect(JSON.stringify(reply)).not.toContain(stranger);
    expect(h.logs.join("\n")).not.toContain(stranger);
  });
});

describe("the hygiene digest", () => {
  it("lists stale, orphaned, over-wide and expiring keys and waiting requests, each with a button", async () => {
    await setUp();
    await createKey("Stale one");
    h.clock.advance(91 * DAY);
    await createKey("Ghost's key", PEOPLE.member2.id);
    const p = h.slack.ws.people.get(PEOPLE.member2.id);
    if (p) p.deleted = true;
    await createKey("Wide writer", PEOPLE.member.id, {
      "Orders/Tickets API Read/Write": ["All accounts"],
    });
    await owner.run("create");
    await owner.fill("Name", "Short lived");
    await owner.fill(
      "Expires on",
      new Date(h.clock.now().getTime() + 10 * DAY).toISOString().slice(0, 10),
    );
    await owner.submit();
    secretIn(owner.modal());
    await member.run("request");
    await member.fill("Key", "Stale one");
    await member.fill("Analytics API", ["acme"]);
    await member.fill("For how long", "1 day");
    await member.fill("Why", "Quarterly revenue dashboard");
    await member.submit();

    const beforeDigests = h.slack.api.calls.length;
    await oncall.run("digest");
    const d = oncall.last();
    const text = textOf(d.blocks);
    expect(text).toContain("*Unused for 90 days (1)*");
    expect(text).toContain("Stale one");
    expect(text).toContain("*Key owner no longer in the workspace (1)*");
    expect(text).toContain("Ghost's key");
    expect(text).toContain("Wide writer");
    expect(text).toContain("Orders/Tickets API Read/Write on all accounts");
    expect(text).toContain("*Expiring within 14 days (1)*");
    expect(text).toContain("*Access requests waiting (1)*");
    expect(text).toMatch(/Stale one \(\w{8}\): never used, created <!date\^\d+\^/);
    // On-call sees only the buttons on-call may use: Disable, not Edit or Review.
    const labels = (blocks: unknown) =>
      [...JSON.stringify(blocks).matchAll(/"type":"button","text":\{[^}]*"text":"([^"]+)"/g)].map(
        (m) => m[1],
      );
    expect(new Set(labels(d.blocks))).toEqual(new Set(["Disable"]));
    await owner.run("digest");
    expect(new Set(labels(owner.last().blocks))).toEqual(new Set(["Disable", "Edit", "Review"]));
    // Two digests, one question to Slack per key owner: the answer is remembered for a while.
    const askedAbout = (user: string) =>
      h.slack.api.calls
        .slice(beforeDigests)
        .filter((c) => c.method === "users.info" && c.args.user === user).length;
    expect(askedAbout(PEOPLE.member2.id)).toBe(1);
    expect(askedAbout(PEOPLE.member.id)).toBe(1);
    await oncall.click(d, button(d.blocks, "Disable"));
    expect(textOf(oncall.modal().view.blocks)).toContain("Disable *Stale one*");
    await member.run("digest");
    expect(member.last().text).toContain(
      "Only account owners and on-call engineers can see the key hygiene digest.",
    );
  });

  it("goes to every owner weekly", async () => {
    await setUp();
    await h.app.digests?.runOnce();
    await h.app.worker?.drain();
    expect(owner.dms().some((m) => m.text.includes("hygiene"))).toBe(false);
    h.clock.advance(7 * DAY + 1000);
    // The other jobs run on their own timer: they send no digest.
    await h.app.jobs.runOnce();
    await h.app.worker?.drain();
    expect(owner.dms().some((m) => m.text.includes("hygiene"))).toBe(false);
    await h.app.digests?.runOnce();
    await h.app.worker?.drain();
    await h.app.digests?.runOnce();
    await h.app.worker?.drain();
    for (const o of [owner, owner2]) {
      expect(o.dms().filter((m) => m.text === "Keyward key hygiene digest")).toHaveLength(1);
    }
  });
});

describe("leaked keys in messages with a subtype", () => {
  const replies = (ts: string) => h.slack.ws.messages.filter((m) => m.threadTs === ts);
  const leakEvents = () =>
    rows(h.app.store, "select * from audit_events where action = 'key.leak_detected'").length;

  it("warns in the thread of the original message when a key is edited into it", async () => {
    await setUp();
    const live = await createKey("Edited in");
    const { message } = await h.slack.driver.say(PEOPLE.member.id, GENERAL, "config below");
    await quiet(h);
    expect(replies(message.ts)).toHaveLength(0);
    await h.slack.driver.edit(GENERAL, message.ts, `config below: ${live}`);
    await quiet(h);
    const thread = replies(message.ts);
    expect(thread).toHaveLength(1);
    expect(textOf(thread[0]?.blocks)).toContain("contains a *live API key*");
    expect(textOf(thread[0]?.blocks)).toContain(`<@${PEOPLE.member.id}>`);
    expect(leakEvents()).toBe(1);
    // Editing it again (the key still there) does not warn twice.
    await h.slack.driver.edit(GENERAL, message.ts, `config below (fixed typo): ${live}`);
    await quiet(h);
    expect(replies(message.ts)).toHaveLength(1);
  });

  it("warns about a key in a reply also sent to the channel, in its thread", async () => {
    await setUp();
    const live = await createKey("Broadcast");
    const { message: root } = await h.slack.driver.say(PEOPLE.member.id, GENERAL, "deploy?");
    await h.slack.driver.say(PEOPLE.member.id, GENERAL, `use ${live}`, root.ts, {
      broadcast: true,
    });
    await quiet(h);
    const thread = replies(root.ts).filter((m) => m.user === "U0KEYWARD");
    expect(thread).toHaveLength(1);
    expect(textOf(thread[0]?.blocks)).toContain("*Broadcast*");
    expect(leakEvents()).toBe(1);
  });

  it("warns about a key in the text of a message posted with a file", async () => {
    await setUp();
    const live = await createKey("With a file");
    const { message } = await h.slack.driver.say(
      PEOPLE.member.id,
      GENERAL,
      `env: ${live}`,
      undefined,
      {
        file: "deploy.log",
      },
    );
    await quiet(h);
    expect(textOf(replies(message.ts)[0]?.blocks)).toContain("*With a file*");
  });

  it("warns about a key a bot or integration posted, and tells the owners who posted it", async () => {
    await setUp();
    const live = await createKey("From CI");
    const ci = { botId: "B0CIBOT", username: "ci-runner" };
    const { message } = await h.slack.driver.botSays(ci, GENERAL, `export API_KEY=${live}`);
    await quiet(h);
    const warning = textOf(replies(message.ts)[0]?.blocks);
    expect(warning).toContain("contains a *live API key*");
    expect(warning).not.toContain("<@B0CIBOT>");
    const dm = owner.dms().at(-1);
    expect(dm?.text).toContain("URGENT — a live API key was posted");
    expect(textOf(dm?.blocks)).toContain("B0CIBOT");
    expect(textOf(dm?.blocks)).not.toContain("<@B0CIBOT>");
    expect(leakEvents()).toBe(1);
  });

  it("never acts on Keyward's own messages, posted or edited", async () => {
    await setUp();
    const live = await createKey("Ours");
    const ours = { botId: "B0KEYWARD", username: "keyward" };
    const { message } = await h.slack.driver.botSays(ours, GENERAL, `quoting ${live}`);
    const { message: plain } = await h.slack.driver.say("U0KEYWARD", GENERAL, "a reply");
    await h.slack.driver.edit(GENERAL, plain.ts, `a reply with ${live}`);
    await quiet(h);
    expect(replies(message.ts)).toHaveLength(0);
    expect(replies(plain.ts)).toHaveLength(0);
    expect(leakEvents()).toBe(0);
  });
});

describe("hostile key names in the digest", () => {
  it("never turns a placeholder typed into a key name into a mention", async () => {
    await setUp();
    await createKey("Ping {{user:U0OWNER1}} now", PEOPLE.member.id);
    h.clock.advance(91 * DAY);
    await oncall.run("digest");
    const d = oncall.last();
    expect(textOf(d.blocks)).toContain("Ping {{user:U0OWNER1}} now");
    expect(JSON.stringify(d)).not.toContain("<@U0OWNER1>");
  });
});

describe("on-call from a Slack user group", () => {
  it("counts the group's members as on-call, and nobody when the group cannot be read", async () => {
    await setUp({
      env: { ONCALL_USERGROUP_ID: "S0ONCALL" },
      usergroups: { S0ONCALL: [PEOPLE.member2.id] },
    });
    await createKey("Grouped");
    const max = member2;
    await max.run("rotate Grouped");
    expect(max.hasModal()).toBe(true);
    await stopChecked(h);
    await setUp({ env: { ONCALL_USERGROUP_ID: "S0MISSING" } });
    await createKey("Grouped");
    const max2 = member2;
    await max2.run("rotate Grouped");
    expect(max2.hasModal()).toBe(false);
    expect(h.logs.join("\n")).toContain("could not read the on-call user group");
  });
});
