// The block builders, as pure functions: the shape each surface has (what a person can do on
// it, what its buttons carry back) and Slack's limits at the sizes an account really reaches
// (200 nicknames, long names, full pages). A block Slack would reject does not even compile.
import type {
  ActionsBlock,
  ActionsBlockElement,
  AnyBlock,
  InputBlock,
  KnownBlock,
  SectionBlock,
  SectionBlockAccessory,
} from "@slack/types";
import { describe, expect, it } from "vitest";
import { ALL_ACCOUNTS, API_IDS } from "../../../src/domain/catalog.ts";
import type { KeyPage } from "../../../src/domain/keys/queries.ts";
import type { RequestView } from "../../../src/domain/requests/queries.ts";
import type {
  AccessRequest,
  ApiKey,
  AuditEvent,
  Grant,
  Nickname,
  Role,
} from "../../../src/domain/types.ts";
import { dayOf } from "../../../src/domain/usage/days.ts";
import type { KeyUsage } from "../../../src/domain/usage/summary.ts";
import { checkMessage, checkView } from "../../../src/sandbox/standin/limits.ts";
import { auditMessage } from "../../../src/slack/blocks/admin.ts";
import { deleteModal, disableModal, regenerateModal } from "../../../src/slack/blocks/confirm.ts";
import { homeView } from "../../../src/slack/blocks/home.ts";
import { ACTION_ID, CALLBACK_ID } from "../../../src/slack/blocks/ids.ts";
import { keyFormModal, scopeSuggestions } from "../../../src/slack/blocks/key-form.ts";
import { keyDetailMessage, keyListMessage, verbsFor } from "../../../src/slack/blocks/keys.ts";
import {
  actions,
  button,
  type modal,
  packLines,
  section,
} from "../../../src/slack/blocks/layout.ts";
import { renderDigest, renderLeak, rotateModal } from "../../../src/slack/blocks/oncall.ts";
import { requestCard, requestModal, requestsMessage } from "../../../src/slack/blocks/requests.ts";
import { md, plain } from "../../../src/slack/blocks/text.ts";
import {
  decode,
  digestValue,
  keyMenuValue,
  keyMeta,
  keysPageValue,
  requestValue,
} from "../../../src/slack/blocks/values.ts";
import { textOf } from "../../helpers/slack/finders.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const LONG = "Ω".repeat(60);

const key = (id: number, over: Partial<ApiKey> = {}): ApiKey => ({
  id,
  publicId: `Pub${String(id).padStart(5, "0")}`,
  name: `${LONG.slice(0, 50)} ${id}`,
  keyOwner: "U0MEMBER",
  status: "active",
  hasSecret: true,
  createdAt: NOW,
  createdBy: "U0OWNER1",
  updatedAt: NOW,
  updatedBy: "U0OWNER1",
  regeneratedAt: null,
  lastUsedAt: null,
  expiresAt: null,
  version: 3,
  handover: null,
  ...over,
});
const nicknames = (n: number): Nickname[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    nickname: `nick_${String(i).padStart(3, "0")}_${"x".repeat(20)}`,
    kind: i % 3 === 0 ? "seller" : i % 3 === 1 ? "affiliate" : "both",
    createdAt: NOW,
  }));
