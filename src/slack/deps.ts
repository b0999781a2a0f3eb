import type { Ctx } from "../domain/context.ts";
import type { Log } from "../log.ts";
import type { People } from "./people.ts";

/** What listeners work with. */
export interface SlackDeps {
  ctx: Ctx;
  log: Log;
  people: People;
  /** Tells the delivery worker that notifications are waiting. */
  kick(): void;
  /**
   * Whether a response URL that came back in a modal's private_metadata (untrusted) is
   * Slack's, so Keyward posts only there.
   */
  isResponseUrl(url: string): boolean;
}
