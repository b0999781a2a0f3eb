// Redrawing the key list a change was made from (its Actions menu), through the response URL
// of that list: it is an ephemeral message, which only that URL can replace.
import type { ListSource } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { keyList } from "./key-list.ts";

export async function redrawList(
  deps: SlackDeps,
  userId: string,
  source: ListSource,
): Promise<void> {
  // The URL came back in private_metadata: only ever post to Slack's own.
  if (!deps.isResponseUrl(source.url)) {
    deps.log.warn("a key list's response URL was not Slack's; not redrawn");
    return;
  }
  try {
    const message = await keyList(deps, userId, source.text, source.offset);
    const res = await fetch(source.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ replace_original: true, ...message }),
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) deps.log.warn({ status: res.status }, "the key list was not redrawn");
  } catch (e) {
    // The change is made and told; an old list (response URLs last 30 minutes) stays as it was.
    deps.log.warn({ err: e }, "the key list was not redrawn");
  }
}
