// Usage is counted per UTC day; a day is its number of whole days since 1970-01-01 UTC, so
// that windows and retention are plain integer comparisons in both databases.
import { isoDay } from "../text.ts";

export const DAY_MS = 24 * 60 * 60 * 1000;

export const dayOf = (at: Date | number): number =>
  Math.floor((typeof at === "number" ? at : at.getTime()) / DAY_MS);

export const dayStart = (day: number): Date => new Date(day * DAY_MS);

export const isoDayOf = (day: number): string => isoDay(dayStart(day));
