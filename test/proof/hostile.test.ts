// Hostile input, generated: random, oversized, unicode, control characters, injection-looking
// strings and forged private_metadata, into every command and modal and the verification API.
// No 5xx, no unexpected failure, and nothing changes when Keyward refuses.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../helpers/db-rows.ts";
import { secretIn } from "../helpers/slack/finders.ts";
import {
  GENERAL,
  type Harness,
  PEOPLE,
  quiet,
  startHarness,
  VERIFY_TOKEN,
} from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import { person } from "../helpers/slack/person.ts";

let h: Harness;
const changes = () => rows(h.app.store, "select id from audit_events").length;
const unexpected = () =>
  h.logs.filter(
    (l) => l.includes("listener failed") || l.includes("unhandled Slack listener error"),
  );

const NASTY = [
  "'; DROP TABLE api_keys; --",
  "<script>alert(1)</script>",
  "<!channel> <@U0OWNER1> <https://evil.example|click>",
  "$" + "{process.exit(1)}",
  "../../etc/passwd",
  "\u0000\u0001\u0007\u001b[31m",
  "kw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  "%s%s%n",
  "ｅｄｉｔ Billing",
  "🔑".repeat(200),
  "\u202eevil",
];

const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 120 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)),
    maxLength: 40,
  }),
  fc.string({ minLength: 600, maxLength: 5000 }),
  fc.constantFrom(...NASTY),
);
const SUBCOMMANDS = [
  "",
  "list ",
  "show ",
  "edit ",
  "regenerate ",
  "rotate ",
  "disable ",
  "enable ",
  "delete ",
  "audit ",
  "nickname add ",
  "nickname remove ",
  "role add ",
  "role remove ",
  "request ",
  "digest ",
];
const commandText = fc.tuple(fc.constantFrom(...SUBCOMMANDS), text).map(([a, b]) => a + b);

const stateValue = fc.oneof(
  fc.record({
    type: fc.constant("plain_text_input"),
    value: fc.oneof(text, fc.constant(null), fc.integer()),
  }),
  fc.record({
    type: fc.constant("checkboxes"),
    selected_options: fc.array(fc.record({ value: text }), { maxLength: 20 }),
  }),
  fc.record({
    type: fc.constant("multi_external_select"),
    selected_options: fc.oneof(fc.array(fc.record({ value: text })), fc.string()),
  }),
  fc.record({
    type: fc.constant("users_select"),
    selected_user: fc.oneof(text, fc.constant("U0OWNER1")),
  }),
  fc.record({
    type: fc.constant("datepicker"),
    selected_date: fc.oneof(text, fc.constant("2099-13-45"), fc.constant("1999-01-01")),
  }),
  fc.record({
    type: fc.constant("radio_buttons"),
    selected_option: fc.oneof(fc.record({ value: text }), fc.constant(null)),
  }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue()).map((o) => ({ ...o, type: "weird" })),
);
const metadata = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({
      keyId: fc.oneof(fc.integer(), fc.string(), fc.constant(1)),
      version: fc.oneof(fc.integer(), fc.constant(1)),
      requestId: fc.oneof(fc.integer(), text, fc.constant(undefined)),
    })
    .map((v) => JSON.stringify(v)),
);

beforeAll(async () => {
  h = await startHarness();
  const owner = person(h, "owner");
  await owner.run("nickname add acme seller");
  await owner.run("create");
  await owner.fill("Name", "Billing");
  await owner.fill("Analytics API", ["acme"]);
  await owner.submit();
  secretIn(owner.modal());
  await h.slack.driver.close(PEOPLE.owner.id, owner.modal().id);
});
// Across every proof: no secret in any outgoing payload, log line or the database file.
// Some generated input is shaped like a secret on purpose, so scrubbed log lines are expected.
afterAll(() => stopChecked(h, { expectSecrets: true, scrubbingAllowed: true }));

