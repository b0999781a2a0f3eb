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

const span = (ms: number) =>
  ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} s`;

/** How long a scan may take before it is ended and its digests fail (see keyScanProcess). */
export const SCAN_DEADLINE_MS = 20 * 60_000;

/**
 * What the scan may see of the server's environment: where to find programs (chrt), the time
 * zone and locale, and how to reach PostgreSQL when a deployment configures its connection by
 * the driver's PG* variables or trusts a CA of its own. Not the Slack or verification secrets,
 * and not NODE_OPTIONS: none of the server's own Node flags are passed on.
 */
function scanEnvironment(): NodeJS.ProcessEnv {
  const keep = (name: string) =>
    ["PATH", "TZ", "LANG", "LC_ALL", "NODE_ENV", "NODE_EXTRA_CA_CERTS"].includes(name) ||
    name.startsWith("PG") ||
    name.startsWith("SSL_CERT_");
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => keep(name)));
}

/**
 * npm start's bundle runs the bundled worker beside it (scripts/build.mjs builds both); from
 * the TypeScript sources (tests, tsx) the .ts file runs through tsx, found from this file
 * wherever the process was started. The answer crosses as a structured clone (it holds a Map
 * and Dates).
 */
function startScan(execPath: string): ChildProcess {
  const entry = new URL(`./key-scan-worker.${fromSource ? "ts" : "mjs"}`, import.meta.url);
  return fork(fileURLToPath(entry), [], {
    execPath,
    execArgv: fromSource ? ["--import", import.meta.resolve("tsx")] : [],
    env: scanEnvironment(),
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
  /**
   * A scan runs only on CPU nothing else wants: on a machine kept busy it can take minutes
   * (a 20,000-key scan beside two CPU-bound processes on two CPUs took 5 minutes, against
   * 1.5 s idle). Past this it is ended and its digests fail, so that a scan stuck behind a
   * database lock does not hold every later digest, which would wait for it.
   */
  deadlineMs?: number;
  /** The Node binary that runs the scan (default: this process's). */
  execPath?: string;
}): KeyScanProcess {
  const deadlineMs = o.deadlineMs ?? SCAN_DEADLINE_MS;
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
      const child = startScan(o.execPath ?? process.execPath);
      started++;
      running.add(child);
      let settled = false;
      const settle = (error: Error | undefined, scan?: KeyScan) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (error) reject(error);
        else resolve(scan as KeyScan);
      };
      const deadline = setTimeout(() => {
        settle(
          new Error(
            `the key scan took longer than ${span(deadlineMs)} (no CPU to spare, or a database lock kept it waiting): ended`,
          ),
        );
        child.kill("SIGKILL");
      }, deadlineMs);
      deadline.unref();
      child.once("message", (r: ScanResult) => {
        if ("scan" in r) return settle(undefined, r.scan);
        // The scan's own error, its code (SQLITE_BUSY, 57014...) and stack kept as the cause.
        const cause = Object.assign(new Error(r.error.message), r.error);
        settle(new Error(`the key scan failed: ${r.error.message}`, { cause }));
      });
      // "on", not "once": a process that could not be started (EAGAIN at a process limit,
      // ENOENT) reports that, then the request sent to it fails again with EPIPE; an error
      // event with no listener would end the server.
      child.on("error", (e) => {
        o.log.warn({ err: e.message }, "the key-scan process failed");
        // Never started: no process, so no "close" will come.
        if (child.pid === undefined) running.delete(child);
        settle(e);
      });
      // "close", not "exit": it comes once the answer, if any, has been read from the channel.
      child.once("close", (code, signal) => {
        running.delete(child);
        settle(
          new Error(`the key-scan process ended (${signal ?? `code ${code}`}) without answering`),
        );
      });
      if (child.connected) child.send(request, (e) => e && settle(e));
      else settle(new Error("the key-scan process could not be started"));
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
              if (!running.has(child) || child.pid === undefined) return resolve();
              child.once("close", () => resolve());
              child.kill("SIGKILL");
            }),
        ),
      );
    },
  };
}
