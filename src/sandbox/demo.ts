// The demo account a new sandbox starts with: people to act as, and a year of history made
// through the production use cases at the moments it happened, so audit log and data agree.
import type { ApiId } from "../domain/catalog.ts";
import type { Ctx } from "../domain/context.ts";
import { createKey } from "../domain/keys/create.ts";
import { disableKey } from "../domain/keys/disable.ts";
import { editKey } from "../domain/keys/edit.ts";
import { regenerateKey } from "../domain/keys/regenerate.ts";
import { addNickname } from "../domain/nicknames/add.ts";
import { createRequest } from "../domain/requests/create.ts";
import { approveRequest } from "../domain/requests/decide.ts";
import { expireGrants } from "../domain/requests/expire.ts";
import { addRole } from "../domain/roles/add.ts";
import type { ApiKey, GrantCell } from "../domain/types.ts";
import { COUNTING } from "../domain/usage/counting.ts";
import { dayOf, dayStart } from "../domain/usage/days.ts";
import type { StoreTx, UsageRow } from "../store/types.ts";
import type { TxRunner } from "../store/unit-of-work.ts";
import type { Person } from "./standin/workspace.ts";

export const DEMO_PEOPLE: Person[] = [
  {
    id: "U0OLIVIA",
    name: "olivia",
    realName: "Olivia Park",
    title: "Account owner",
    tz: "America/New_York",
  },
  {
    id: "U0OSCAR",
    name: "oscar",
    realName: "Oscar Diaz",
    title: "Account owner",
    tz: "Europe/Madrid",
  },
  {
    id: "U0CASEY",
    name: "casey",
    realName: "Casey Lin",
    title: "On-call engineer",
    tz: "America/Los_Angeles",
  },
  {
    id: "U0MIA",
    name: "mia",
    realName: "Mia Novak",
    title: "Member (data team)",
    tz: "Europe/London",
  },
  {
    id: "U0MAX",
    name: "max",
    realName: "Max Okafor",
    title: "Member (storefront)",
    tz: "Africa/Lagos",
  },
];
export const DEMO_OWNERS = ["U0OLIVIA", "U0OSCAR"];
export const DEMO_CHANNELS = [
  { id: "C0GENERAL", name: "general" },
  { id: "C0ENGINEERING", name: "engineering" },
];

const OLIVIA = "U0OLIVIA";
const OSCAR = "U0OSCAR";
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/**
 * The context of a moment in the past. Its changes and audit events are real; the DMs they
 * caused went out back then, in a Slack this sandbox never saw, so they are not queued now
 * (delivered today they would all land at once, as news months old).
 */
function then(ctx: Ctx, at: Date): Ctx {
  return {
    ...ctx,
    clock: { now: () => at },
    uow: {
      run: (work) => ctx.uow.run((tx) => work({ ...tx, outbox: { enqueue: async () => {} } })),
    },
  };
}

/** Seeds the demo account into an empty database; returns false if it was not empty. */
export async function seedDemo(ctx: Ctx): Promise<boolean> {
  const empty = await ctx.uow.run(
    async (tx) => (await tx.nicknames.list()).length === 0 && (await tx.keys.all()).length === 0,
  );
  if (!empty) return false;
  const now = ctx.clock.now().getTime();
  // Whole days back, at a working hour, so the history reads like one.
  const ago = (days: number, hours = 0) => then(ctx, new Date(now - days * DAY - hours * HOUR));
  // Secrets made along the way are dropped at once: nobody will ever be shown them.
  const key = async (c: Ctx, actor: string, k: Parameters<typeof createKey>[2]) =>
    (await createKey(c, actor, k)).key;

  for (const [nickname, kind] of [
    ["acme", "seller"],
    ["acme_aff", "affiliate"],
    ["initech", "seller"],
  ] as const)
    await addNickname(ago(420, 3), OLIVIA, { nickname, kind });

  const legacy = await key(ago(410, 2), OLIVIA, {
    name: "Legacy subscriptions",
    keyOwner: OSCAR,
    cells: [{ scope: "*", api: "subscriptions:write" }],
    expiresAt: null,
  });
  const affiliate = await key(ago(330, 5), OLIVIA, {
    name: "Affiliate reports",
    keyOwner: "U0MIA",
    cells: [{ scope: "acme_aff", api: "analytics" }],
    expiresAt: null,
  });
  await addNickname(ago(300, 4), OLIVIA, { nickname: "globex", kind: "both" });
  await addNickname(ago(300, 4), OLIVIA, { nickname: "hooli_aff", kind: "affiliate" });
  await editKey(ago(298, 6), OLIVIA, {
    keyId: affiliate.id,
    cells: [
      { scope: "acme_aff", api: "analytics" },
      { scope: "hooli_aff", api: "analytics" },
    ],
  });
  const billing = await key(ago(240, 1), OLIVIA, {
    name: "Billing sync",
    keyOwner: "U0MIA",
    cells: [
      { scope: "acme", api: "orders:write" },
      { scope: "*", api: "analytics" },
    ],
    expiresAt: null,
  });
  await addRole(ago(200, 2), OLIVIA, { userId: "U0CASEY", role: "oncall" });
  const storefront = await key(ago(150, 3), OSCAR, {
    name: "Storefront catalog",
    keyOwner: "U0MAX",
    cells: [
      { scope: "acme", api: "products" },
      { scope: "initech", api: "products" },
    ],
    expiresAt: null,
  });

  // A time-bound grant for the spring sale: asked, approved, and lapsed by itself.
  const { request: spring } = await createRequest(ago(75, 6), "U0MAX", {
    keyId: storefront.id,
    cells: [{ scope: "initech", api: "orders:read" }],
    duration: "30d",
    reason: "Checking stock against open orders during the spring sale",
  });
  await approveRequest(ago(75, 4), OLIVIA, { requestId: spring.id });
  await regenerateKey(ago(60, 2), OSCAR, { keyId: storefront.id, grace: "24h" });
  await expireGrants(ago(45, 4));
  await disableKey(ago(38, 5), OSCAR, {
    keyId: legacy.id,
    reason: "Replaced by the new billing service",
  });
  const holiday = await key(ago(25, 2), OSCAR, {
    name: "Holiday campaign",
    keyOwner: "U0MAX",
    cells: [
      { scope: "globex", api: "analytics" },
      { scope: "globex", api: "orders:read" },
    ],
    // A 30-day key, so it ends in five days.
    expiresAt: new Date(now + 5 * DAY),
  });

  // When each key was last used, as the verification API records it.
  await recordUse(ctx, [
    [billing, now - 4 * 60 * 1000],
    [storefront, now - 2 * HOUR],
    [holiday, now - 20 * HOUR],
    // Stale: nothing has used it for four months.
    [affiliate, now - 128 * DAY],
    [legacy, now - 39 * DAY],
  ]);

  // And today: a request waiting for the owners (its cards are the owners' first DM).
  await createRequest(ctx, "U0MAX", {
    keyId: storefront.id,
    cells: [{ scope: "acme", api: "orders:read" }],
    duration: "7d",
    reason: "Showing order status on the storefront's account page",
  });
  return true;
}

