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

  constructor(
    private readonly client: WebClient,
    private readonly ttlMs = 10 * 60 * 1000,
  ) {}

  /** Whether someone is still in the workspace; undefined when Slack cannot say now. */
  async inWorkspace(userId: string): Promise<boolean | undefined> {
    try {
      const res = await this.client.users.info({ user: userId });
      return !res.user?.deleted;
    } catch (e) {
      return classifySlackFailure(e)?.code === "user_not_found" ? false : undefined;
    }
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