const grantsOn = (nicks: Nickname[]): Grant[] => [
  ...API_IDS.map((api) => ({ scope: ALL_ACCOUNTS, api, expiresAt: null, requestId: null })),
  ...nicks.map((n) => ({
    scope: n.nickname,
    api: "orders:read" as const,
    expiresAt: new Date(NOW.getTime() + 3_600_000),
    requestId: 7,
  })),
];
/** Usage at its largest: huge counts every day, every grant used through 8 nicknames and also listed as unused. */
const busyUsage = (nicks: Nickname[]): KeyUsage => {
  const today = dayOf(NOW);
  const cells = grantsOn(nicks).map(({ scope, api }) => ({ scope, api }));
  return {
    days: Array.from({ length: 30 }, (_, i) => ({
      day: today - 29 + i,
      calls: i === 3 ? 0 : 1_000_000_000 + i,
      refused: 123_456_789,
    })),
    calls: 29_000_000_000,
    refused: 3_703_703_670,
    grants: cells.map((grant) => ({
      grant,
      calls: 9_999_999_999,
      lastDay: today,
      checks: nicks.slice(0, 8).map((n) => ({
        nickname: n.nickname,
        api: "orders:read" as const,
        grant,
        calls: 5,
        lastDay: today,
      })),
    })),
    countingSince: new Date(NOW.getTime() - 200 * 86_400_000),
    advice: {
      kind: "grants_unused",
      since: today - 30,
      grants: cells.map((c) => ({ ...c, idleDays: 90, lastUsedDay: null, long: true })),
    },
  };
};
const request = (id: number, over: Partial<AccessRequest> = {}): AccessRequest => ({
  id,
  requester: "U0MEMBER",
  keyId: 1,
  keyName: LONG,
  newKey: false,
  cells: [],
  duration: "7d",
  reason: "r".repeat(1000),
  status: "pending",
  createdAt: NOW,
  expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
  remindedAt: null,
  decidedBy: null,
  decidedAt: null,
  decisionReason: null,
  approvedCells: null,
  grantsExpireAt: null,
  notGranted: null,
  revealedAt: null,
  approvals: [],
  escalatedAt: null,
  ...over,
});

/** Every element of every actions block and section accessory, flattened. */
const elements = (blocks: AnyBlock[]): Array<ActionsBlockElement | SectionBlockAccessory> =>
  blocks.flatMap((b): Array<ActionsBlockElement | SectionBlockAccessory> => {
    if (b.type === "actions") return (b as ActionsBlock).elements;
    const accessory = b.type === "section" ? (b as SectionBlock).accessory : undefined;
    return accessory ? [accessory] : [];
  });

describe("the Actions menu", () => {
  it("offers each role what the permission table lets it do, toggle by status", () => {
    const active = key(1);
    const disabled = key(2, { status: "disabled" });
    const menu = (role: Role, k: ApiKey) => verbsFor(role, k);
    expect(menu("owner", active)).toEqual(["edit", "regenerate", "rotate", "disable", "delete"]);
    expect(menu("owner", disabled)).toEqual(["edit", "regenerate", "rotate", "enable", "delete"]);
    expect(menu("oncall", active)).toEqual(["rotate", "disable"]);
    expect(menu("oncall", disabled)).toEqual(["rotate"]);
    expect(menu("member", active)).toEqual([]);
  });
});

describe("key lists", () => {
  const page: KeyPage = {
    items: Array.from({ length: 10 }, (_, i) => ({
      key: key(123_456_789 + i),
      grants: [],
      nicknamesReached: i,
    })),
    total: 31,
    offset: 10,
    limit: 10,
  };

  it("fit a message, with Quick view and a menu whose options carry {verb, keyId}", () => {
    const m = keyListMessage({ page, role: "owner", now: NOW, text: "q".repeat(200) });
    expect(checkMessage(m)).toEqual([]);
    const menus = elements(m.blocks).filter((e) => e.type === "overflow");
    expect(menus).toHaveLength(10);
    for (const o of menus.flatMap((e) => (e.type === "overflow" ? e.options : []))) {
      const v = decode(keyMenuValue, o.value, "bad");
      expect(v.keyId).toBeGreaterThanOrEqual(123_456_789);
    }
  });

  it("page with Previous and Next, each carrying the offset and the (cut) filter", () => {
    const m = keyListMessage({ page, role: "member", now: NOW, text: "q".repeat(200) });
    const nav = elements(m.blocks).filter(
      (e) => e.type === "button" && e.action_id?.startsWith(`${ACTION_ID.keysPage}:`),
    );
    expect(nav.map((b) => (b.type === "button" ? decode(keysPageValue, b.value, "") : 0))).toEqual([
      { offset: 0, text: `${"q".repeat(99)}…` },
      { offset: 20, text: `${"q".repeat(99)}…` },
    ]);
    // Members see no menu at all.
    expect(elements(m.blocks).some((e) => e.type === "overflow")).toBe(false);
  });

  it("show a key with 200 nicknames and every grant within a message's limits", () => {
    const nicks = nicknames(200);
    const m = keyDetailMessage({
      key: key(1),
      grants: grantsOn(nicks),
      nicknames: nicks,
      role: "owner",
      now: NOW,
      usage: busyUsage(nicks),
    });
    expect(checkMessage(m)).toEqual([]);
    expect(JSON.stringify(m.blocks)).toContain("`nick_199_");
  });
});