async function recordUse(ctx: Ctx, uses: Array<[ApiKey, number]>): Promise<void> {
  const at = new Map(uses.map(([k, t]) => [k.id, new Date(t)]));
  await ctx.uow.run((tx) => tx.keys.touchLastUsed(at));
}

type Traffic = Array<{
  nickname: string;
  api: ApiId;
  grant: GrantCell;
  /** Calls on a working day; weekends get a third. */
  perDay: number;
  /** Days ago of the first and the last day with calls (0 = today). */
  from: number;
  to: number;
}>;

/** The demo keys' traffic, as the verification API would have counted it. */
const TRAFFIC: Record<string, Traffic> = {
  "Billing sync": [
    {
      nickname: "acme",
      api: "orders:write",
      grant: { scope: "acme", api: "orders:write" },
      perDay: 1800,
      from: 89,
      to: 0,
    },
    {
      nickname: "acme",
      api: "orders:read",
      grant: { scope: "acme", api: "orders:write" },
      perDay: 4200,
      from: 89,
      to: 0,
    },
    {
      nickname: "acme",
      api: "analytics",
      grant: { scope: "*", api: "analytics" },
      perDay: 300,
      from: 89,
      to: 0,
    },
  ],
  // initech's products grant has not been used since the spring: a least-privilege suggestion.
  "Storefront catalog": [
    {
      nickname: "acme",
      api: "products",
      grant: { scope: "acme", api: "products" },
      perDay: 950,
      from: 89,
      to: 0,
    },
    {
      nickname: "initech",
      api: "products",
      grant: { scope: "initech", api: "products" },
      perDay: 240,
      from: 89,
      to: 44,
    },
  ],
  "Holiday campaign": [
    {
      nickname: "globex",
      api: "analytics",
      grant: { scope: "globex", api: "analytics" },
      perDay: 500,
      from: 24,
      to: 1,
    },
  ],
};

/**
 * Usage counts for the demo keys over the last 90 days (as the usage recorder writes them), so
 * Quick view's sparkline, `show` and the least-privilege suggestions have something to say.
 * Written only right after the demo is seeded.
 */
export async function seedDemoUsage(uow: TxRunner<StoreTx>, now: Date): Promise<void> {
  const today = dayOf(now);
  await uow.run(async (tx) => {
    const keys = new Map((await tx.keys.all()).map((k) => [k.name, k]));
    const rows: UsageRow[] = [];
    for (const [name, traffic] of Object.entries(TRAFFIC)) {
      const key = keys.get(name);
      if (!key) continue;
      for (let ago = 89; ago >= 0; ago -= 1) {
        const day = today - ago;
        const weekday = new Date(dayStart(day)).getUTCDay();
        // A steady, recognisable rhythm: quieter weekends, a little day-to-day wobble.
        const scale = (weekday === 0 || weekday === 6 ? 1 / 3 : 1) * (0.85 + 0.15 * Math.sin(day));
        let calls = 0;
        for (const t of traffic) {
          if (ago > t.from || ago < t.to) continue;
          const n = Math.round(t.perDay * scale);
          calls += n;
          rows.push({
            kind: "check",
            keyId: key.id,
            day,
            nickname: t.nickname,
            api: t.api,
            grantScope: t.grant.scope,
            grantApi: t.grant.api,
            calls: n,
          });
        }
        if (calls > 0)
          rows.push({ kind: "key", keyId: key.id, day, calls, refused: Math.round(calls / 400) });
      }
    }
    await tx.usageLog.add(rows);
    // The counts reach back 90 days, so counting "began" then, not at this first start.
    await tx.jobRuns.markRun(COUNTING, dayStart(today - 89));
  });
}
