// Opening a modal within the trigger's 3 seconds even when building it is slow (a busy
// database, a slow Slack lookup): if the view is not ready within a second, a loading view
// is opened while the trigger is fresh and replaced once the real one is built.
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { errorModal, loadingModal } from "../blocks/results.ts";
import type { SlackDeps } from "../deps.ts";
import { classifySlackFailure } from "../failures.ts";
import { messageFor } from "../replies.ts";

const LOADING_AFTER_MS = 1000;

export async function openModal(
  deps: SlackDeps,
  client: WebClient,
  triggerId: string,
  title: string,
  build: () => Promise<ModalView>,
): Promise<void> {
  const built = build();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), LOADING_AFTER_MS);
  });
  // A refusal that comes quickly (not found, not allowed) goes back to the caller as is.
  const first = await Promise.race([built.then((view) => ({ view })), late]).finally(() =>
    clearTimeout(timer),
  );
  if (first) {
    await client.views.open({ trigger_id: triggerId, view: first.view });
    return;
  }
  const opened = await client.views.open({
    trigger_id: triggerId,
    view: loadingModal(title),
  });
  let view: ModalView;
  try {
    view = await built;
  } catch (e) {
    view = errorModal(messageFor(deps, e, `building ${title}`));
  }
  const viewId = opened.view?.id ?? "";
  try {
    await client.views.update({ view_id: viewId, hash: opened.view?.hash, view });
  } catch (e) {
    // Nothing else edits a loading view: a hash conflict is a glitch, so try once without it.
    if (classifySlackFailure(e)?.code !== "hash_conflict") throw e;
    await client.views.update({ view_id: viewId, view });
  }
}