describe("key modals", () => {
  it("edit: one short multi-select per API, options inline while 10 fit, looked up as one types past that", () => {
    for (const [n, type] of [
      [0, "multi_static_select"],
      [9, "multi_static_select"],
      [10, "multi_external_select"],
      [200, "multi_external_select"],
    ] as const) {
      const nicks = nicknames(n);
      const v = keyFormModal({
        mode: "edit",
        actor: "U0OWNER1",
        key: key(5),
        grants: grantsOn(nicks.slice(0, 2)),
        nicknames: nicks,
        now: NOW,
      });
      expect(checkView(v), `${n} nicknames`).toEqual([]);
      expect(v.callback_id).toBe(CALLBACK_ID.editKey);
      expect(decode(keyMeta, v.private_metadata, "")).toEqual({ keyId: 5, version: 3 });
      const rows = v.blocks.filter(
        (b): b is InputBlock => b.block_id?.startsWith("perm:") ?? false,
      );
      // No checkbox column in a form: each API is one row of chips.
      expect(rows).toHaveLength(API_IDS.length);
      for (const row of rows)
        expect(["multi_static_select", "multi_external_select"]).toContain(row.element.type);
      const analytics = rows.find((b) => b.block_id === "perm:analytics");
      expect(analytics?.element.type).toBe(type);
      // What the key holds comes pre-selected (All accounts at least), time-bound grants say so.
      expect(JSON.stringify(analytics)).toContain("initial_options");
      if (n > 0) expect(JSON.stringify(rows)).toContain(" · until 2026-");
      expect(JSON.stringify(v).length).toBeLessThan(12_000);
    }
  });

  it("edit: the hints stay, and a line above the rows says what the key reaches per nickname", () => {
    const nicks = nicknames(9);
    const v = keyFormModal({
      mode: "edit",
      actor: "U0OWNER1",
      key: key(5),
      grants: [
        { scope: ALL_ACCOUNTS, api: "analytics", expiresAt: null, requestId: null },
        { scope: nicks[0]?.nickname ?? "", api: "orders:write", expiresAt: null, requestId: null },
        { scope: nicks[0]?.nickname ?? "", api: "orders:read", expiresAt: null, requestId: null },
      ],
      nicknames: nicks,
      now: NOW,
    });
    const hint = (api: string) =>
      (v.blocks.find((b) => b.block_id === `perm:${api}`) as InputBlock).hint?.text;
    expect(hint("products")).toContain("sellers only");
    expect(hint("orders:write")).toBe("Read/Write includes Read.");
    const summary = JSON.stringify(v.blocks.filter((b) => b.type === "context"));
    expect(summary).toContain(
      `Today this key reaches 9 of 9 nicknames. All accounts (incl. linked later): Analytics. Beyond that: \`${nicks[0]?.nickname}\` Orders/Tickets Read/Write.`,
    );
    // Past 8 nicknames named, the rest are counted.
    const many = keyFormModal({
      mode: "edit",
      actor: "U0OWNER1",
      key: key(5),
      grants: grantsOn(nicknames(200)).filter((g) => g.scope !== ALL_ACCOUNTS),
      nicknames: nicknames(200),
      now: NOW,
    });
    const manySummary = JSON.stringify(many.blocks.filter((b) => b.type === "context"));
    expect(manySummary).toContain("reaches 200 of 200 nicknames. By name: `nick_000_");
    expect(manySummary).toContain("…and 192 more.");
    // The request modal asks with the same rows.
    const r = requestModal({ nicknames: nicks });
    expect(
      r.blocks
        .filter((b) => b.block_id?.startsWith("perm:"))
        .map((b) => (b as InputBlock).element.type),
    ).toEqual(API_IDS.map(() => "multi_static_select"));
  });

  it("create: no metadata to forge", () => {
    const v = keyFormModal({ mode: "create", actor: "U0OWNER1", nicknames: nicknames(3) });
    expect(checkView(v)).toEqual([]);
    expect(v.private_metadata).toBeUndefined();
    expect(v.submit?.text).toBe("Create");
  });

  it("suggest at most 100 nicknames, sellers only for Products", () => {
    const s = scopeSuggestions("products", nicknames(400), "");
    expect(s).toHaveLength(100);
    expect(s.every((o) => /seller|all accounts/i.test(o.text.text))).toBe(true);
  });

  it("confirm regenerate, delete, disable and rotate naming the key, within a modal's limits", () => {
    const k = key(9);
    const grants = grantsOn(nicknames(200));
    for (const v of [
      regenerateModal({ key: k, grants, now: NOW, actor: "U0OWNER1" }),
      deleteModal({ key: k, grants, now: NOW }),
      disableModal({ key: k, grants, now: NOW, reasonRequired: true }),
      rotateModal({ key: k, grants, now: NOW, actor: "U0ONCALL" }),
    ]) {
      expect(checkView(v), v.callback_id).toEqual([]);
      expect(JSON.stringify(v.blocks)).toContain(k.publicId);
      expect(decode(keyMeta, v.private_metadata, "")).toEqual({ keyId: 9, version: 3 });
    }
  });
});

