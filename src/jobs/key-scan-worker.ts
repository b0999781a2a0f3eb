// The key-scan process's own code: reads every key on connections of its own and sends back
// what the digest shows (the scan's shortlists), then exits. See key-scan-process.ts.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";
import type { Ctx } from "../domain/context.ts";
import { scanKeys } from "../domain/oncall/key-scan.ts";
import { openReadOnlyStore, type ReadOnlyStore } from "../store/read-only.ts";
import type { ScanRequest, ScanResult } from "./key-scan-process.ts";

/**
 * Background work at the lowest priority: when this process and the server both want a core
 * (a machine with two has no third), the scheduler gives it to the server. Best is Linux's
 * SCHED_IDLE (run only on a CPU nothing else wants; a waking server thread takes the CPU at
 * once), set with util-linux's chrt for every thread there is now (V8's collector helpers
 * among them); threads started later inherit it. Without chrt, nice 19, also per thread.
 */
function yieldTheCpu(): void {
  try {
    execFileSync("chrt", ["--idle", "--all-tasks", "--pid", "0", String(process.pid)], {
      stdio: "ignore",
      timeout: 2000,
    });
    return;
  } catch {
    // No chrt (or not Linux): nice values instead.
  }
  try {
    setPriority(19);
    for (const tid of readdirSync("/proc/self/task")) setPriority(Number(tid), 19);
  } catch {
    // Not Linux, or not allowed: the scan runs at the server's priority.
  }
}

async function scan(request: ScanRequest): Promise<ScanResult> {
  let store: ReadOnlyStore | undefined;
  try {
    store = openReadOnlyStore(request.database);
    const now = new Date(request.now);
    const ctx: Ctx = {
      uow: store.uow,
      clock: { now: () => now },
      maxKeyLifetimeDays: request.maxKeyLifetimeDays,
    };
    return { scan: await scanKeys(ctx, now, { pageSize: request.pageSize }) };
  } catch (e) {
    const err = e as { message?: unknown; code?: unknown; stack?: unknown };
    return {
      error: {
        message: typeof err?.message === "string" ? err.message : String(e),
        code: typeof err?.code === "string" ? err.code : undefined,
        stack: typeof err?.stack === "string" ? err.stack : undefined,
      },
    };
  } finally {
    await store?.close();
  }
}

yieldTheCpu();
// The server going away (its end of the channel closed) ends the scan too: nobody would read it.
process.once("disconnect", () => process.exit(0));
process.once("message", async (request: ScanRequest) => {
  const result = await scan(request);
  process.send?.(result, () => process.disconnect());
});
