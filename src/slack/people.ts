// Names of people for the few texts that cannot carry a mention (modal field errors).
import type { WebClient } from "@slack/web-api";

import type { PeopleDirectory } from "../domain/ports.ts";
import { classifySlackFailure } from "./failures.ts";

export class People implements PeopleDirectory {
  private readonly names = new Map<string, { name: string; at: number }>();

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
    const hit = this.names.get(userId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.name;
    try {
      const res = await Promise.race([
        this.client.users.info({ user: userId }),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("timeout")), 1000).unref(),
        ),
      ]);
      const name = res.user?.real_name || res.user?.name || userId;
      this.names.set(userId, { name, at: Date.now() });
      return name;
    } catch {
      return userId;
    }
  }
}
