// Key hygiene: what deserves an owner's attention this week. Weekly by DM, or on demand.

import { WRITE_APIS } from "../catalog.ts";
import type { Ctx } from "../context.ts";
import { lifetimeSections } from "../expiry/lifetime.ts";
import { describeCell } from "../grants.ts";
import type { DigestAction, DigestItem, DigestNotice, DigestSection } from "../notices.ts";
import { may, requirePermission, type Verb } from "../permissions.ts";
import type { PeopleDirectory } from "../ports.ts";
import { quote, timeRef } from "../text.ts";
import type { AccessRequest, ApiKey, Grant, Role } from "../types.ts";
import { leastPrivilegeSections } from "../usage/digest-sections.ts";

const DAY = 24 * 60 * 60 * 1000;
const UNUSED_DAYS = 90;
const EXPIRING_DAYS = 14;
const PER_SECTION = 8;
const DIGEST_JOB = "weekly-digest";

const keyText = (k: ApiKey) => `${quote(k.name)} (${k.publicId})`;

/**
 * A section of the first PER_SECTION items and the count of all. With `toItem`, only those
 * shown are built (a large account can match 100,000 keys; their texts are never needed).
 */
function sectionOf(title: string, items: DigestItem[]): DigestSection;
function sectionOf<T>(title: string, all: T[], toItem: (x: T) => DigestItem): DigestSection;
function sectionOf<T>(title: string, all: T[], toItem?: (x: T) => DigestItem): DigestSection {
  const first = all.slice(0, PER_SECTION);
  const shown = toItem ? first.map(toItem) : (first as DigestItem[]);
  const items = all;
  const more = items.length - shown.length;
  return {
    title: `${title} (${items.length})${more > 0 ? ` — the first ${PER_SECTION}` : ""}`,
    items: shown,
  };
}

/** Keys (and their grants) read per transaction while building a digest. */
export const DIGEST_PAGE = 200;

/**
 * Every key and its grants, read in pages of `pageSize` keys, one short transaction each, the
 * event loop getting a turn between pages: with 100,000 keys one read of everything would hold
 * it (SQLite reads synchronously) for as long as the read takes. A change committed between
 * two pages may be seen by the later page only; a digest is advice, not a snapshot.
 */
