// The least-privilege rules as pure functions: which grant a check is counted against, and
// when a grant (or a key) may be called unused — never from missing data.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALL_ACCOUNTS,
  API_IDS,
  type ApiId,
  mayHold,
  NICKNAME_KINDS,
  type NicknameKind,
  satisfiedBy,
} from "../../src/domain/catalog.ts";
import { allowingGrant, isLive, permits } from "../../src/domain/grants.ts";
import type { ApiKey, Grant } from "../../src/domain/types.ts";
import { DAY_MS, dayOf, isoDayOf } from "../../src/domain/usage/days.ts";
import type { GrantUse } from "../../src/domain/usage/types.ts";
import {
  advise,
  LONG_UNUSED_DAYS,
  UNUSED_DAYS,
  unusedSince,
  unusedText,
} from "../../src/domain/usage/unused.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const TODAY = dayOf(NOW);
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY_MS);
const g = (scope: string, api: ApiId, expiresAt: Date | null = null): Grant => ({
  scope,
  api,
  expiresAt,
  requestId: null,
});
const use = (scope: string, api: ApiId, grantedDaysAgo: number, lastUsedDaysAgo: number | null) =>
  ({
    scope,
    api,
    grantedAt: daysAgo(grantedDaysAgo),
    expiresAt: null,
    lastUsedDay: lastUsedDaysAgo === null ? null : TODAY - lastUsedDaysAgo,
  }) satisfies GrantUse;
const key = (over: Partial<ApiKey> = {}): ApiKey => ({
  id: 1,
  publicId: "Abcdefgh",
  name: "Reports",
  keyOwner: "U0MEMBER",
  status: "active",
  hasSecret: true,
  handover: null,
  createdAt: daysAgo(200),
  createdBy: "U0OWNER1",
  updatedAt: daysAgo(200),
  updatedBy: "U0OWNER1",
  regeneratedAt: null,
  lastUsedAt: daysAgo(1),
  expiresAt: null,
  version: 4,
  ...over,
});

