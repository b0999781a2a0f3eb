// Socket Mode (SLACK_APP_TOKEN): the same app over a WebSocket instead of signed HTTP.
import { afterEach, beforeEach, expect, it } from "vitest";
import { button, secretIn, textOf } from "../helpers/slack/finders.ts";
import {
  GENERAL,
  type Harness,
  PEOPLE,
  quiet,
  startHarness,
  verify,
} from "../helpers/slack/harness.ts";
import { expectNoSecretsLeaked, stopChecked } from "../helpers/slack/invariants.ts";
import { person } from "../helpers/slack/person.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({}, { socketMode: true });
});
// At LOG_LEVEL=debug (as the harness runs) neither Bolt nor the socket client hands the
// logger anything secret-shaped: the scrubber never has to act.
afterEach(() => stopChecked(h, { expectSecrets: true }));

it("runs the flows over Socket Mode: commands, modals, external selects, buttons, events", async () => {
  expect(h.slack.line?.connected).toBe(true);
  const owner = person(h, "owner");
  const member = person(h, "member");
  await owner.run("nickname add acme seller");
  expect(owner.last().text).toContain("Linked `acme`");
  await owner.run("create");
  await owner.fill("Name", "Over the socket");
  await owner.fill("Analytics API", ["acme"]);
  await owner.submit();
  const secret = secretIn(owner.modal());
  expect(await verify(h, { key: secret, nickname: "acme", api: "analytics" })).toMatchObject({
    allowed: true,
  });
  await h.slack.driver.close(PEOPLE.owner.id, owner.modal().id);

  await member.run("request");
  await member.fill("Key", "Over the socket");
  expect(textOf(member.modal().view.blocks)).toContain("*Over the socket* already has");
  await member.fill("Orders/Tickets API Read", ["acme"]);
  await member.fill("For how long", "1 hour");
  await member.fill("Why", "Trying Socket Mode end to end");
  await member.submit();
  const owner2 = person(h, "owner2");
  const card = owner2.dms().find((m) => m.text.startsWith("Access request #1"));
  if (!card) throw new Error("no card");
  await owner2.click(card, button(card.blocks, "Approve"));
  expect(await verify(h, { key: secret, nickname: "acme", api: "orders:read" })).toMatchObject({
    allowed: true,
  });

  expect(textOf((await member.home()).view.blocks)).toContain("Your requests");
  // A key pasted in a channel arrives as an event over the socket and is warned about.
  const { message } = await h.slack.driver.say(PEOPLE.member.id, GENERAL, `try ${secret}`);
  await quiet(h);
  expect(h.slack.ws.messages.some((m) => m.threadTs === message.ts)).toBe(true);
  // Nothing went over HTTP to /slack/events.
  expect(h.slack.driver.sent.every((s) => s.signature === "")).toBe(true);
  expect(h.slack.api.calls.some((c) => c.method === "apps.connections.open" && c.ok)).toBe(true);
  expectNoSecretsLeaked(h, [secret]);
});
