// `/apikeys audit [filters]`, `/apikeys audit export [filters]` and `/apikeys digest`: what
// owners and on-call engineers read.
import { digestFor } from "../../domain/oncall/digest.ts";
import { renderDigest } from "../blocks/oncall.ts";
import { auditExport, auditPage } from "../flows/audit.ts";
import type { Handler } from "./call.ts";

export const audit: Handler<"audit"> = async ({ deps, userId, reply }, { text }) => {
  await reply(await auditPage(deps, userId, { text }));
};

export const auditExportCommand: Handler<"audit_export"> = async (
  { deps, userId, reply },
  { text },
) => {
  await reply(await auditExport(deps, userId, text));
};

export const digest: Handler<"digest"> = async ({ deps, userId, reply }) => {
  await reply(renderDigest(await digestFor(deps.ctx, userId, deps.people)));
};