async function keysInPages(
  ctx: Ctx,
  pageSize: number,
  onPage: (keys: ApiKey[], grants: Map<number, Grant[]>) => void,
): Promise<ApiKey[]> {
  const keys: ApiKey[] = [];
  for (let after = 0; ; ) {
    if (keys.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const page = await ctx.uow.run(async (tx) => {
      const ks = await tx.keys.page(after, pageSize);
      return { ks, gs: await tx.grants.forKeys(ks.map((k) => k.id)) };
    });
    for (const k of page.ks) keys.push(k);
    onPage(page.ks, page.gs);
    const last = page.ks.at(-1);
    if (!last || page.ks.length < pageSize) return keys;
    after = last.id;
  }
}

export async function buildDigest(
  ctx: Ctx,
  people: PeopleDirectory,
  o: { pageSize?: number } = {},
): Promise<DigestNotice> {
  const now = ctx.clock.now();
  const t = now.getTime();
  // Each page is sorted as it is read: one pass over 100,000 keys and their grants at the
  // end held the event loop for 40-60 ms. Grants are not kept past their page.
  const unused: ApiKey[] = [];
  const wideWrite: Array<{ k: ApiKey; g: Grant }> = [];
  const expiring: ApiKey[] = [];
  const owners = new Set<string>();
  const keys = await keysInPages(ctx, o.pageSize ?? DIGEST_PAGE, (ks, gs) => {
    for (const k of ks) {
      owners.add(k.keyOwner);
      if ((k.lastUsedAt ?? k.createdAt).getTime() <= t - UNUSED_DAYS * DAY) unused.push(k);
      for (const g of gs.get(k.id) ?? [])
        if (g.scope === "*" && WRITE_APIS.includes(g.api)) wideWrite.push({ k, g });
      const ends = k.expiresAt?.getTime();
      if (ends !== undefined && ends > t && ends <= t + EXPIRING_DAYS * DAY) expiring.push(k);
    }
  });
  const pending = await ctx.uow.run((tx) => tx.requests.list({ status: "pending", limit: 100 }));
  // Slack is asked outside any transaction; an unanswered question flags nothing.
  const gone = new Set<string>();
  for (const owner of owners) if ((await people.inWorkspace(owner)) === false) gone.add(owner);
  const orphaned = gone.size ? keys.filter((k) => gone.has(k.keyOwner)) : [];
  const act = (k: ApiKey, label: string, verb: "disable" | "edit"): DigestAction => ({
    label,
    kind: "key",
    id: k.id,
    verb,
  });

  const sections: DigestSection[] = [
    sectionOf(`Unused for ${UNUSED_DAYS} days`, unused, (k) => ({
      text: `${keyText(k)}: ${k.lastUsedAt ? `last used ${timeRef(k.lastUsedAt)}` : `never used, created ${timeRef(k.createdAt)}`}`,
      action: act(k, "Disable", "disable"),
    })),
    ...(await leastPrivilegeSections(ctx, keys, now)).map((s) => sectionOf(s.title, s.items)),
    ...lifetimeSections(ctx, keys, now).map((s) => sectionOf(s.title, s.items)),
    sectionOf("Key owner no longer in the workspace", orphaned, (k) => ({
      text: `${keyText(k)}: key owner {{user:${k.keyOwner}}}`,
      action: act(k, "Edit", "edit"),
    })),
    sectionOf("All accounts on a write API", wideWrite, ({ k, g }) => ({
      text: `${keyText(k)}: ${describeCell(g)}`,
      action: act(k, "Edit", "edit"),
    })),
    sectionOf(`Expiring within ${EXPIRING_DAYS} days`, expiring, (k) => ({
      text: `${keyText(k)}: expires ${timeRef(k.expiresAt as Date)}`,
      action: act(k, "Edit", "edit"),
    })),
    sectionOf(
      "Access requests waiting",
      pending.map((r: AccessRequest) => ({
        text: `#${r.id} from {{user:${r.requester}}} for ${r.newKey ? "a new key " : ""}${quote(r.keyName)}, asked ${timeRef(r.createdAt)}`,
        action: { label: "Review", kind: "request" as const, id: r.id, verb: "review" },
      })),
    ),
  ];
  return { type: "digest", sections, generatedAt: now.toISOString() };
}

/** `/apikeys digest`: owners and on-call engineers. */
export async function digestFor(
  ctx: Ctx,
  actor: string,
  people: PeopleDirectory,
): Promise<DigestNotice> {
  const role = await ctx.uow.run((tx) => requirePermission(ctx, tx, actor, "digest"));
  return forRole(await buildDigest(ctx, people), role);
}

/** What each digest button does, by the permission table's verbs. */
const verbOf = (a: DigestAction): Verb =>
  a.kind === "key" ? a.verb : a.kind === "request" ? "decide" : "edit";

/** The digest as this role sees it: no button it would only be refused at. */
export function forRole(d: DigestNotice, role: Role): DigestNotice {
  return {
    ...d,
    sections: d.sections.map((s) => ({
      ...s,
      items: s.items.map((item) =>
        item.action && !may(role, verbOf(item.action)) ? { ...item, action: null } : item,
      ),
    })),
  };
}

/** The weekly DM to each owner. The first run only starts the clock. */
export async function sendWeeklyDigest(ctx: Ctx, people: PeopleDirectory): Promise<number> {
  const now = ctx.clock.now();
  const last = await ctx.uow.run((tx) => tx.jobRuns.lastRun(DIGEST_JOB));
  if (!last) {
    await ctx.uow.run((tx) => tx.jobRuns.markRun(DIGEST_JOB, now));
    return 0;
  }
  if (now.getTime() - last.getTime() < 7 * DAY) return 0;
  const digest = await buildDigest(ctx, people);
  return ctx.uow.run(async (tx) => {
    // Checked again inside the transaction: two runs racing send one digest.
    const again = await tx.jobRuns.lastRun(DIGEST_JOB);
    if (again && now.getTime() - again.getTime() < 7 * DAY) return 0;
    const owners = await tx.roles.owners();
    await tx.outbox.enqueue(
      owners.map((recipient) => ({ kind: "dm" as const, recipient, notice: digest })),
      now,
    );
    await tx.jobRuns.markRun(DIGEST_JOB, now);
    return owners.length;
  });
}
