// What Keyward needs to know of people from Slack: whether they are still in the workspace,
// their name for the few texts that cannot carry a mention (modal field errors), and their
// time zone, so a day they pick in a date picker is read as their day.
import type { WebClient } from "@slack/web-api";

import type { PeopleDirectory } from "../domain/ports.ts";
import { classifySlackFailure } from "./failures.ts";

interface Known {
  name: string;
  tz: string | undefined;
  at: number;
}

export class People implements PeopleDirectory {
  private readonly known = new Map<string, Known>();
  /**
   * Slack's answers to "still here?", kept for the same while: each owner's weekly digest asks
   * about every key owner, and one users.info call per key owner per digest would spend
   * Slack's rate limit (Tier 4) on the same question within minutes.
   */
  private readonly present = new Map<string, { here: boolean; at: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly ttlMs = 10 * 60 * 1000,
  ) {}

  /** Whether someone is still in the workspace; undefined when Slack cannot say now. */
  async inWorkspace(userId: string): Promise<boolean | undefined> {
    const hit = this.present.get(userId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.here;
    let here: boolean;
    try {
      const res = await this.client.users.info({ user: userId });
      here = !res.user?.deleted;
    } catch (e) {
      // Any other failure is no answer, and is asked again next time.
      if (classifySlackFailure(e)?.code !== "user_not_found") return undefined;
      here = false;
    }
    this.present.set(userId, { here, at: Date.now() });
    return here;
  }

  /** The person's name, or their id if Slack does not answer within a second. */
  async name(userId: string): Promise<string> {
    return (await this.lookUp(userId))?.name ?? userId;
  }

  /** The person's IANA time zone as set in Slack; undefined when Slack does not say in time. */
  async timeZone(userId: string): Promise<string | undefined> {
    return (await this.lookUp(userId))?.tz;
  }

  private async lookUp(userId: string): Promise<Known | undefined> {
    const hit = this.known.get(userId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit;
    try {
      const res = await Promise.race([
        this.client.users.info({ user: userId }),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("timeout")), 1000).unref(),
        ),
      ]);
      const known = {
        name: res.user?.real_name || res.user?.name || userId,
        tz: res.user?.tz || undefined,
        at: Date.now(),
      };
      this.known.set(userId, known);
      return known;
    } catch {
      return undefined;
    }
  }
}