describe("requests", () => {
  const nicks = nicknames(120);
  const cells = nicks.slice(0, 100).map((n) => ({ scope: n.nickname, api: "analytics" as const }));
  const view = (r: AccessRequest): RequestView => ({
    request: r,
    key: key(1),
    grants: [],
    nicknames: nicks,
    waitingFor: r.status === "pending" ? 1 : 0,
  });

  it("a card with 100 asked cells: checkboxes 10 at a time, Approve and Deny, in 50 blocks", () => {
    const m = requestCard(view(request(42, { cells })), NOW);
    expect(checkMessage(m)).toEqual([]);
    const boxes = elements(m.blocks).filter((e) => e.type === "checkboxes");
    expect(boxes).toHaveLength(10);
    const decide = elements(m.blocks).filter((e) => e.type === "button");
    expect(decide.map((b) => (b.type === "button" ? b.action_id : ""))).toEqual([
      ACTION_ID.approveRequest,
      ACTION_ID.denyRequest,
    ]);
    for (const b of decide) {
      expect(b.type === "button" && decode(requestValue, b.value, "")).toEqual({ requestId: 42 });
    }
  });

  it("a decided card has no buttons left", () => {
    const m = requestCard(
      view(request(42, { cells, status: "denied", decidedBy: "U0OWNER2" })),
      NOW,
    );
    expect(elements(m.blocks)).toEqual([]);
  });

  it("the request modal, and the owners' list of 20 pending, within their limits", () => {
    expect(checkView(requestModal({ nicknames: nicks, chosen: "new" }))).toEqual([]);
    const list = requestsMessage({
      mine: Array.from({ length: 10 }, (_, i) => request(i + 1, { cells })),
      pending: Array.from({ length: 20 }, (_, i) => request(i + 100, { cells })),
    });
    expect(checkMessage(list)).toEqual([]);
  });
});

