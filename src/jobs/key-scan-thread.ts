// The digest's pass over every key, on a thread of its own. At 100,000 keys the pass takes a
// second or more of reading and sorting; on the main thread, sliced into pages, it still left
// collector pauses of 5-17 ms on the event loop that answers the verification API. On its own
// thread (its own heap, its own read-only connections) the main thread only receives the few
// keys each section shows. One thread per scan, ended when it has answered: a digest is weekly
// or on demand, so nothing is kept warm for it.
import { Worker } from "node:worker_threads";
import type { KeyScan, KeyScanner } from "../domain/oncall/key-scan.ts";
import type { Log } from "../log.ts";
import type { DatabaseRef } from "../store/read-only.ts";

export interface ScanRequest {
  database: DatabaseRef;
  /** The digest's moment, as milliseconds since the epoch. */
  now: number;
  maxKeyLifetimeDays: number | undefined;
  pageSize?: number;
}

/** A failure as it crosses from the thread: the message, and the code and stack when known. */
export type ScanResult =
  | { scan: KeyScan }
  | { error: { message: string; code?: string; stack?: string } };

const fromSource = import.meta.url.endsWith(".ts");

/**
 * npm start's bundle runs the bundled worker beside it (scripts/build.mjs builds both). From
 * the TypeScript sources (tests, tsx) tsx's own API loads the .ts file: Node 20 does not apply
 * a worker's `--import tsx` to the worker's entry.
 */
function startWorker(workerData: ScanRequest): Worker {
  if (!fromSource) {
    return new Worker(new URL("./key-scan-worker.mjs", import.meta.url), {
      workerData,
      execArgv: [],
    });
  }
  const api = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./key-scan-worker.ts", import.meta.url).href;
  const load = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(load, { eval: true, workerData, execArgv: [] });
}

export interface KeyScanThread {
  scan: KeyScanner;
  /** Scans started so far (for tests). */
  readonly started: number;
  /** Ends the scans still running and refuses new ones: their digests fail, the app is stopping. */
  stop(): Promise<void>;
}

export function keyScanThread(o: {
  database: DatabaseRef;
  maxKeyLifetimeDays?: number;
  log: Log;
  pageSize?: number;
}): KeyScanThread {
  const running = new Set<Worker>();
  let started = 0;
  let current: Promise<KeyScan> | undefined;
  let stopped = false;
  const start = (now: Date) =>
    new Promise<KeyScan>((resolve, reject) => {
      const request: ScanRequest = {
        database: o.database,
        now: now.getTime(),
        maxKeyLifetimeDays: o.maxKeyLifetimeDays,
        pageSize: o.pageSize,
      };
      const worker = startWorker(request);
      started++;
      running.add(worker);
      let answered = false;
      worker.once("message", (r: ScanResult) => {
        answered = true;
        if ("scan" in r) resolve(r.scan);
        else {
          // The thread's own error, its code (SQLITE_BUSY, 57014...) and stack kept as the cause.
          const cause = Object.assign(new Error(r.error.message), r.error);
          reject(new Error(`the key scan failed: ${r.error.message}`, { cause }));
        }
      });
      worker.once("error", (e) => {
        answered = true;
        o.log.warn({ err: e.message }, "the key-scan thread failed");
        reject(e);
      });
      worker.once("exit", (code) => {
        running.delete(worker);
        if (!answered)
          reject(new Error(`the key-scan thread ended (code ${code}) without answering`));
      });
    });
  // Digests asked for while a scan runs (several owners at once, the weekly run) share it: a
  // digest is advice, and a second pass over every key would only compete for the CPU.
  const scan = (now: Date): Promise<KeyScan> => {
    // A job that reaches the digest while the app shuts down must not start a scan of seconds.
    if (stopped) return Promise.reject(new Error("the key scan was not started: stopping"));
    current ??= start(now).finally(() => {
      current = undefined;
    });
    return current;
  };
  return {
    scan,
    get started() {
      return started;
    },
    async stop() {
      stopped = true;
      await Promise.all([...running].map((w) => w.terminate()));
    },
  };
}
