// Usage is counted per UTC day; a day is its number of whole days since 1970-01-01 UTC, so
// that windows and retention are plain integer comparisons in both databases.

export const DAY_MS = 24 * 60 * 60 * 1000;

export const dayOf = (at: Date | number): number =>
  Math.floor((typeof at === "number" ? at : at.getTime()) / DAY_MS);

export const dayStart = (day: number): Date => new Date(day * DAY_MS);

/** A counting day as YYYY-MM-DD (counting days are UTC days). */
export const isoDayOf = (day: number): string => dayStart(day).toISOString().slice(0, 10);