describe("the Home tab", () => {
  const leak = (id: number): AuditEvent => ({
    id,
    at: NOW,
    actor: "U0MEMBER",
    action: "key.leak_detected",
    keyId: id,
    keyName: LONG,
    keyPublicId: "Pub00001",
    requestId: null,
    subject: "C0GENERAL",
    reason: "z".repeat(1000),
    diff: null,
  });
  // As full as the domain ever makes it.
  const data = (role: Role, userId = role === "owner" ? "U0OWNER1" : "U0MEMBER") => ({
    role,
    userId,
    keys: Array.from({ length: 15 }, (_, i) => key(i + 1)),
    keysTotal: 40,
    allKeys: role === "owner",
    expiring: { keys: Array.from({ length: 5 }, (_, i) => key(i + 1)), total: 40 },
    disabled: { keys: Array.from({ length: 5 }, (_, i) => key(i + 1)), total: 40 },
    activity: Array.from({ length: 10 }, (_, i) => leak(i + 1)),
    requests: Array.from({ length: 15 }, (_, i) => request(i + 1)),
    incidents: Array.from({ length: 5 }, (_, i) => ({ event: leak(i + 1), key: key(i + 1) })),
    rotations: Array.from({ length: 5 }, (_, i) => leak(i + 1)),
    leaks: Array.from({ length: 5 }, (_, i) => leak(i + 1)),
  });

  it("shows owners Create key and Approve all, members neither, every role within 100 blocks", () => {
    const owner = homeView(data("owner"), NOW);
    const member = homeView(data("member"), NOW);
    for (const v of [owner, member, homeView(data("oncall"), NOW)])
      expect(checkView(v)).toEqual([]);
    const ids = (v: typeof owner) =>
      new Set(elements(v.blocks).map((e) => ("action_id" in e ? e.action_id : "")));
    expect(ids(owner).has(ACTION_ID.homeCreate)).toBe(true);
    expect(ids(owner).has(ACTION_ID.approveRequest)).toBe(true);
    expect(ids(member).has(ACTION_ID.homeCreate)).toBe(false);
    expect(ids(member).has(ACTION_ID.approveRequest)).toBe(false);
    expect(ids(member).has(ACTION_ID.homeRequest)).toBe(true);
    // An owner's own requests: Deny (to withdraw) but no Approve, and why, within 100 blocks.
    const asker = homeView(data("owner", "U0MEMBER"), NOW);
    expect(checkView(asker)).toEqual([]);
    expect(ids(asker).has(ACTION_ID.approveRequest)).toBe(false);
    expect(ids(asker).has(ACTION_ID.denyRequest)).toBe(true);
    expect(textOf(asker.blocks)).toContain("This is your own request");
  });
});

describe("on-call surfaces", () => {
  it("a digest of 5 full sections stays a valid message; its buttons carry {verb, id}", () => {
    const items = Array.from({ length: 8 }, (_, i) => ({
      text: `${LONG} ${i}`,
      action: { label: "Disable", kind: "key" as const, id: i + 1, verb: "disable" as const },
    }));
    const m = renderDigest({
      type: "digest",
      generatedAt: NOW.toISOString(),
      sections: [
        ...Array.from({ length: 4 }, (_, i) => ({ title: `Section ${i}`, items })),
        {
          title: "Access requests waiting",
          items: [
            {
              text: "#3",
              action: { label: "Review", kind: "request" as const, id: 3, verb: "review" as const },
            },
          ],
        },
      ],
    });
    expect(checkMessage(m)).toEqual([]);
    const values = elements(m.blocks).map((b) =>
      b.type === "button" ? decode(digestValue, b.value, "") : null,
    );
    expect(values[0]).toEqual({ verb: "disable", keyId: 1 });
    expect(values.at(-1)).toEqual({ verb: "review", requestId: 3 });
    expect(m.text).toBe("Keyward key hygiene digest");
    expect(JSON.stringify(m.blocks)).toContain(
      "As of <!date^1795780800^{date_short_pretty} {time}|2026-11-27 12:00 UTC>",
    );
  });

  it("a leak DM offers those who may rotate a Rotate now button per live key, 5 at most; the thread none", () => {
    const findings = Array.from({ length: 9 }, (_, i) => ({
      publicId: `Pub${i}`,
      key: { id: i + 1, name: `k${i}`, publicId: `Pub${i}` },
      state: "live" as const,
    }));
    const leak = (inThread: boolean) => ({
      type: "leak" as const,
      findings,
      channel: "C0GENERAL",
      messageTs: "1.2",
      poster: "U0MEMBER",
      inThread,
      permalink: "https://x.slack.com/archives/C0GENERAL/p12",
    });
    const buttons = (m: { blocks: KnownBlock[] }) =>
      elements(m.blocks).filter((e) => e.type === "button");
    for (const [m, n] of [
      [renderLeak(leak(false), true), 5],
      [renderLeak(leak(false), false), 0],
      [renderLeak(leak(true), true), 0],
    ] as const) {
      expect(checkMessage(m)).toEqual([]);
      expect(buttons(m)).toHaveLength(n);
    }
    expect(textOf(renderLeak(leak(false)).blocks)).toContain(
      "<https://x.slack.com/archives/C0GENERAL/p12|this message> in <#C0GENERAL>",
    );
  });
});

