// Key hygiene: what deserves an owner's attention this week. Weekly by DM, or on demand.

import type { Ctx } from "../context.ts";
import { lifetimeItem, lifetimeTitle } from "../expiry/lifetime.ts";
import { describeCell } from "../grants.ts";
import type { DigestAction, DigestItem, DigestNotice, DigestSection } from "../notices.ts";
import { may, requirePermission, type Verb } from "../permissions.ts";
import type { PeopleDirectory } from "../ports.ts";
import type { Listed } from "../shortlist.ts";
import { quote, timeRef } from "../text.ts";
import type { AccessRequest, ApiKey, Role } from "../types.ts";
import { privilegeSections } from "../usage/digest-sections.ts";
import { ownersIn } from "./key-owners.ts";
import { EXPIRING_DAYS, PER_SECTION, scanKeys, turn, UNUSED_DAYS } from "./key-scan.ts";

const DAY = 24 * 60 * 60 * 1000;
const DIGEST_JOB = "weekly-digest";

const keyText = (k: ApiKey) => `${quote(k.name)} (${k.publicId})`;

/** A section of the first items and the count of all: "Title (count) — the first 8". */
function sectionOf(title: string, count: number, items: DigestItem[]): DigestSection {
  return {
    title: `${title} (${count})${count > items.length ? ` — the first ${items.length}` : ""}`,
    items,
  };
}

/** Key owners asked about between two turns of the event loop. */
const OWNERS_PER_TURN = 100;

/** Owners whose keys are counted and read in one transaction. */
const OWNERS_PER_READ = 50;

/**
 * The keys of these owners as they are now (not as the scan saw them): how many, and the
 * first few by id. A chunk of owners per transaction, a turn of the loop between chunks, so
 * that thousands of owners gone do not make one long read; a key handed from one of them to
 * another between two chunks may be counted twice. A digest is advice, not a snapshot.
 */
async function keysOf(ctx: Ctx, owners: readonly string[]): Promise<Listed<ApiKey>> {
  let count = 0;
  let first: ApiKey[] = [];
  for (let i = 0; i < owners.length; i += OWNERS_PER_READ) {
    if (i > 0) await turn();
    const chunk = owners.slice(i, i + OWNERS_PER_READ);
    const found = await ctx.uow.run((tx) => tx.keys.ofOwners(chunk, PER_SECTION));
    count += found.count;
    first = [...first, ...found.first].sort((a, b) => a.id - b.id).slice(0, PER_SECTION);
  }
  return { count, first };
}

export async function buildDigest(
  ctx: Ctx,
  people: PeopleDirectory,
  o: { pageSize?: number } = {},
): Promise<DigestNotice> {
  const now = ctx.clock.now();
  // The pass over every key runs in the app's key-scan process when it has one.
  const scan = ctx.keyScanner ? await ctx.keyScanner(now) : await scanKeys(ctx, now, o);
  const { unused, wideWrite, expiring, overLifetime: overLifetimeKeys } = scan;
  const pending = await ctx.uow.run((tx) => tx.requests.list({ status: "pending", limit: 100 }));
  // Slack is asked outside any transaction; an unanswered question flags nothing.
  const left: string[] = [];
  let asked = 0;
  for (const owner of ownersIn(scan.keyOwners)) {
    // An answer Slack gave earlier comes back at once, without a turn of the event loop: a
    // few thousand owners would otherwise be asked about in one block (38-53 ms at 2,000).
    if (++asked % OWNERS_PER_TURN === 0) await turn();
    if ((await people.inWorkspace(owner)) === false) left.push(owner);
  }
  const orphaned = await keysOf(ctx, left);
  // The sections are composed in a turn of their own, apart from the reads before: the first
  // digest a process builds also compiles this code.
  await turn();
  const act = (k: ApiKey, label: string, verb: "disable" | "edit"): DigestAction => ({
    label,
    kind: "key",
    id: k.id,
    verb,
  });
  const shown = <T>(list: Listed<T>, toItem: (x: T) => DigestItem) => list.first.map(toItem);
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
    ...privilegeSections(scan.privilege).map((s) => sectionOf(s.title, s.count, s.items)),
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
