// Every time a person is shown goes through Slack's date formatting, so each sees it in their
// own time zone and locale, with a stated UTC fallback for clients that cannot format it; no
// relative time ("3 minutes ago") is ever frozen into a message, and no bare UTC time either.
import type { HomeView, KnownBlock, ModalView } from "@slack/types";
import { describe, expect, it } from "vitest";
import { renderText } from "../../../src/domain/text.ts";
import type { AccessRequest, ApiKey, AuditEvent, Grant } from "../../../src/domain/types.ts";
import { dayOf } from "../../../src/domain/usage/days.ts";
import type { KeyUsage } from "../../../src/domain/usage/summary.ts";
import { auditMessage } from "../../../src/slack/blocks/admin.ts";
import { deleteModal, disableModal, regenerateModal } from "../../../src/slack/blocks/confirm.ts";
import { expiryReminder, extendModal, letExpireMessage } from "../../../src/slack/blocks/expiry.ts";
import { homeView } from "../../../src/slack/blocks/home.ts";
import {
  keyDetailMessage,
  keyListMessage,
  quickViewModal,
} from "../../../src/slack/blocks/keys.ts";
import { renderChange, renderGrantExpired } from "../../../src/slack/blocks/notices.ts";
import { renderDigest, rotateModal } from "../../../src/slack/blocks/oncall.ts";
import {
  requestCard,
  requestOutcome,
  requestsMessage,
} from "../../../src/slack/blocks/requests.ts";
import { mrkdwnOf, when } from "../../../src/slack/blocks/text.ts";
import { textOf } from "../../helpers/slack/finders.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const EARLIER = new Date("2026-11-20T08:30:00Z");
const LATER = new Date("2026-12-04T23:02:00Z");
const unix = (d: Date) => Math.floor(d.getTime() / 1000);

