// Anything a person can type — key names, reasons, request names, command arguments — goes
// through the real use cases and every renderer (each notice type, cards, the digest, lists,
// the Home tab, the audit log, refusals) and reaches Slack with no live mention, broadcast or
// link that Keyward did not put there itself. Property-based (fast-check).
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listAudit } from "../../../src/domain/audit/list.ts";
import type { Ctx } from "../../../src/domain/context.ts";
import { DomainError } from "../../../src/domain/errors.ts";
import { homeData } from "../../../src/domain/home.ts";
import { createKey } from "../../../src/domain/keys/create.ts";
import { disableKey } from "../../../src/domain/keys/disable.ts";
import { editKey } from "../../../src/domain/keys/edit.ts";
import { getKey, listKeys } from "../../../src/domain/keys/queries.ts";
import { rotateKey } from "../../../src/domain/keys/rotate.ts";
import { addNickname } from "../../../src/domain/nicknames/add.ts";
import { listNicknames } from "../../../src/domain/nicknames/list.ts";
import { buildDigest } from "../../../src/domain/oncall/digest.ts";
import { createRequest } from "../../../src/domain/requests/create.ts";
import { approveRequest, denyRequest } from "../../../src/domain/requests/decide.ts";
import { expireGrants, remindOwners } from "../../../src/domain/requests/expire.ts";
import { listRequests } from "../../../src/domain/requests/queries.ts";
import { addRole } from "../../../src/domain/roles/add.ts";
import { utcMinute } from "../../../src/domain/text.ts";
import { keyUsage } from "../../../src/domain/usage/summary.ts";
import { createLog } from "../../../src/log.ts";
import { createRenderer } from "../../../src/notify/render.ts";
import { auditMessage } from "../../../src/slack/blocks/admin.ts";
import { deleteModal, disableModal, regenerateModal } from "../../../src/slack/blocks/confirm.ts";
import { homeView } from "../../../src/slack/blocks/home.ts";
import {
  keyDetailMessage,
  keyListMessage,
  quickViewModal,
} from "../../../src/slack/blocks/keys.ts";
import { rotateModal } from "../../../src/slack/blocks/oncall.ts";
import { denyModal, requestModal, requestsMessage } from "../../../src/slack/blocks/requests.ts";
import { messageFor } from "../../../src/slack/replies.ts";
import { DAY } from "../../helpers/clock.ts";
import { rows } from "../../helpers/db-rows.ts";
import { MEMBER, ONCALL, OWNER, OWNER2, type TestStore, testStore } from "../../helpers/store.ts";

const CHANNEL = "C0GENERAL";
/** The only people, channels and links Keyward itself may make live in these scenarios. */
const PEOPLE = new Set([OWNER, OWNER2, ONCALL, MEMBER]);
const INCIDENT = "https://status.example/incident/42";

/** What a hostile person types: Slack markup, placeholders, escapes, and anything at all. */
const DANGER = [
  "<!channel>",
  "<!here>",
  "<!everyone>",
  "<!subteam^S0VICTIM3|devs>",
  "<!date^1700000000^{date}|x>",
  "<@U0VICTIM1>",
  "<@W0VICTIM2|boss>",
  "<#C0VICTIM4>",
  "<https://e.vil|your bank>",
  "<mailto:a@e.vil|mail>",
  "{{user:U0VICTIM1}}",
  "{{user:W0VICTIM2}}",
  "\\{{user:U0VICTIM1}}",
  "{\\{user:U0VICTIM1}}",
  "\\",
  "\\\\",
  "&lt;!channel&gt;",
  "&amp;",
  "&",
  "<",
  ">",
  "|",
  "{",
  "}",
  "{{",
  "}}",
  "*",
  "`",
  "@channel",
  "https://e.vil",
];
const typed = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...DANGER) },
      { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(""));

/** A name that passes validation (1–60 characters, no control characters), still hostile. */
const nameFrom = (s: string, i: number) =>
  `${i} ${[...s].filter((c) => (c.codePointAt(0) ?? 0) >= 0x20 && c !== "\u007f").join("")}`
    .slice(0, 58)
    .trim();

type Out = { text?: unknown; blocks?: unknown } | Record<string, unknown>;

