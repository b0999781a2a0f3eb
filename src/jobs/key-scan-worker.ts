// The key-scan thread's own code: reads every key on connections of its own and sends back
// what the digest shows (the scan's shortlists), then exits. See key-scan-thread.ts.
import { readFileSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { Ctx } from "../domain/context.ts";
import { scanKeys } from "../domain/oncall/key-scan.ts";
import { openReadOnlyStore, type ReadOnlyStore } from "../store/read-only.ts";
import type { ScanRequest, ScanResult } from "./key-scan-thread.ts";

/**
 * Background work at the lowest priority: when this thread and the one answering requests
 * both want a core (a machine with two has no third), the scheduler gives it to the latter. On
 * Linux a thread's nice value is its own, set through its thread id.
 */
function yieldTheCpu(): void {
  try {
    const tid = Number(readFileSync("/proc/thread-self/stat", "utf8").split(" ")[0]);
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // Not Linux, or not allowed: the scan runs at the process's priority.
  }
}

yieldTheCpu();
const request = workerData as ScanRequest;
let result: ScanResult;
let store: ReadOnlyStore | undefined;
try {
  store = openReadOnlyStore(request.database);
  const now = new Date(request.now);
  const ctx: Ctx = {
    uow: store.uow,
    clock: { now: () => now },
    maxKeyLifetimeDays: request.maxKeyLifetimeDays,
  };
  result = { scan: await scanKeys(ctx, now, { pageSize: request.pageSize }) };
} catch (e) {
  const err = e as { message?: unknown; code?: unknown; stack?: unknown };
  result = {
    error: {
      message: typeof err?.message === "string" ? err.message : String(e),
      code: typeof err?.code === "string" ? err.code : undefined,
      stack: typeof err?.stack === "string" ? err.stack : undefined,
    },
  };
} finally {
  await store?.close();
}
parentPort?.postMessage(result);
