// Structured logs (pino). Every line passes a last-resort scrubber that replaces anything
// shaped like a key secret; the count of scrubbed lines lets tests prove no code tried.
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { type Logger as BoltLogger, LogLevel } from "@slack/bolt";
import pino from "pino";

const SECRET_LIKE = /kw_[0-9A-Za-z]{46}/g;

export const scrubStats = { lines: 0 };

function scrub(line: string): string {
  if (!line.includes("kw_")) return line;
  const out = line.replace(SECRET_LIKE, "kw_[redacted]");
  if (out !== line) scrubStats.lines++;
  return out;
}

export type Log = pino.Logger;

/**
 * An error as a log line shows it: kind, message, stack, and Slack's code. Nothing else it
 * carries: a failed Web API call holds the request it made, bot token included.
 */
function serializeError(e: unknown, depth = 0): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: inspect(e, { depth: 2, breakLength: Infinity }) };
  const x = e as Error & {
    code?: unknown;
    statusCode?: unknown;
    retryAfter?: unknown;
    data?: { error?: unknown };
  };
  return {
    type: e.name,
    message: e.message,
    stack: e.stack,
    ...(x.code !== undefined ? { code: x.code } : {}),
    ...(typeof x.data?.error === "string" ? { slackError: x.data.error } : {}),
    ...(x.statusCode !== undefined ? { statusCode: x.statusCode } : {}),
    ...(x.retryAfter !== undefined ? { retryAfter: x.retryAfter } : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: serializeError(e.cause, depth + 1) } : {}),
  };
}

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
      serializers: { err: (e: unknown) => serializeError(e) },
      hooks: {
        streamWrite: scrub,
      },
    },
    dest as pino.DestinationStream,
  );
}

/**
 * Bolt's logger interface over pino, for Bolt, its receivers, the Socket Mode client and the
 * Web API clients. Capped at info whatever LOG_LEVEL says: their debug lines carry whole
 * payloads (a Socket Mode ack holds the one-time secret; a received event, whatever was
 * pasted in a channel), so those are never handed to the logger at all.
 */
export function boltLogger(log: Log): BoltLogger {
  const child = log.child({ component: "bolt" });
  const emit =
    (level: "info" | "warn" | "error") =>
    (...m: unknown[]) => {
      const err = m.find((x): x is Error => x instanceof Error);
      const text = m
        .filter((x) => x !== err)
        .map((x) => (typeof x === "string" ? x : inspect(x, { depth: 3, breakLength: Infinity })))
        .join(" ");
      if (err) child[level]({ err }, text || err.message);
      else child[level](text);
    };
  return {
    debug: () => {},
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    setLevel: (_level: LogLevel) => {},
    getLevel: () => {
      // pino's numbers: 30 info, 40 warn.
      const v = child.levelVal;
      if (v <= 30) return LogLevel.INFO;
      return v <= 40 ? LogLevel.WARN : LogLevel.ERROR;
    },
    setName: () => {},
  };
}
