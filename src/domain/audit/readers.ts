// Who may read the audit log — search it, page it, export it. The one place that says so.
import { requireRole } from "../access.ts";
import type { Ctx } from "../context.ts";
import type { Tx } from "../ports.ts";
import type { Role } from "../types.ts";

export const AUDIT_READERS: readonly Role[] = ["owner", "oncall"];

export function requireAuditReader(ctx: Ctx, tx: Tx, userId: string): Promise<Role> {
  return requireRole(ctx, tx, userId, AUDIT_READERS, "read the audit log");
}