describe("the audit log", () => {
  it("pages 15 long events within a message, Older carrying {beforeId, keyRef}", () => {
    const event = (id: number): AuditEvent => ({
      id,
      at: NOW,
      actor: "U0OWNER1",
      action: "key.permissions_changed",
      keyId: 1,
      keyName: LONG,
      keyPublicId: "Pub00001",
      requestId: null,
      subject: null,
      reason: "z".repeat(1000),
      diff: { changes: Array.from({ length: 50 }, (_, i) => `+ Analytics API on n${i}`) },
    });
    const m = auditMessage(
      {
        events: Array.from({ length: 15 }, (_, i) => event(100 - i)),
        nextBeforeId: 86,
        keyName: LONG,
      },
      "k".repeat(200),
    );
    expect(checkMessage(m)).toEqual([]);
    // Nothing is cut without saying so: the whole reason, and how many changes are not listed.
    const text = textOf(m.blocks);
    expect(text).toContain(`_Reason:_ ${"z".repeat(1000)}`);
    expect(text).toContain("…and 42 more");
    const older = elements(m.blocks).find((e) => e.type === "button");
    expect(older?.type === "button" && JSON.parse(String(older.value))).toEqual({
      beforeId: 86,
      keyRef: `${"k".repeat(119)}…`,
    });
  });
});

describe("packLines", () => {
  it("never passes its block budget, counting what it left out", () => {
    const lines = Array.from({ length: 500 }, (_, i) => `${i} ${"w".repeat(100)}`);
    const blocks = packLines(lines, 5);
    expect(blocks).toHaveLength(5);
    expect(checkMessage({ text: "x", blocks })).toEqual([]);
    expect(JSON.stringify(blocks.at(-1))).toMatch(/…and \d+ more/);
  });
});

describe("typed Block Kit", () => {
  it("refuses at compile time what Slack would refuse at run time", () => {
    // @ts-expect-error a block type Slack does not have
    const typo: KnownBlock = { type: "sectoin", text: md("x") };
    // @ts-expect-error a button needs its text
    actions("b", [{ type: "button", action_id: "a" }]);
    // @ts-expect-error a header shows plain_text, not mrkdwn
    const wrongTitle: Parameters<typeof modal>[0]["blocks"] = [{ type: "header", text: md("x") }];
    // @ts-expect-error an accessory is an element, not a block
    section("x", { type: "divider" });
    // What does compile is what the builders make.
    const fine: KnownBlock[] = [
      section("x", button("Go", "a", "{}")),
      { type: "header", text: plain("h") },
    ];
    expect([typo, wrongTitle, fine].flat()).toHaveLength(4);
  });
});

describe("form labels and limits", () => {
  const inputs = (v: { blocks: AnyBlock[] }) =>
    v.blocks.filter((b): b is InputBlock => b.type === "input");
  const forms = () => [
    keyFormModal({ mode: "create", actor: "U0OWNER1", nicknames: nicknames(3) }),
    keyFormModal({ mode: "edit", actor: "U0OWNER1", nicknames: nicknames(3), key: key(1) }),
    requestModal({ nicknames: nicknames(3), chosen: "new" }),
    disableModal({ key: key(1), grants: [], now: NOW, reasonRequired: false }),
    disableModal({ key: key(1), grants: [], now: NOW, reasonRequired: true }),
    rotateModal({ key: key(1), grants: [], now: NOW, actor: "U0ONCALL" }),
    regenerateModal({ key: key(1), grants: [], now: NOW, actor: "U0OWNER1" }),
  ];

  it("never says optional twice: Slack adds it to an optional input's label", () => {
    for (const f of forms()) {
      for (const i of inputs(f)) expect(i.label.text).not.toMatch(/optional/i);
    }
  });

  it("states the limit of every text a person types in the hint", () => {
    for (const f of forms()) {
      for (const i of inputs(f)) {
        const el = i.element;
        if (el.type !== "plain_text_input" || el.max_length === undefined) continue;
        expect(i.hint?.text, i.label.text).toMatch(
          new RegExp(`${el.max_length.toLocaleString("en-US")} characters`),
        );
      }
    }
  });
});
