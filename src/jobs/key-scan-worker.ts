// The key-scan process's own code: reads every key on connections of its own and sends back
// what the digest shows (the scan's shortlists), then exits. Started by the launcher, on the
// server's channel, at the lowest priority, which it has from the launcher; see
// key-scan-process.ts.
import type { Ctx } from "../domain/context.ts";
import { scanKeys } from "../domain/oncall/key-scan.ts";
import { openReadOnlyStore, type ReadOnlyStore } from "../store/read-only.ts";
import type { ScanAnswer, ScanRequest, ScanResult } from "./key-scan-process.ts";

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

// The server going away (its end of the channel closed) ends the scan too: nobody would read it.
process.once("disconnect", () => process.exit(0));
process.once("message", async (request: ScanRequest) => {
  const answer: ScanAnswer = { id: request.id, ...(await scan(request)) };
  process.send?.(answer, () => process.disconnect());
});