/** Every string Slack reads as mrkdwn: message `text` and mrkdwn text objects. */
function mrkdwnIn(out: Out): string[] {
  const found: string[] = [];
  if (typeof (out as { text?: unknown }).text === "string" && "blocks" in out)
    found.push((out as { text: string }).text);
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== "object" || v === null) return;
    const o = v as Record<string, unknown>;
    if (o.type === "mrkdwn" && typeof o.text === "string") found.push(o.text);
    for (const x of Object.values(o)) walk(x);
  };
  walk((out as { blocks?: unknown }).blocks ?? out);
  return found;
}

/** Live tokens Keyward did not make: mentions of others, broadcasts, disguised links. */
function foreignTokens(text: string): string[] {
  const bad: string[] = [];
  for (const [, inner = ""] of text.matchAll(/<([^<>]*)>/g)) {
    const [target = "", label] = inner.split("|");
    if (target.startsWith("@")) {
      if (!PEOPLE.has(target.slice(1)) || label !== undefined) bad.push(inner);
    } else if (target.startsWith("#")) {
      if (target !== `#${CHANNEL}`) bad.push(inner);
    } else if (target.startsWith("!")) {
      // Keyward's own dates: exactly the format it writes, the fallback the same moment in UTC.
      const date = /^!date\^(\d+)\^\{date_short_pretty\} \{time\}$/.exec(target);
      if (!date || label !== utcMinute(new Date(Number(date[1]) * 1000))) bad.push(inner);
    } else if (label !== undefined && decodeEntities(label) !== target) {
      bad.push(inner);
    }
  }
  return bad;
}

const decodeEntities = (s: string) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

function expectClean(what: string, out: Out): void {
  for (const text of mrkdwnIn(out)) {
    expect(foreignTokens(text), `${what}: ${text.slice(0, 300)}`).toEqual([]);
  }
}

let t: TestStore;
let ctx: Ctx;
let run = 0;

beforeAll(async () => {
  t = await testStore("sqlite", [OWNER, OWNER2]);
  ctx = t.ctx;
  await addRole(ctx, OWNER, { userId: ONCALL, role: "oncall" });
  await addNickname(ctx, OWNER, { nickname: "acme", kind: "both" });
});
afterAll(() => t.cleanup());

/** Runs a use case that may refuse; a refusal is rendered the two ways people see refusals. */
async function attempt<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    // In a message (mrkdwn); under a modal field it is plain text, which Slack never parses.
    expectClean(`${what} (refusal)`, {
      text: messageFor({ ctx, log: createLog("silent") }, e, what),
      blocks: [],
    });
    return undefined;
  }
}

