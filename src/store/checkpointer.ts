// WAL checkpoints in a worker thread. A checkpoint copies the pages committed since the last
// one into the database file and syncs it: 25–40 ms after a second of last-use writes on a
// 100,000-key database, which SQLite would otherwise do inside the COMMIT that crosses its
// threshold, on the event loop, while requests wait. So the writer connection never
// checkpoints (wal_autocheckpoint = 0) and this thread's own connection does, in PASSIVE mode
// (it neither waits for nor blocks readers and writers). If the thread fails, the writer
// takes checkpoints back rather than let the WAL grow without end.
//
// Every 100 ms, not every second: the WAL file starts over from its beginning only when a
// write finds every frame before it checkpointed. With both on one-second timers, a
// checkpoint that kept landing just before the flushes committed let the file grow by a
// flush (about 4 MB at 100,000 keys under load) every second for 24 s on end, to 98–122 MB.
// A checkpoint with nothing new to copy costs the thread almost nothing.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

// Plain JavaScript evaluated in the thread: no TypeScript loader needed there.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (e) {
    // Busy or I/O trouble: the next round tries again.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "close") return;
  clearInterval(timer);
  try {
    db.close();
  } catch (e) {}
  parentPort.close();
});
`;

/** How often the thread checkpoints (see above for why so often). */
export const CHECKPOINT_EVERY_MS = 100;

const DRIVER = createRequire(import.meta.url).resolve("better-sqlite3");
const FALLBACK_PAGES = 1000;

export interface Checkpointer {
  /** Resolves once the thread's connection is closed and the thread has exited. */
  close(): Promise<void>;
}

/** Moves `sqlite`'s WAL checkpoints to a worker thread with its own connection to `path`. */
export function checkpointInBackground(
  sqlite: Database.Database,
  path: string,
  intervalMs = CHECKPOINT_EVERY_MS,
): Checkpointer {
  sqlite.pragma("wal_autocheckpoint = 0");
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: { path, driver: DRIVER, intervalMs },
  });
  worker.unref();
  let closed = false;
  const takeBack = () => {
    if (!closed && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_PAGES}`);
  };
  worker.on("error", takeBack);
  worker.on("exit", takeBack);
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    close() {
      closed = true;
      // Awaited: unreferenced, its exit would not keep a process with nothing else to do alive
      // until it came.
      worker.ref();
      worker.postMessage("close");
      return exited;
    },
  };
}
