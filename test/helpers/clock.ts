import type { Clock } from "../../src/domain/clock.ts";

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start = Date.parse("2026-11-27T12:00:00Z")) {
    this.t = start;
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(at: Date): void {
    this.t = at.getTime();
  }
}

/** Real time plus an offset the test can move forward: timers keep working, days can pass. */
export class ShiftClock implements Clock {
  // TEST_CLOCK_SHIFT_HOURS starts the clock at another hour of the day, to catch tests that
  // pass only at some hours (date pickers and "end of the day" rules depend on it). The
  // delivery, export and fault suites need 0: the Slack stand-in stamps messages with real
  // time, and the in-doubt look-up searches Slack's history from Keyward's clock.
  private offset = Number(process.env.TEST_CLOCK_SHIFT_HOURS ?? 0) * 3_600_000;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;
