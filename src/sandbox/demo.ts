// The demo account a new sandbox starts with: people to act as, nicknames of each kind, and
// a few keys — made through the same use cases as in production, so the audit log and the
// owners' DMs tell the story too.
import type { Ctx } from "../domain/context.ts";
import { createKey } from "../domain/keys/create.ts";
import { disableKey } from "../domain/keys/disable.ts";
import { addNickname } from "../domain/nicknames/add.ts";
import { addRole } from "../domain/roles/add.ts";
import type { Person } from "./standin/workspace.ts";

export const DEMO_PEOPLE: Person[] = [
  { id: "U0OLIVIA", name: "olivia", realName: "Olivia Park", title: "Account owner" },
  { id: "U0OSCAR", name: "oscar", realName: "Oscar Diaz", title: "Account owner" },
  { id: "U0CASEY", name: "casey", realName: "Casey Lin", title: "On-call engineer" },
  { id: "U0MIA", name: "mia", realName: "Mia Novak", title: "Member (data team)" },
  { id: "U0MAX", name: "max", realName: "Max Okafor", title: "Member (storefront)" },
];
export const DEMO_OWNERS = ["U0OLIVIA", "U0OSCAR"];
export const DEMO_CHANNELS = [
  { id: "C0GENERAL", name: "general" },
  { id: "C0ENGINEERING", name: "engineering" },
];

/** Seeds the demo account into an empty database; returns false if it was not empty. */
export async function seedDemo(ctx: Ctx): Promise<boolean> {
  const empty = await ctx.uow.run(
    async (tx) => (await tx.nicknames.list()).length === 0 && (await tx.keys.all()).length === 0,
  );
  if (!empty) return false;
  const olivia = "U0OLIVIA";
  await addRole(ctx, olivia, { userId: "U0CASEY", role: "oncall" });
  for (const [nickname, kind] of [
    ["acme", "seller"],
    ["acme_aff", "affiliate"],
    ["globex", "both"],
    ["initech", "seller"],
    ["hooli_aff", "affiliate"],
  ] as const) {
    await addNickname(ctx, olivia, { nickname, kind });
  }
  // The secrets of demo keys are never shown: regenerate one to see a secret.
  const keys: Array<{
    name: string;
    keyOwner: string;
    cells: Array<{ scope: string; api: string }>;
  }> = [
    {
      name: "Billing sync",
      keyOwner: "U0MIA",
      cells: [
        { scope: "acme", api: "orders:write" },
        { scope: "*", api: "analytics" },
      ],
    },
    {
      name: "Storefront catalog",
      keyOwner: "U0MAX",
      cells: [
        { scope: "acme", api: "products" },
        { scope: "initech", api: "products" },
      ],
    },
    {
      name: "Affiliate reports",
      keyOwner: "U0MIA",
      cells: [
        { scope: "acme_aff", api: "analytics" },
        { scope: "hooli_aff", api: "analytics" },
      ],
    },
    {
      name: "Legacy subscriptions",
      keyOwner: "U0OSCAR",
      cells: [{ scope: "*", api: "subscriptions:write" }],
    },
  ];
  const created = [];
  for (const k of keys) created.push((await createKey(ctx, olivia, { ...k, expiresAt: null })).key);
  const legacy = created.find((k) => k.name === "Legacy subscriptions");
  if (legacy)
    await disableKey(ctx, olivia, {
      keyId: legacy.id,
      reason: "Replaced by the new billing service",
    });
  return true;
}
