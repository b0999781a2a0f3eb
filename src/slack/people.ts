// What Keyward needs to know of people from Slack: whether they are still in the workspace,
// their name for the few texts that cannot carry a mention (modal field errors), and their
// time zone, so a day they pick in a date picker is read as their day.
import type { WebClient } from "@slack/web-api";

import type { PeopleDirectory } from "../domain/ports.ts";
import { classifySlackFailure } from "./failures.ts";

interface Known {
  /** False once Slack says the account is deactivated or unknown. */
  here: boolean;
  name: string;
  tz: string | undefined;
  at: number;
}

/**
 * One users.info answer serves all three questions for a while: each owner's weekly digest
 * asks about every key owner, and a call per key owner per digest would spend Slack's rate
 * limit (Tier 4) on the same question within minutes.
 */
export class People implements PeopleDirectory {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly client: WebClient,
    private readonly ttlMs = 10 * 60 * 1000,
  ) {}

  /** Whether someone is still in the workspace; undefined when Slack cannot say now. */
  async inWorkspace(userId: string): Promise<boolean | undefined> {
    return (await this.lookUp(userId))?.here;
  }

  /** The person's name, or their id if Slack does not answer within a second. */
  async name(userId: string): Promise<string> {
    return (await this.lookUp(userId, 1000))?.name ?? userId;
  }

  /** The person's IANA time zone as set in Slack; undefined when Slack does not say in time. */
  async timeZone(userId: string): Promise<string | undefined> {
    return (await this.lookUp(userId, 1000))?.tz;
  }

  /**
   * Slack's answer, remembered for the TTL; undefined when Slack cannot say now (a failure, or
   * no answer within `waitMs` when a person is waiting on it), which is asked again next time.
   */
  private async lookUp(userId: string, waitMs?: number): Promise<Known | undefined> {
    const hit = this.known.get(userId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit;
    let known: Known;
    try {
      const asked = this.client.users.info({ user: userId });
      const res = await (waitMs === undefined
        ? asked
        : Promise.race([
            asked,
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error("timeout")), waitMs).unref(),
            ),
          ]));
      known = {
        here: !res.user?.deleted,
        name: res.user?.real_name || res.user?.name || userId,
        tz: res.user?.tz || undefined,
        at: Date.now(),
      };
    } catch (e) {
      if (classifySlackFailure(e)?.code !== "user_not_found") return undefined;
      known = { here: false, name: userId, tz: undefined, at: Date.now() };
    }
    this.known.set(userId, known);
    return known;
  }
}