it("renders anything a person typed without live mentions, broadcasts or disguised links", async () => {
  await fc.assert(
    fc.asyncProperty(typed, typed, typed, typed, async (a, b, reason, ref) => {
      run += 1;
      const outboxBefore = Number(rows(t.store, "select max(id) as id from outbox")[0]?.id ?? 0);
      const name = nameFrom(a, run);
      const why = `Because ${reason}`.slice(0, 900);

      // Names as typed (refused or not), then valid hostile ones for the rest of the story.
      await attempt("create", () =>
        createKey(ctx, OWNER, { name: a, keyOwner: MEMBER, cells: [], expiresAt: null }),
      );
      const { key } = await createKey(ctx, OWNER, {
        name,
        keyOwner: MEMBER,
        cells: [{ scope: "acme", api: "analytics" }],
        expiresAt: null,
      });
      await attempt("duplicate", () =>
        createKey(ctx, OWNER, { name, keyOwner: MEMBER, cells: [], expiresAt: null }),
      );
      await attempt("rename as typed", () => editKey(ctx, OWNER, { keyId: key.id, name: b }));
      const renamed = nameFrom(b, run);
      await attempt("rename", () => editKey(ctx, OWNER, { keyId: key.id, name: renamed }));
      await attempt("find", () => getKey(ctx, ref));

      // A new key asked for under a hostile name and reason, approved; another denied.
      const asked = await attempt("request", () =>
        createRequest(ctx, MEMBER, {
          keyId: null,
          newKeyName: nameFrom(`${b}${a}`, run),
          cells: [{ scope: "acme", api: "orders:read" }],
          duration: "1d",
          reason: why,
        }),
      );
      if (asked) await approveRequest(ctx, OWNER, { requestId: asked.request.id });
      const onKey = await attempt("request on key", () =>
        createRequest(ctx, MEMBER, {
          keyId: key.id,
          cells: [{ scope: "acme", api: "products" }],
          duration: "7d",
          reason: why,
        }),
      );
      if (onKey)
        await attempt("deny", () =>
          denyRequest(ctx, OWNER2, { requestId: onKey.request.id, reason: `No: ${reason}` }),
        );
      const waiting = await attempt("waiting request", () =>
        createRequest(ctx, MEMBER, {
          keyId: null,
          newKeyName: nameFrom(`w${a}`, run),
          cells: [{ scope: "acme", api: "analytics" }],
          duration: "permanent",
          reason: why,
        }),
      );

      // On-call rotates it, a leak is reported, it is disabled twice.
      await attempt("rotate", () =>
        rotateKey(ctx, ONCALL, {
          keyId: key.id,
          reason: `Leaked: ${reason}`,
          incidentLink: INCIDENT,
          mode: { kind: "rotate", grace: "none" },
        }),
      );
      await attempt("disable", () => disableKey(ctx, OWNER, { keyId: key.id, reason }));
      await attempt("disable again", () => disableKey(ctx, OWNER, { keyId: key.id, reason }));

      // Every notice written, rendered as the worker renders it.
      const render = createRenderer(ctx);
      const notices = rows<{ id: number; notice: string; created_at: number }>(
        t.store,
        "select id, payload as notice, created_at from outbox where id > ?",
        outboxBefore,
      );
      expect(notices.length).toBeGreaterThan(0);
      for (const n of notices) {
        const notice = JSON.parse(n.notice);
        const out = await render(notice, new Date(n.created_at), OWNER);
        expect(out, notice.type).not.toBeNull();
        expectClean(`notice ${notice.type}`, out as Out);
      }

      // Time passes: grants expire, owners are reminded, the digest lists everything.
      t.clock.advance(2 * DAY);
      const before = Number(rows(t.store, "select max(id) as id from outbox")[0]?.id ?? 0);
      await expireGrants(ctx);
      await remindOwners(ctx);
      for (const n of rows<{ notice: string; created_at: number }>(
        t.store,
        "select payload as notice, created_at from outbox where id > ?",
        before,
      )) {
        const notice = JSON.parse(n.notice);
        expectClean(
          `notice ${notice.type}`,
          (await render(notice, new Date(n.created_at), OWNER)) as Out,
        );
      }
      const digest = await buildDigest(ctx, { inWorkspace: async (u) => u !== MEMBER });
      expectClean("digest", (await render(digest, t.clock.now(), OWNER)) as Out);

      // Lists, the key, its modals, the Home tab, requests and the audit log.
      const now = t.clock.now();
      const page = await listKeys(ctx, { text: ref.slice(0, 100), offset: 0, limit: 10 });
      expectClean("list", keyListMessage({ page, role: "owner", now, text: ref.slice(0, 100) }));
      const all = await listKeys(ctx, { offset: 0, limit: 10 });
      expectClean("list all", keyListMessage({ page: all, role: "owner", now }));
      const { key: k, grants } = await getKey(ctx, key.id);
      const nicknames = await listNicknames(ctx);
      const usage = await keyUsage(ctx, k);
      expectClean(
        "show",
        keyDetailMessage({ key: k, grants, nicknames, role: "owner", now, usage }),
      );
      expectClean(
        "quick view",
        quickViewModal({ key: k, grants, nicknames, now, usage, role: "owner" }),
      );
      expectClean("regenerate", regenerateModal({ key: k, grants, now, actor: OWNER }));
      expectClean("delete", deleteModal({ key: k, grants, now }));
      expectClean("disable", disableModal({ key: k, grants, now, reasonRequired: true }));
      expectClean("rotate", rotateModal({ key: k, grants, now, actor: ONCALL }));
      expectClean("request modal", requestModal({ nicknames, chosen: { key: k, grants } }));
      expectClean("home", homeView(await homeData(ctx, OWNER), now));
      expectClean("home (member)", homeView(await homeData(ctx, MEMBER), now));
      expectClean("requests", requestsMessage(await listRequests(ctx, OWNER)));
      if (waiting) expectClean("deny modal", denyModal(waiting.request));
      expectClean("audit", auditMessage(await listAudit(ctx, OWNER, { limit: 15 }), ref));
    }),
    { numRuns: 25 },
  );
});
