// How long an old secret keeps working after a regeneration.
export const GRACE_WINDOWS = {
  none: 0,
  "1h": 60 * 60 * 1000,
  "24h": 24 * 60 * 60 * 1000,
  "7d": 7 * 24 * 60 * 60 * 1000,
} as const;
export type GraceWindow = keyof typeof GRACE_WINDOWS;

export const GRACE_LABELS: Record<GraceWindow, string> = {
  none: "Stop the old secret now",
  "1h": "Keep the old secret for 1 hour",
  "24h": "Keep the old secret for 24 hours",
  "7d": "Keep the old secret for 7 days",
};

export function isGraceWindow(v: string): v is GraceWindow {
  return Object.hasOwn(GRACE_WINDOWS, v);
}
