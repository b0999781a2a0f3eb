// `/apikeys audit [key]` and `/apikeys digest`: what owners and on-call engineers read.
import { listAudit } from "../../domain/audit/list.ts";
import { digestFor } from "../../domain/oncall/digest.ts";
import { auditMessage } from "../blocks/admin.ts";
import { renderDigest } from "../blocks/oncall.ts";
import type { Handler } from "./call.ts";

export const AUDIT_PAGE = 15;

export const audit: Handler<"audit"> = async ({ deps, userId, reply }, { key }) => {
  const page = await listAudit(deps.ctx, userId, { keyRef: key, limit: AUDIT_PAGE });
  await reply(auditMessage(page, key));
};

export const digest: Handler<"digest"> = async ({ deps, userId, reply }) => {
  await reply(renderDigest(await digestFor(deps.ctx, userId, deps.people)));
};
