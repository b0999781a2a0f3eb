import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import { describeCell } from "../grants.ts";
import { requirePermission } from "../permissions.ts";
import { quote } from "../text.ts";
import type { ApiKey } from "../types.ts";
import { Checks, parseField, reasonSchema } from "../validation.ts";
import { auditKey } from "./describe.ts";
import { GRACE_WINDOWS, type GraceWindow } from "./grace.ts";
import { loadKey } from "./load.ts";
import { type HandTo, issueNewSecret, type NewSecret } from "./new-secret.ts";
import { applyUpdate } from "./versioning.ts";

export type RotateMode = { kind: "rotate"; grace: GraceWindow } | { kind: "disable" };

export interface RotateInput {
  keyId: number;
  reason: string;
  incidentLink?: string | null;
  mode: RotateMode;
  /** Who gets the new secret (default: the person rotating, now). */
  handTo?: HandTo;
}

/**
 * Compromised-key response for owners and on-call: a new secret (old one dead now, or after a
 * short grace window), or disabling the key. Every older grace window ends at once too.
 */
export async function rotateKey(
  ctx: Ctx,
  actor: string,
  input: RotateInput,
): Promise<{ key: ApiKey; secret: string | null; handedOver: boolean; lines: string[] }> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "rotate");
    const now = ctx.clock.now();
    const checks = new Checks();
    const reason = await checks.check(() => parseField(reasonSchema, input.reason, "reason"));
    const incidentLink = await checks.check(() => parseIncidentLink(input.incidentLink));
    checks.done();
    const key = await loadKey(tx, input.keyId);
    const grants = await tx.grants.forKey(key.id);
    const reaches = grants.length
      ? `It reaches: ${grants.map(describeCell).join("; ")}.`
      : "It has no permissions.";
    await tx.keys.endGraceWindows(key.id, now);

    let issued: NewSecret = { secret: null, handedOver: false, lines: [] };
    if (input.mode.kind === "disable") {
      if (key.status === "disabled") throw invalid(`"${quote(key.name)}" is already disabled.`);
      await applyUpdate(tx, key, { status: "disabled" }, now, actor);
      issued.lines.push(
        "Disabled the key: every call with it is refused until an owner enables it.",
      );
    } else {
      issued = await issueNewSecret(tx, key, {
        actor,
        now,
        oldValidUntil: new Date(now.getTime() + GRACE_WINDOWS[input.mode.grace]),
        reason: "rotated",
        handTo: input.handTo ?? "me",
      });
    }
    await recordChange(tx, now, {
      event: {
        actor,
        action: input.mode.kind === "disable" ? "key.disabled" : "key.rotated_compromised",
        ...auditKey(key),
        reason,
        subject: "compromised",
        diff: {
          after: {
            mode: input.mode,
            incidentLink,
            ...(input.mode.kind === "rotate" && {
              newSecret: issued.handedOver
                ? "waiting for the key owner to reveal it"
                : "shown once",
            }),
          },
          changes: issued.lines,
        },
      },
      title:
        input.mode.kind === "disable"
          ? "Compromised API key disabled"
          : "Compromised API key rotated",
      key,
      urgent: true,
      incidentLink,
      changes: [...issued.lines, reaches],
      revealFor: issued.handedOver ? key.keyOwner : null,
    });
    return {
      key: await loadKey(tx, key.id),
      secret: issued.secret,
      handedOver: issued.handedOver,
      lines: issued.lines,
    };
  });
}

function parseIncidentLink(link: string | null | undefined): string | null {
  const text = link?.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid("The incident link must be a web address (https://…).", "incident");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalid("The incident link must be a web address (https://…).", "incident");
  }
  return url.toString();
}
