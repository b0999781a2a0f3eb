// The server side of bench:verify's event-loop measurement: a delay histogram inside the
// server's own process (where a stall happens), read and reset over IPC between rounds.
import { monitorEventLoopDelay } from "node:perf_hooks";

/** How often the loop is sampled; each sample is the time since the last, minus this. */
const RESOLUTION_MS = 1;

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  /** The server's memory when asked (MB), to tell what its RSS is made of. */
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number };
}

export const LOOP_DELAY_REQUEST = "loop-delay";

/** Answers each "loop-delay" message with the delays (ms) since the previous one. */
export function serveLoopDelay(): void {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  process.on("message", (m) => {
    if (m !== LOOP_DELAY_REQUEST) return;
    const mem = process.memoryUsage();
    const mb = (bytes: number) => bytes / 1048576;
    const delay: LoopDelay = {
      p50: ms(h.percentile(50)),
      p99: ms(h.percentile(99)),
      max: ms(h.max),
      samples: h.count,
      memory: {
        rss: mb(mem.rss),
        heapTotal: mb(mem.heapTotal),
        heapUsed: mb(mem.heapUsed),
        external: mb(mem.external),
      },
    };
    h.reset();
    process.send?.({ loopDelay: delay });
  });
}
