// The fixed API catalog (as in ClickBank's API Management) and who may be granted what.
export const API_IDS = [
  "analytics",
  "products",
  "orders:read",
  "orders:write",
  "subscriptions:write",
] as const;
export type ApiId = (typeof API_IDS)[number];

export const API_LABELS: Record<ApiId, string> = {
  analytics: "Analytics API",
  products: "Products API",
  "orders:read": "Orders/Tickets API Read",
  "orders:write": "Orders/Tickets API Read/Write",
  "subscriptions:write": "Subscription Modification API",
};

/** APIs that change data: the digest flags All-accounts grants of these. */
export const WRITE_APIS: readonly ApiId[] = ["orders:write", "subscriptions:write"];

export const NICKNAME_KINDS = ["seller", "affiliate", "both"] as const;
export type NicknameKind = (typeof NICKNAME_KINDS)[number];

export const ALL_ACCOUNTS = "*";
/** A grant's scope: one nickname, or All accounts. */
export type Scope = string;

export function isApiId(value: string): value is ApiId {
  return (API_IDS as readonly string[]).includes(value);
}

/** Whether a nickname of this kind may be granted this API. */
export function mayHold(api: ApiId, kind: NicknameKind): boolean {
  if (api === "products") return kind === "seller" || kind === "both";
  return true;
}

// Built once: every verification asks.
const SATISFIED_BY: Record<ApiId, readonly ApiId[]> = {
  analytics: ["analytics"],
  products: ["products"],
  "orders:read": ["orders:read", "orders:write"],
  "orders:write": ["orders:write"],
  "subscriptions:write": ["subscriptions:write"],
};

/** The APIs whose grant satisfies a check for `api` (orders:write implies orders:read). */
export function satisfiedBy(api: ApiId): readonly ApiId[] {
  return SATISFIED_BY[api];
}

/** APIs as people read them: Read is left out where Read/Write (which includes it) is there. */
export function withoutImplied(apis: readonly ApiId[]): ApiId[] {
  return apis.filter((a) => !(a === "orders:read" && apis.includes("orders:write")));
}

export function scopeLabel(scope: Scope): string {
  return scope === ALL_ACCOUNTS ? "all accounts" : scope;
}
