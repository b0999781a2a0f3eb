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
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;
