// Work that time makes due: time-bound grants ending, undecided requests lapsing, owners
// reminded. Each job is a domain use case (one transaction); this only runs them on a timer,
// each under its lock, so that of several instances on one database one runs it at a time.
import type { Ctx } from "../domain/context.ts";
import { remindExpiries } from "../domain/expiry/reminders.ts";
import { escalateRequests } from "../domain/requests/escalate.ts";
import { expireGrants, expireRequests, remindOwners } from "../domain/requests/expire.ts";
import type { Log } from "../log.ts";
import { yieldToLoop } from "../store/write-behind.ts";

export type Job = (ctx: Ctx) => Promise<number>;

/** Runs `fn` unless another instance is running work of that name (then undefined). */
export type Exclusive = <R>(name: string, fn: () => Promise<R>) => Promise<R | undefined>;

const alone: Exclusive = (_name, fn) => fn();

export const DEFAULT_JOBS: Record<string, Job> = {
  expireGrants,
  expireRequests,
  remindOwners,
  escalateRequests,
  remindExpiries,
};

export class JobScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly log: Log,
    private readonly after: () => void,
    private readonly jobs: Record<string, Job> = DEFAULT_JOBS,
    private readonly intervalMs = 30_000,
    private readonly exclusive: Exclusive = alone,
  ) {}

  /** Runs every job once; returns how much each did. */
  async runOnce(): Promise<Record<string, number>> {
    const done: Record<string, number> = {};
    for (const [name, job] of Object.entries(this.jobs)) {
      // Each job in its own turn of the event loop: requests waiting run in between.
      await yieldToLoop();
      try {
        const did = await this.exclusive(`job:${name}`, () => job(this.ctx));
        if (did !== undefined) done[name] = did;
      } catch (e) {
        this.log.error({ job: name, err: e }, "job failed");
      }
    }
    if (Object.values(done).some((n) => n > 0)) this.after();
    return done;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .then(() => undefined)
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
