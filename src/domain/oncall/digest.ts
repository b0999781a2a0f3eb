// Key hygiene: what deserves an owner's attention this week. Weekly by DM, or on demand.

import { WRITE_APIS } from "../catalog.ts";
import type { Ctx } from "../context.ts";
import { lifetimeItem, lifetimeTitle, overLifetime } from "../expiry/lifetime.ts";
import { describeCell } from "../grants.ts";
import type { DigestAction, DigestItem, DigestNotice, DigestSection } from "../notices.ts";
import { may, requirePermission, type Verb } from "../permissions.ts";
import type { PeopleDirectory } from "../ports.ts";
import { Shortlist } from "../shortlist.ts";
import { quote, timeRef } from "../text.ts";
import type { AccessRequest, ApiKey, Grant, Role } from "../types.ts";
import { leastPrivilege } from "../usage/digest-sections.ts";

const DAY = 24 * 60 * 60 * 1000;
const UNUSED_DAYS = 90;
const EXPIRING_DAYS = 14;
const PER_SECTION = 8;
const DIGEST_JOB = "weekly-digest";

const keyText = (k: ApiKey) => `${quote(k.name)} (${k.publicId})`;

/** A section of the first items and the count of all: "Title (count) — the first 8". */
function sectionOf(title: string, count: number, items: DigestItem[]): DigestSection {
  return {
    title: `${title} (${count})${count > items.length ? ` — the first ${PER_SECTION}` : ""}`,
    items,
  };
}

/** Keys (and their grants) read per transaction while building a digest. */
export const DIGEST_PAGE = 100;

/** A macrotask boundary: requests that arrived meanwhile are answered first. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Every key and its grants, read in pages of `pageSize` keys, one short transaction each, the
 * event loop getting a turn between pages: with 100,000 keys one read of everything would hold
 * it (SQLite reads synchronously) for as long as the read takes. A change committed between
 * two pages may be seen by the later page only; a digest is advice, not a snapshot.
 */
async function keysInPages(
  ctx: Ctx,
  pageSize: number,
  onPage: (keys: ApiKey[], grants: Map<number, Grant[]>) => Promise<void>,
): Promise<void> {
  for (let after = 0, first = true; ; first = false) {
    if (!first) await turn();
    const page = await ctx.uow.run(async (tx) => {
      const ks = await tx.keys.page(after, pageSize);
      return { ks, gs: await tx.grants.forKeys(ks.map((k) => k.id)) };
    });
    await onPage(page.ks, page.gs);
    const last = page.ks.at(-1);
    if (!last || page.ks.length < pageSize) return;
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
  // Each page is sorted as it is read, and of each section only the first few are kept (and
  // counted): holding every key, and a text for each match, grew the heap by 250 MB at
  // 100,000 keys and left the collector pauses of 10-25 ms. Grants are not kept past their
  // page.
  const unused = new Shortlist<ApiKey>(PER_SECTION);
  const wideWrite = new Shortlist<{ k: ApiKey; g: Grant }>(PER_SECTION);
  const expiring = new Shortlist<ApiKey>(PER_SECTION);
  const overLifetimeKeys = new Shortlist<ApiKey>(PER_SECTION);
  // Per key owner, so that the keys of owners who left can be listed once Slack has said who.
  const byOwner = new Map<string, Shortlist<ApiKey>>();
  const privilege = await leastPrivilege(ctx, now, PER_SECTION);
  await keysInPages(ctx, o.pageSize ?? DIGEST_PAGE, async (ks, gs) => {
    for (const k of ks) {
      let owned = byOwner.get(k.keyOwner);
      if (!owned) {
        owned = new Shortlist<ApiKey>(PER_SECTION);
        byOwner.set(k.keyOwner, owned);
      }
      owned.add(k);
      if ((k.lastUsedAt ?? k.createdAt).getTime() <= t - UNUSED_DAYS * DAY) unused.add(k);
      for (const g of gs.get(k.id) ?? [])
        if (g.scope === "*" && WRITE_APIS.includes(g.api)) wideWrite.add({ k, g });
      const ends = k.expiresAt?.getTime();
      if (ends !== undefined && ends > t && ends <= t + EXPIRING_DAYS * DAY) expiring.add(k);
      if (overLifetime(ctx, k, now)) overLifetimeKeys.add(k);
    }
    // The page's use counts in a transaction of their own, in a later turn of the loop: read
    // with the page, they made one block twice as long.
    await turn();
    await ctx.uow.run((tx) => privilege.add(tx, ks));
  });
  const pending = await ctx.uow.run((tx) => tx.requests.list({ status: "pending", limit: 100 }));
  // Slack is asked outside any transaction; an unanswered question flags nothing.
  const gone: Array<Shortlist<ApiKey>> = [];
  for (const [owner, owned] of byOwner) {
    if ((await people.inWorkspace(owner)) === false) gone.push(owned);
  }
  const orphaned = Shortlist.merge(gone, PER_SECTION, (a, b) => a.id - b.id);
  const act = (k: ApiKey, label: string, verb: "disable" | "edit"): DigestAction => ({
    label,
    kind: "key",
    id: k.id,
    verb,
  });
  const shown = <T>(list: Shortlist<T>, toItem: (x: T) => DigestItem) => list.first.map(toItem);
  const lifetime = lifetimeTitle(ctx);

  const sections: DigestSection[] = [
    sectionOf(
      `Unused for ${UNUSED_DAYS} days`,
      unused.count,
      shown(unused, (k) => ({
        text: `${keyText(k)}: ${k.lastUsedAt ? `last used ${timeRef(k.lastUsedAt)}` : `never used, created ${timeRef(k.createdAt)}`}`,
        action: act(k, "Disable", "disable"),
      })),
    ),
    ...privilege.sections().map((s) => sectionOf(s.title, s.count, s.items)),
    ...(lifetime
      ? [
          sectionOf(
            lifetime,
            overLifetimeKeys.count,
            shown(overLifetimeKeys, (k) => lifetimeItem(ctx, k)),
          ),
        ]
      : []),
    sectionOf(
      "Key owner no longer in the workspace",
      orphaned.count,
      shown(orphaned, (k) => ({
        text: `${keyText(k)}: key owner {{user:${k.keyOwner}}}`,
        action: act(k, "Edit", "edit"),
      })),
    ),
    sectionOf(
      "All accounts on a write API",
      wideWrite.count,
      shown(wideWrite, ({ k, g }) => ({
        text: `${keyText(k)}: ${describeCell(g)}`,
        action: act(k, "Edit", "edit"),
      })),
    ),
    sectionOf(
      `Expiring within ${EXPIRING_DAYS} days`,
      expiring.count,
      shown(expiring, (k) => ({
        text: `${keyText(k)}: expires ${timeRef(k.expiresAt as Date)}`,
        action: act(k, "Edit", "edit"),
      })),
    ),
    sectionOf(
      "Access requests waiting",
      pending.length,
      pending.slice(0, PER_SECTION).map((r: AccessRequest) => ({
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
