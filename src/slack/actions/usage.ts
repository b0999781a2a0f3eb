// Remove unused grants, from Quick view or the digest: the suggestion's key, version and
// window go to the use case, which checks the role, the version and the usage again.
import type { App } from "@slack/bolt";
import { removeUnusedGrants } from "../../domain/usage/remove-unused.ts";
import { ACTION_ID } from "../blocks/ids.ts";
import { removedText } from "../blocks/usage.ts";
import { unusedGrantsValue } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { onClick } from "./click.ts";

export function registerUsageActions(app: App, deps: SlackDeps): void {
  onClick(app, deps, ACTION_ID.removeUnused, async (c) => {
    const { keyId, version, since } = c.value(unusedGrantsValue);
    const { key, removed } = await removeUnusedGrants(deps.ctx, c.userId, {
      keyId,
      expectedVersion: version,
      since,
    });
    await c.answer(removedText(key, removed, since));
  });
}
