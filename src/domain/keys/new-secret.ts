// A key's secret replaced (regenerate, or rotate after a compromise): the old one retired now
// or after a grace window, and the new one either made now for the person acting, who hands it
// to the key owner, or left for the key owner to reveal once in their own modal. In that case
// it does not exist until then: nothing secret waits anywhere, and until the reveal the key
// works only with its old secret while a grace window lasts.

import type { Tx } from "../ports.ts";
import { hashSecret, newSecret } from "../secrets.ts";
import { timeRef, userRef } from "../text.ts";
import type { ApiKey } from "../types.ts";
import { replaceSecret } from "./secret-swap.ts";
import { applyUpdate } from "./versioning.ts";

/** Who gets the new secret: the person acting, now; or the key owner, when they reveal it. */
export type HandTo = "me" | "key_owner";
export const HAND_TO: readonly HandTo[] = ["me", "key_owner"];
export const isHandTo = (v: string): v is HandTo => (HAND_TO as readonly string[]).includes(v);

export interface NewSecret {
  /** The new secret to show once; null when it waits for the key owner. */
  secret: string | null;
  /** Whether the key owner reveals it (then `secret` is null). */
  handedOver: boolean;
  /** What everyone is told: the old secret's fate and where the new one is. */
  lines: string[];
}

export async function issueNewSecret(
  tx: Tx,
  key: ApiKey,
  o: {
    actor: string;
    now: Date;
    oldValidUntil: Date;
    reason: "regenerated" | "rotated";
    handTo: HandTo;
  },
): Promise<NewSecret> {
  const { actor, now } = o;
  const owner = userRef(key.keyOwner);
  // The key owner acting for themselves gets it now, as anyone acting for themselves does.
  const handedOver = o.handTo === "key_owner" && actor !== key.keyOwner;
  const graceful = o.oldValidUntil.getTime() > now.getTime() && key.hasSecret;
  await replaceSecret(tx, key, o.oldValidUntil, o.reason, now);
  const lines = [
    !key.hasSecret
      ? "It had no working secret to stop."
      : graceful
        ? `The old secret keeps working until ${timeRef(o.oldValidUntil)}.`
        : `The old secret stopped working at ${timeRef(now)}: integrations using it are broken until they get the new one.`,
  ];
  if (handedOver) {
    await applyUpdate(
      tx,
      key,
      { secretHash: null, regeneratedAt: now, handover: { by: actor, at: now } },
      now,
      actor,
    );
    lines.push(
      `No new secret exists yet: it is made when the key owner, ${owner}, presses Reveal new secret in their DM, and is shown only to them, once.`,
      graceful
        ? `Until then only the old secret works, until ${timeRef(o.oldValidUntil)}.`
        : "Until then every call with this key is refused.",
    );
    return { secret: null, handedOver, lines };
  }
  const secret = newSecret(key.publicId);
  await applyUpdate(
    tx,
    key,
    { secretHash: hashSecret(secret), regeneratedAt: now, handover: null },
    now,
    actor,
  );
  lines.push(
    actor === key.keyOwner
      ? `The new secret was shown once to the key owner, ${owner}, at ${timeRef(now)}.`
      : `The new secret was shown once to ${userRef(actor)} at ${timeRef(now)}; they were asked to hand it to the key owner, ${owner}.`,
  );
  return { secret, handedOver, lines };
}
