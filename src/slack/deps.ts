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
}
