// Members of the on-call Slack user group (ONCALL_USERGROUP_ID), as last read. Read every few
// minutes; a failed read keeps nothing beyond its freshness window, so it never grants.
import type { WebClient } from "@slack/web-api";
import type { Log } from "../log.ts";

export class OncallGroup {
  private group = new Set<string>();
  private readAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly groupId: string,
    private readonly log: Log,
    private readonly refreshMs = 3 * 60 * 1000,
    private readonly trustMs = 10 * 60 * 1000,
  ) {}

  has(userId: string): boolean {
    if (Date.now() - this.readAt > this.trustMs) return false;
    return this.group.has(userId);
  }

  members(): string[] {
    if (Date.now() - this.readAt > this.trustMs) return [];
    return [...this.group];
  }

  async refresh(): Promise<void> {
    try {
      const res = await this.client.usergroups.users.list({ usergroup: this.groupId });
      this.group = new Set(res.users ?? []);
      this.readAt = Date.now();
    } catch (e) {
      this.log.warn({ err: e, group: this.groupId }, "could not read the on-call user group");
    }
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
