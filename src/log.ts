// Structured logs (pino). Every line passes a last-resort scrubber that replaces anything
// shaped like a key secret; the count of scrubbed lines lets tests prove no code tried.
import { Writable } from "node:stream";
import type { Logger as BoltLogger, LogLevel } from "@slack/bolt";
import pino from "pino";

const SECRET_LIKE = /kw_[0-9A-Za-z]{46}/g;

export const scrubStats = { lines: 0 };

export function scrub(line: string): string {
  if (!line.includes("kw_")) return line;
  const out = line.replace(SECRET_LIKE, "kw_[redacted]");
  if (out !== line) scrubStats.lines++;
  return out;
}

export type Log = pino.Logger;

export function createLog(
  level: string,
  sink: NodeJS.WritableStream | ((line: string) => void) = process.stdout,
): Log {
  const dest =
    typeof sink === "function"
      ? new Writable({
          write(chunk, _enc, cb) {
            sink(chunk.toString());
            cb();
          },
        })
      : sink;
  return pino(
    {
      level,
      base: undefined,
      hooks: {
        streamWrite: scrub,
      },
    },
    dest as pino.DestinationStream,
  );
}

/** Bolt's logger interface over pino. */
export function boltLogger(log: Log): BoltLogger {
  const child = log.child({ component: "bolt" });
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(" ")),
    info: (...m: unknown[]) => child.info(m.map(String).join(" ")),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(" ")),
    error: (...m: unknown[]) => child.error(m.map(String).join(" ")),
    setLevel: (_level: LogLevel) => {},
    getLevel: () => child.level as LogLevel,
    setName: () => {},
  };
}
