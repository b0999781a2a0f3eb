// What one delivery attempt of an outbox row came to.
export type Outcome =
  | { kind: "sent"; channel: string | null; ts: string | null }
  | { kind: "retry"; afterMs: number; error: string; inDoubt: boolean; refused?: boolean }
  | { kind: "failed"; error: string };
