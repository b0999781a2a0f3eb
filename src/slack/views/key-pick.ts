// The key picker's Next: the command it was opened for, on the key picked, in its place.
import type { App } from "@slack/bolt";
import { invalid } from "../../domain/errors.ts";
import { CALLBACK_ID } from "../blocks/ids.ts";
import { decode, keyPickMeta, keyPickValue } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { keyCommandView } from "../flows/modals.ts";
import { choice } from "./state.ts";
import { onSubmit } from "./submission.ts";

export function registerKeyPickView(app: App, deps: SlackDeps): void {
  onSubmit(app, deps, CALLBACK_ID.keyPick, {
    meta: keyPickMeta,
    submit: async ({ meta, state, userId }) => {
      const picked = choice(state, "key");
      if (!picked) throw invalid("Pick a key.", "key");
      const { keyId } = decode(keyPickValue, picked, "Pick a key from the list.", "key");
      return keyCommandView(deps, userId, meta.verb, keyId);
    },
  });
}