describe("hostile input", () => {
  it("survives any command text; a member's changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(commandText, async (t) => {
        const before = changes();
        const asMember = await h.slack.driver.command(PEOPLE.member.id, GENERAL, t);
        expect(asMember.status).toBe(200);
        await quiet(h);
        // A member can change nothing with a command.
        expect(changes()).toBe(before);
        // An owner's random text may change something legitimately; it must just be answered.
        const asOwner = await h.slack.driver.command(PEOPLE.owner.id, GENERAL, t);
        expect(asOwner.status).toBe(200);
        for (const id of [PEOPLE.member.id, PEOPLE.owner.id]) {
          const m = h.slack.ws.topModal(id);
          if (m) await h.slack.driver.close(id, m.id);
        }
      }),
      { numRuns: 80 },
    );
    expect(unexpected()).toEqual([]);
  });

  it("survives any forged modal state and private_metadata; a refusal changes nothing", async () => {
    const modals = [
      "create",
      "edit Billing",
      "regenerate Billing",
      "delete Billing",
      "disable Billing",
      "rotate Billing",
      "request",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...modals),
        fc.array(stateValue, { maxLength: 8 }),
        metadata,
        fc.boolean(),
        async (open, values, meta, asMember) => {
          await h.slack.driver.command(PEOPLE.owner.id, GENERAL, open);
          await quiet(h);
          const v = h.slack.ws.topModal(PEOPLE.owner.id);
          if (!v) throw new Error(`no modal for ${open}`);
          const inputs = (
            v.view.blocks as Array<{
              type: string;
              block_id: string;
              element?: { action_id: string };
            }>
          ).filter((b) => b.type === "input");
          values.forEach((value, i) => {
            const b = inputs[i % Math.max(1, inputs.length)];
            if (b)
              h.slack.driver.setValue(
                v.id,
                b.block_id,
                b.element?.action_id ?? "value",
                value as never,
              );
          });
          v.view.private_metadata = meta;
          const before = changes();
          const r = await h.slack.driver.submit(
            asMember ? PEOPLE.member.id : PEOPLE.owner.id,
            v.id,
          );
          expect(r.status).toBe(200);
          const refused =
            r.json?.response_action === "errors" ||
            JSON.stringify(r.json ?? {}).includes(":warning:");
          if (refused || asMember) expect(changes()).toBe(before);
          const top = h.slack.ws.topModal(PEOPLE.owner.id);
          if (top) await h.slack.driver.close(PEOPLE.owner.id, top.id);
        },
      ),
      { numRuns: 80 },
    );
    expect(unexpected()).toEqual([]);
  });

  it("answers any request to the verification API without a 5xx, and caps the body", async () => {
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record({
          key: text,
          nickname: fc.oneof(text, fc.constant(undefined)),
          api: fc.oneof(text, fc.constant("analytics")),
        })
        .map((v) => JSON.stringify(v)),
      text,
      fc.string({ minLength: 4000, maxLength: 20_000 }),
    );
    const auth = fc.oneof(
      fc.constant(`Bearer ${VERIFY_TOKEN}`),
      fc.constant("Bearer "),
      text.map((t) => t.replace(/[^\x20-\x7e]/g, "")),
      fc.constant(undefined),
    );
    const type = fc.constantFrom(
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      undefined,
    );
    await fc.assert(
      fc.asyncProperty(body, auth, type, async (b, a, ct) => {
        const headers: Record<string, string> = {};
        if (a !== undefined) headers.authorization = a;
        if (ct) headers["content-type"] = ct;
        const res = await fetch(`${h.app.url}/v1/verify`, { method: "POST", headers, body: b });
        expect([200, 400, 401, 413]).toContain(res.status);
        const json = (await res.json()) as Record<string, unknown>;
        if (res.status === 200) expect(typeof json.valid).toBe("boolean");
        else expect(typeof json.error).toBe("string");
        if (Buffer.byteLength(b) > 4096 && a === `Bearer ${VERIFY_TOKEN}`)
          expect(res.status).toBe(413);
      }),
      { numRuns: 300 },
    );
  });
});