describe("which grant a check is counted against", () => {
  const writeAll = g(ALL_ACCOUNTS, "orders:write");
  const readAll = g(ALL_ACCOUNTS, "orders:read");
  const writeAcme = g("acme", "orders:write");
  const readAcme = g("acme", "orders:read");

  it("the least powerful of those that allow it: the API asked before one implying it, then the nickname before All accounts", () => {
    const all = [writeAll, readAll, writeAcme, readAcme];
    expect(allowingGrant(all, "acme", "seller", "orders:read", NOW)).toBe(readAcme);
    expect(
      allowingGrant([writeAll, readAll, writeAcme], "acme", "seller", "orders:read", NOW),
    ).toBe(readAll);
    expect(allowingGrant([writeAll, writeAcme], "acme", "seller", "orders:read", NOW)).toBe(
      writeAcme,
    );
    expect(allowingGrant([writeAll], "acme", "seller", "orders:read", NOW)).toBe(writeAll);
    // A write check is never counted against a read grant.
    expect(allowingGrant([readAcme, writeAll], "acme", "seller", "orders:write", NOW)).toBe(
      writeAll,
    );
  });

  it("skips expired grants and All accounts where the nickname may not hold the API", () => {
    const expired = g("acme", "analytics", daysAgo(1));
    const wide = g(ALL_ACCOUNTS, "analytics");
    expect(allowingGrant([expired, wide], "acme", "seller", "analytics", NOW)).toBe(wide);
    expect(
      allowingGrant([g(ALL_ACCOUNTS, "products")], "aff", "affiliate", "products", NOW),
    ).toBeUndefined();
  });

  it("allows exactly what the permission rule allows, for any grants and any check", () => {
    // The rule as it was written before grants were counted, kept here as the reference.
    const reference = (grants: Grant[], kind: NicknameKind, api: ApiId) =>
      grants.some(
        (x) =>
          satisfiedBy(api).includes(x.api) &&
          isLive(x, NOW) &&
          (x.scope === "acme" || (x.scope === ALL_ACCOUNTS && mayHold(api, kind))),
      );
    const pool = [
      ...API_IDS.flatMap((api) => [g("acme", api), g(ALL_ACCOUNTS, api), g("other", api)]),
      g("acme", "analytics", daysAgo(1)),
      g(ALL_ACCOUNTS, "orders:write", daysAgo(1)),
    ];
    fc.assert(
      fc.property(
        fc.subarray(pool),
        fc.constantFrom(...API_IDS),
        fc.constantFrom(...NICKNAME_KINDS),
        (grants, api, kind) => {
          const chosen = allowingGrant(grants, "acme", kind, api, NOW);
          expect(chosen !== undefined).toBe(reference(grants, kind, api));
          expect(permits(grants, "acme", kind, api, NOW)).toBe(reference(grants, kind, api));
          // The one chosen allows the check alone.
          if (chosen) expect(reference([chosen], kind, api)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("unused grants", () => {
  const since = TODAY - UNUSED_DAYS;
  const counting = daysAgo(200);

  it("are those with no use from the window's first day, granted before it", () => {
    const grants = [
      use("acme", "analytics", 100, 1),
      use("acme", "products", 100, null),
      use("acme", "orders:read", 100, UNUSED_DAYS + 1),
      use("acme", "orders:write", 100, UNUSED_DAYS),
    ];
    expect(unusedSince(grants, since, counting, NOW).map((x) => x.api)).toEqual([
      "products",
      "orders:read",
    ]);
  });

  it("never include a grant younger than the window (3 days old is not unused for 30)", () => {
    expect(unusedSince([use("acme", "products", 3, null)], since, counting, NOW)).toEqual([]);
    expect(unusedSince([use("acme", "products", UNUSED_DAYS, null)], since, counting, NOW)).toEqual(
      [],
    );
    expect(
      unusedSince([use("acme", "products", UNUSED_DAYS + 1, null)], since, counting, NOW),
    ).toHaveLength(1);
  });

  it("are none while counting has not covered the whole window: no rows is not no use", () => {
    const old = [use("acme", "products", 400, null)];
    expect(unusedSince(old, since, undefined, NOW)).toEqual([]);
    expect(unusedSince(old, since, daysAgo(UNUSED_DAYS), NOW)).toEqual([]);
    expect(unusedSince(old, since, daysAgo(UNUSED_DAYS + 1), NOW)).toHaveLength(1);
  });

  it("skip grants that have expired (the expiry job removes them)", () => {
    const expired = { ...use("acme", "products", 100, null), expiresAt: daysAgo(1) };
    expect(unusedSince([expired], since, counting, NOW)).toEqual([]);
  });
});

describe("what is suggested for a key", () => {
  const counting = daysAgo(200);

  it("nothing for a disabled or expired key", () => {
    const grants = [use("acme", "products", 100, null)];
    expect(advise(key({ status: "disabled" }), grants, counting, NOW).kind).toBe("inactive");
    expect(advise(key({ expiresAt: daysAgo(1) }), grants, counting, NOW).kind).toBe("inactive");
  });

  it("the key itself when it has not been used in 30 days, by its last use (kept since before counting)", () => {
    expect(advise(key({ lastUsedAt: daysAgo(45) }), [], undefined, NOW)).toEqual({
      kind: "key_unused",
      lastUsedAt: daysAgo(45),
      idleDays: 45,
    });
    expect(advise(key({ lastUsedAt: null, createdAt: daysAgo(31) }), [], counting, NOW)).toEqual({
      kind: "key_unused",
      lastUsedAt: null,
      idleDays: 31,
    });
    // A new key nobody used yet is being set up, not unused.
    expect(advise(key({ lastUsedAt: null, createdAt: daysAgo(3) }), [], counting, NOW).kind).toBe(
      "nothing",
    );
  });

  it("not the key when its counts show a use its last_used_at (written behind) does not yet", () => {
    const advice = advise(
      key({ lastUsedAt: daysAgo(45) }),
      [use("acme", "analytics", 400, 0), use("acme", "products", 400, null)],
      counting,
      NOW,
    );
    expect(advice.kind).toBe("grants_unused");
  });

  it("when suggestions can start, while counting is younger than the window", () => {
    const advice = advise(key(), [use("acme", "products", 400, null)], daysAgo(10), NOW);
    expect(advice).toEqual({ kind: "counting", ready: new Date((TODAY + 21) * DAY_MS) });
  });

  it("the unused grants with how long each has been idle, long ones at 90 days", () => {
    const advice = advise(
      key(),
      [
        use("acme", "analytics", 400, 0),
        use("acme", "products", 400, null),
        use("acme", "orders:read", 400, 40),
        use("acme", "orders:write", 45, null),
      ],
      counting,
      NOW,
    );
    expect(advice).toEqual({
      kind: "grants_unused",
      since: TODAY - UNUSED_DAYS,
      grants: [
        { scope: "acme", api: "products", idleDays: 200, lastUsedDay: null, long: true },
        { scope: "acme", api: "orders:read", idleDays: 40, lastUsedDay: TODAY - 40, long: false },
        { scope: "acme", api: "orders:write", idleDays: 45, lastUsedDay: null, long: false },
      ],
    });
    if (advice.kind !== "grants_unused") return;
    expect(advice.grants.map(unusedText)).toEqual([
      `Products API on acme: not used in ${LONG_UNUSED_DAYS}+ days`,
      `Orders/Tickets API Read on acme: last used on ${isoDayOf(TODAY - 40)} (UTC)`,
      "Orders/Tickets API Read/Write on acme: not used in 45 days",
    ]);
  });

  it("counts idle days from when counting began, for a grant older than the counts", () => {
    const advice = advise(key(), [use("acme", "products", 400, null)], daysAgo(50), NOW);
    expect(advice.kind === "grants_unused" && advice.grants[0]?.idleDays).toBe(50);
  });
});