const key: ApiKey = {
  id: 1,
  publicId: "AbCd1234",
  name: "Billing sync",
  keyOwner: "U0MEMBER",
  status: "active",
  hasSecret: true,
  createdAt: EARLIER,
  createdBy: "U0OWNER1",
  updatedAt: EARLIER,
  updatedBy: "U0OWNER1",
  regeneratedAt: EARLIER,
  lastUsedAt: EARLIER,
  expiresAt: LATER,
  version: 1,
  handover: null,
};
const grants: Grant[] = [{ scope: "acme", api: "analytics", expiresAt: LATER, requestId: 3 }];
const nicknames = [{ id: 1, nickname: "acme", kind: "seller" as const, createdAt: EARLIER }];
const request = (over: Partial<AccessRequest> = {}): AccessRequest => ({
  id: 3,
  requester: "U0MEMBER",
  keyId: 1,
  keyName: "Billing sync",
  newKey: false,
  cells: [{ scope: "acme", api: "analytics" }],
  duration: "7d",
  reason: "Nightly reconciliation job for finance",
  status: "pending",
  createdAt: EARLIER,
  expiresAt: LATER,
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
const approved = request({
  status: "approved",
  decidedBy: "U0OWNER1",
  decidedAt: EARLIER,
  approvedCells: [{ scope: "acme", api: "analytics" }],
});
const event: AuditEvent = {
  id: 9,
  at: EARLIER,
  actor: "U0OWNER1",
  action: "key.regenerated",
  keyId: 1,
  keyName: "Billing sync",
  keyPublicId: "AbCd1234",
  requestId: null,
  subject: null,
  reason: null,
  diff: null,
};

const modal = (v: ModalView | HomeView) => v.blocks as KnownBlock[];

/** Every surface that shows a time, built with times in it. */
// Usage counted for the last 10 of 30 days, and a key idle since a known moment: both dates
// must reach Slack as date tokens too.
const usage: KeyUsage = {
  days: Array.from({ length: 30 }, (_, n) => ({
    day: dayOf(NOW) - 29 + n,
    calls: n < 20 ? null : 0,
    refused: 0,
  })),
  calls: 0,
  refused: 0,
  grants: [],
  countingSince: new Date(NOW.getTime() - 10 * 86_400_000),
  advice: { kind: "key_unused", lastUsedAt: new Date("2026-08-01T09:30:00Z"), idleDays: 118 },
};

const surfaces: Array<[string, unknown]> = [
  [
    "key list",
    keyListMessage({
      page: { items: [{ key, grants, nicknamesReached: 1 }], total: 1, offset: 0, limit: 10 },
      role: "owner",
      now: NOW,
    }).blocks,
  ],
  [
    "key details",
    keyDetailMessage({ key, grants, nicknames, role: "owner", now: NOW, usage }).blocks,
  ],
  ["quick view", modal(quickViewModal({ key, grants, nicknames, now: NOW, usage, role: "owner" }))],
  ["regenerate", modal(regenerateModal({ key, grants, now: NOW, actor: "U0OWNER1" }))],
  ["delete", modal(deleteModal({ key, grants, now: NOW }))],
  ["disable", modal(disableModal({ key, grants, now: NOW, reasonRequired: false }))],
  ["rotate", modal(rotateModal({ key, grants, now: NOW, actor: "U0ONCALL" }))],
  [
    "pending card",
    requestCard({ request: request(), key, grants, nicknames, waitingFor: 1 }, NOW).blocks,
  ],
  [
    "decided card",
    requestCard({ request: approved, key, grants, nicknames, waitingFor: 0 }, NOW).blocks,
  ],
  ["outcome", requestOutcome({ request: approved, key, grants, nicknames, waitingFor: 0 }).blocks],
  ["request list", requestsMessage({ mine: [approved], pending: [request()] }).blocks],
  [
    "change DM",
    renderChange(
      {
        type: "change",
        title: "API key regenerated",
        actor: "U0OWNER1",
        key,
        changes: ["The old secret stopped working at once."],
        reason: null,
        urgent: false,
        incidentLink: null,
        hint: null,
      },
      NOW,
    ).blocks,
  ],
  [
    "grant expired DM",
    renderGrantExpired(
      { type: "grant_expired", key, cells: [{ scope: "acme", api: "analytics" }], requestId: 3 },
      NOW,
    ).blocks,
  ],
  [
    "expiry reminder DM",
    expiryReminder({
      type: "expiry_reminder",
      subject: "grants",
      key,
      requestId: 3,
      cells: [{ scope: "acme", api: "analytics" }],
      expiresAt: LATER.toISOString(),
      stage: "7d",
    }).blocks,
  ],
  [
    "reminder left to expire",
    letExpireMessage(
      { subject: "key", key, requestId: null, cells: [], expiresAt: LATER },
      "U0OWNER1",
      false,
    ).blocks,
  ],
  [
    "Extend modal",
    extendModal(
      { subject: "key", id: key.id, key, requestId: null, cells: [], expiresAt: LATER },
      [30, 90],
      90,
    ).blocks,
  ],
  ["audit log", auditMessage({ events: [event], nextBeforeId: null, keyName: null }).blocks],
  ["digest", renderDigest({ type: "digest", sections: [], generatedAt: NOW.toISOString() }).blocks],
  [
    "Home",
    modal(
      homeView(
        {
          role: "owner",
          userId: "U0OWNER1",
          keys: [key],
          keysTotal: 1,
          allKeys: true,
          expiring: { keys: [key], total: 1 },
          disabled: { keys: [], total: 0 },
          activity: [event],
          requests: [request()],
          incidents: [],
          rotations: [],
          leaks: [],
        },
        NOW,
      ),
    ),
  ],
];

describe("times", () => {
  it("formats a time with Slack's date formatting, its fallback in UTC and saying so", () => {
    expect(when(LATER)).toBe(
      `<!date^${unix(LATER)}^{date_short_pretty} {time}|2026-12-04 23:02 UTC>`,
    );
  });

  it("turns a time in the domain's text into Slack's date formatting, and plain text into UTC", () => {
    const text = `Keeps working until {{date:${unix(LATER)}}}.`;
    expect(mrkdwnOf(text)).toBe(`Keeps working until ${when(LATER)}.`);
    expect(
      renderText(
        text,
        (s) => s,
        (id) => id,
      ),
    ).toBe("Keeps working until 2026-12-04 23:02 UTC.");
  });

  for (const [name, blocks] of surfaces) {
    it(`${name}: every time is Slack-formatted, none relative or bare`, () => {
      const text = textOf(blocks);
      expect(text).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+ UTC>/);
      const outsideTokens = text.replace(/<!date\^[^>]*>/g, "");
      expect(outsideTokens).not.toMatch(/\bago\b|\bin (about|less|over|almost|\d)|less than a/);
      expect(outsideTokens).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{2}:\d{2}/);
    });
  }
});
