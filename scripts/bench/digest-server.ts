// The server side of bench:digest (scripts/bench/digest.ts): Keyward on the seeded database,
// in its own process, run from the dist/ bundle as npm start runs it. On request it builds the
// digest one way and reports the event-loop delay it saw meanwhile.
import { performance } from "node:perf_hooks";
import { startKeyward } from "../../src/app.ts";
import { configSchema } from "../../src/config.ts";
import { buildDigest } from "../../src/domain/oncall/digest.ts";
import { DIGEST_PAGE } from "../../src/domain/oncall/key-scan.ts";

export interface Figures {
  way: string;
  ms: number;
  /** The share of the build the main thread's event loop was busy (not waiting for events). */
  busy: number;
  /** The longest the main thread's loop was busy between two ticks of the 1 ms timer. */
  longestBusyMs: number;
  maxDelayMs: number;
  p99DelayMs: number;
  /** When the way started and ended, on the monotonic clock (s): to line it up with perf. */
  from: number;
  to: number;
}

const monotonic = () => Number(process.hrtime.bigint()) / 1e9;

async function server(): Promise<void> {
  const app = await startKeyward({ config: configSchema.parse(process.env) });
  // One key owner in twenty has left (U0BENCH0, U0BENCH20, ...): the digest reads their keys.
  const people = { inWorkspace: async (u: string) => Number(u.slice(7)) % 20 !== 0 };
  // The loop's delay as a 1 ms timer sees it: each tick records how late it fired. A block of
  // the loop shows as one late tick (a histogram that is only sampled while the loop turns
  // would miss the block that matters most). A tick can also be late with the loop idle: the
  // thread woke late (on a VM, when its virtual CPU was not running). So each tick also
  // records how long the loop was busy since the last one (event-loop utilization's active
  // time): the longest of those is the longest the loop itself was held.
  const showBlocks = Number(process.env.BENCH_SHOW_BLOCKS ?? 0);
  const measure = async (way: string, build: () => Promise<unknown>): Promise<Figures> => {
    const late: number[] = [];
    let longestBusy = 0;
    let running = true;
    let last = performance.now();
    let lastActive = performance.eventLoopUtilization().active;
    const tick = () => {
      const now = performance.now();
      const active = performance.eventLoopUtilization().active;
      const busy = active - lastActive;
      lastActive = active;
      longestBusy = Math.max(longestBusy, busy);
      late.push(Math.max(0, now - last - 1));
      // BENCH_SHOW_BLOCKS=<ms>: print each block longer than that, to line up with --trace-gc.
      if (showBlocks && now - last - 1 > showBlocks)
        console.log(
          `-- block of ${(now - last - 1).toFixed(1)} ms (loop busy ${busy.toFixed(1)} ms of it) ending at ${now.toFixed(0)} ms (monotonic clock ${monotonic().toFixed(6)} s, thread ${process.pid})`,
        );
      last = now;
      if (running) setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
    const from = monotonic();
    const started = performance.now();
    const elu = performance.eventLoopUtilization();
    await build();
    const ms = performance.now() - started;
    const busy = performance.eventLoopUtilization(elu).utilization;
    // One more tick, so that a block at the very end is counted too.
    await new Promise((resolve) => setTimeout(resolve, 5));
    running = false;
    const to = monotonic();
    late.sort((a, b) => a - b);
    const p99 = late[Math.min(late.length - 1, Math.floor(late.length * 0.99))] ?? 0;
    return {
      way,
      ms,
      busy,
      longestBusyMs: longestBusy,
      maxDelayMs: late.at(-1) ?? 0,
      p99DelayMs: p99,
      from,
      to,
    };
  };
  process.on("message", async (m: string) => {
    if (m === "stop") {
      await app.stop();
      process.exit(0);
    }
    if (m === "mark") {
      // A line in a --trace-gc log, to tell which run a collection belongs to.
      console.log(
        `-- run at ${performance.now().toFixed(0)} ms (monotonic clock ${monotonic().toFixed(6)} s, thread ${process.pid})`,
      );
      return;
    }
    const ways: Record<string, [string, () => Promise<unknown>]> = {
      // The baseline: the same measurement while nothing runs. On a virtual machine the
      // loop's timers are late now and then on their own; a way is judged against this.
      idle: [
        "idle (nothing built, 3 s)",
        () => new Promise((resolve) => setTimeout(resolve, 3000)),
      ],
      thread: ["key-scan process (shipped)", () => buildDigest(app.ctx, people)],
      main: [
        `main thread, ${DIGEST_PAGE} keys a page`,
        () => buildDigest({ ...app.ctx, keyScanner: undefined }, people),
      ],
      whole: [
        "one read (first version)",
        () =>
          app.store.uow.run(async (tx) => {
            const keys = await tx.keys.all();
            return tx.grants.forKeys(keys.map((k) => k.id));
          }),
      ],
    };
    const way = ways[m];
    if (!way) throw new Error(`no way ${m}`);
    const figures = await measure(...way);
    process.send?.(figures);
  });
  process.send?.("ready");
}

await server();
