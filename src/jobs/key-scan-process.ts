// The digest's pass over every key, in a process of its own. At 100,000 keys the pass takes a
// second or more of reading and sorting; on the main thread, sliced into pages, it still left
// collector pauses of 5-17 ms on the event loop that answers the verification API. A worker
// thread took the pass off the loop but not off the process: V8 collects a worker's garbage on
// the process's shared helper threads, at normal priority, and the main thread then waited up
// to 10-19 ms for a CPU behind them (perf sched, on a 2-CPU machine). In a process of its own,
// every thread of the scan (its collector's too) runs at the lowest priority, and its memory
// is not the server's. The main process only receives the few keys each section shows. One
// process per scan, ended when it has answered (a digest is weekly or on demand), started by a
// small launcher that the server starts once (see LAUNCHER): never by the server itself.
import { type ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { KeyScan, KeyScanner } from "../domain/oncall/key-scan.ts";
import type { Log } from "../log.ts";
import type { DatabaseRef } from "../store/read-only.ts";

export interface ScanRequest {
  /** Which scan this is: an answer to an earlier one is not this one's. */
  id: number;
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

/** A result as sent back, with the id of the request it answers. */
export type ScanAnswer = ScanResult & { id: number };

const fromSource = import.meta.url.endsWith(".ts");

const span = (ms: number) =>
  ms >= 60_000
    ? `${Math.round(ms / 60_000)} minutes`
    : `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;

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
 * The launcher: a shell started with the scan process's environment and priority, while the
 * server is still small, that starts each scan on request. Starting a process copies the page
 * tables of the process that starts it, on its calling thread: from a server at 195 MB RSS that
 * held the event loop 10-12 ms, at 445 MB 23-27 ms, once per digest. The shell is 1-2 MB.
 *
 * fd 0: one line per scan (its id) from the server. fd 3: the server's IPC channel, inherited
 * by each scan (NODE_CHANNEL_FD), which reads its request there and answers there; the shell
 * itself never touches it. fd 4: the shell's reports, "started <id> <pid>" and "ended <id>
 * <status>". SCHED_IDLE (or nice 19) is set on the shell, so each scan has it from its first
 * instruction, module loading included. $0 is a name for ps; "$@" is the scan's command line.
 */
const LAUNCHER = `(chrt --idle --pid 0 $$ || renice -n 19 -p $$) >/dev/null 2>&1
while read -r id; do
  "$@" </dev/null 4>&- &
  pid=$!
  echo "started $id $pid" >&4
  wait "$pid"
  echo "ended $id $?" >&4
done`;

/**
 * npm start's bundle runs the bundled worker beside it (scripts/build.mjs builds both); from
 * the TypeScript sources (tests, tsx) the .ts file runs through tsx, found from this file
 * wherever the process was started. The answer crosses as a structured clone (it holds
 * Dates).
 */
function startLauncher(shell: string, execPath: string): ChildProcess {
  const entry = new URL(`./key-scan-worker.${fromSource ? "ts" : "mjs"}`, import.meta.url);
  const scan = [
    execPath,
    ...(fromSource ? ["--import", import.meta.resolve("tsx")] : []),
    fileURLToPath(entry),
  ];
  return spawn(shell, ["-c", LAUNCHER, "keyward-key-scan", ...scan], {
    env: scanEnvironment(),
    serialization: "advanced",
    stdio: ["pipe", "inherit", "inherit", "ipc", "pipe"],
  });
}

export interface KeyScanProcess {
  scan: KeyScanner;
  /** Scans started so far (for tests). */
  readonly started: number;
  /** Launchers started so far: the processes the server itself has started (for tests). */
  readonly launched: number;
  /** Ends the scan still running and the launcher, and refuses new scans: the app is stopping. */
  stop(): Promise<void>;
}

/** The scan under way on a launcher. */
interface Running {
  /** Sent to the scan once the launcher has started it; its id is the scan's. */
  request: ScanRequest;
  /** The scan's process, once the launcher has said. */
  pid?: number;
  settle(error: Error | undefined, scan?: KeyScan): void;
}

interface Launcher {
  proc: ChildProcess;
  /** fd 4: the launcher's "started" and "ended" lines. */
  reports: Socket | null;
  running?: Running;
  /** Set once it is being ended or has ended: never given another scan. */
  done: boolean;
  exited: Promise<void>;
}

/**
 * An answer that the channel already holds may be read after the launcher's "ended" line (two
 * pipes, read in whatever order they become readable): how long to wait for it.
 */
const ANSWER_GRACE_MS = 2000;

/** How long a launcher being ended has to reap its scan and exit before it is killed. */
const LAUNCHER_GRACE_MS = 2000;

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
  /** The shell that runs the launcher (default: /bin/sh). */
  shell?: string;
}): KeyScanProcess {
  const deadlineMs = o.deadlineMs ?? SCAN_DEADLINE_MS;
  const shell = o.shell ?? "/bin/sh";
  let launcher: Launcher | undefined;
  let started = 0;
  let launched = 0;
  let nextId = 1;
  let current: Promise<KeyScan> | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  /** Ends a launcher and the scan it runs: after any failure, so no stale request or half-read answer is left in the channel for the next scan. */
  const end = (l: Launcher, why: Error) => {
    const running = l.running;
    l.running = undefined;
    running?.settle(why);
    if (l.done) return;
    l.done = true;
    if (launcher === l) launcher = undefined;
    // Its end is awaited (stop()): with the process unreferenced, a server with nothing else
    // left to do would exit before it, in the middle of shutting down.
    l.proc.ref();
    // The scan first, then the launcher lets itself end: it reaps the scan (killed first, an
    // orphaned scan would be left as a zombie where the server is PID 1 and reaps only its
    // own children), reads the end of its input and exits. A scan it starts meanwhile, not
    // yet named, exits when the channel closes, which it does here.
    if (running?.pid) {
      try {
        process.kill(running.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    l.proc.stdin?.end();
    if (l.proc.connected) l.proc.disconnect();
    // A launcher that does not end by itself (stopped, or stuck) is ended.
    const force = setTimeout(() => l.proc.kill("SIGKILL"), LAUNCHER_GRACE_MS);
    void l.exited.then(() => clearTimeout(force));
  };

  const open = (): Launcher => {
    const proc = startLauncher(shell, o.execPath ?? process.execPath);
    launched++;
    const l: Launcher = {
      proc,
      reports: proc.stdio[4] as Socket | null,
      done: false,
      exited: new Promise((resolve) => {
        // "error" without a process (ENOENT, EAGAIN) is followed by no "exit".
        proc.once("exit", () => resolve());
        proc.once("error", () => proc.pid === undefined && resolve());
      }),
    };
    // "on", not "once": a launcher that could not be started reports that, then the writes to
    // it fail again with EPIPE; an error event with no listener would end the server.
    proc.on("error", (e) => {
      // Once it is being ended, closing the channel can report that it already closed.
      if (l.done) return o.log.debug({ err: e.message }, "key-scan launcher, ending");
      o.log.warn({ err: e.message, shell }, "the key-scan launcher failed");
      end(l, e);
    });
    proc.once("exit", (code, signal) => {
      if (l.done) o.log.debug({ code, signal }, "key-scan launcher exited");
      else
        o.log.warn({ code, signal }, "the key-scan launcher ended; the next digest starts another");
      end(l, new Error(`the key-scan launcher ended (${signal ?? `code ${code}`})`));
    });
    proc.stdin?.on("error", () => {}); // reported by "error"/"exit" above
    proc.on("message", (r: ScanAnswer | null) => {
      const running = l.running;
      // Not an answer (a bug in the scan), or one to a scan already given up on.
      if (typeof r !== "object" || r === null || r.id !== running?.request.id) return;
      l.running = undefined;
      if ("scan" in r) return running.settle(undefined, r.scan);
      // The scan's own error, its code (SQLITE_BUSY, 57014...) and stack kept as the cause.
      const cause = Object.assign(new Error(r.error.message), r.error);
      running.settle(new Error(`the key scan failed: ${r.error.message}`, { cause }));
    });
    if (l.reports) {
      createInterface({ input: l.reports }).on("line", (line) => {
        const [what, id, value] = line.split(" ");
        const running = l.running;
        if (!running || Number(id) !== running.request.id) return;
        if (what === "started") {
          running.pid = Number(value);
          // Sent only now: the scan before it has ended (the launcher waited for it), so no
          // process but this one can read it from the channel.
          l.proc.send(running.request, (e) => e && end(l, e));
          return;
        }
        if (what !== "ended") return;
        running.pid = undefined;
        // Its answer, if it sent one, is in the channel already.
        setTimeout(() => {
          if (l.running === running)
            end(l, new Error(`the key-scan process ended (status ${value}) without answering`));
        }, ANSWER_GRACE_MS).unref();
      });
    }
    idle(l);
    return l;
  };

  // The launcher waits all week: it must not keep the server's process alive on its own.
  const idle = (l: Launcher) => {
    l.proc.unref();
    l.proc.channel?.unref();
    l.reports?.unref();
  };

  const start = (now: Date) =>
    new Promise<KeyScan>((resolve, reject) => {
      launcher ??= open();
      const l = launcher;
      const id = nextId++;
      started++;
      let settled = false;
      const running: Running = {
        request: {
          id,
          database: o.database,
          now: now.getTime(),
          maxKeyLifetimeDays: o.maxKeyLifetimeDays,
          pageSize: o.pageSize,
        },
        settle(error, scan) {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          if (l.running === running) l.running = undefined;
          if (!l.done) idle(l);
          if (error) reject(error);
          else resolve(scan as KeyScan);
        },
      };
      const deadline = setTimeout(() => {
        end(
          l,
          new Error(
            `the key scan took longer than ${span(deadlineMs)} (no CPU to spare, or a database lock kept it waiting): ended`,
          ),
        );
      }, deadlineMs);
      deadline.unref();
      if (l.done || !l.proc.connected) {
        if (launcher === l) launcher = undefined;
        return running.settle(new Error("the key-scan launcher could not be started"));
      }
      l.running = running;
      // Awaited: the launcher's reports, then the answer on the channel.
      l.proc.channel?.ref();
      l.reports?.ref();
      l.proc.stdin?.write(`${id}\n`);
    });
  // Started now, while the server is small (see LAUNCHER).
  launcher = open();
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
    get launched() {
      return launched;
    },
    stop() {
      stopped = true;
      stopping ??= (async () => {
        const l = launcher;
        if (!l) return;
        end(l, new Error("the key scan was ended: the app is stopping"));
        await l.exited;
      })();
      return stopping;
    },
  };
}
