// The digest's pass over every key, in a process of its own. At 100,000 keys the pass takes a
// second or more of reading and sorting; on the main thread, sliced into pages, it still left
// collector pauses of 5-17 ms on the event loop that answers the verification API. A worker
// thread took the pass off the loop but not off the process: V8 collects a worker's garbage on
// the process's shared helper threads, at normal priority, and the main thread then waited up
// to 10-19 ms for a CPU behind them (perf sched, on a 2-CPU machine). In a process of its own,
// every thread of the scan (its collector's too) runs at the lowest priority, and its memory
// is not the server's. The main process only receives the few keys each section shows. One
// process per scan, ended when it has answered: a digest is weekly or on demand.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
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

/** A failure as it crosses from the scan: the message, and the code and stack when known. */
export type ScanResult =
  | { scan: KeyScan }
  | { error: { message: string; code?: string; stack?: string } };

const fromSource = import.meta.url.endsWith(".ts");

/**
 * npm start's bundle runs the bundled worker beside it (scripts/build.mjs builds both); from
 * the TypeScript sources (tests, tsx) the .ts file runs through tsx. None of the server's own
 * Node flags are passed on. The answer crosses as a structured clone (it holds a Map and Dates).
 */
function startScan(): ChildProcess {
  const entry = new URL(`./key-scan-worker.${fromSource ? "ts" : "mjs"}`, import.meta.url);
  return fork(fileURLToPath(entry), [], {
    execArgv: fromSource ? ["--import", "tsx"] : [],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

export interface KeyScanProcess {
  scan: KeyScanner;
  /** Scans started so far (for tests). */
  readonly started: number;
  /** Ends the scans still running and refuses new ones: their digests fail, the app is stopping. */
  stop(): Promise<void>;
}

export function keyScanProcess(o: {
  database: DatabaseRef;
  maxKeyLifetimeDays?: number;
  log: Log;
  pageSize?: number;
}): KeyScanProcess {
  const running = new Set<ChildProcess>();
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
      const child = startScan();
      started++;
      running.add(child);
      let answered = false;
      child.once("message", (r: ScanResult) => {
        answered = true;
        if ("scan" in r) resolve(r.scan);
        else {
          // The scan's own error, its code (SQLITE_BUSY, 57014...) and stack kept as the cause.
          const cause = Object.assign(new Error(r.error.message), r.error);
          reject(new Error(`the key scan failed: ${r.error.message}`, { cause }));
        }
      });
      child.once("error", (e) => {
        // It could not be started (or signalled): the digest fails with the reason.
        answered = true;
        o.log.warn({ err: e.message }, "the key-scan process failed");
        reject(e);
      });
      // "close", not "exit": it comes once the answer, if any, has been read from the channel.
      child.once("close", (code, signal) => {
        running.delete(child);
        if (!answered)
          reject(
            new Error(`the key-scan process ended (${signal ?? `code ${code}`}) without answering`),
          );
      });
      child.send(request);
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
      await Promise.all(
        [...running].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (!running.has(child)) return resolve();
              child.once("close", () => resolve());
              child.kill("SIGKILL");
            }),
        ),
      );
    },
  };
}
