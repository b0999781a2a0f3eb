// A Web API refusal as Slack words it: `{ ok: false, error, ...extra }`.
import type { Json } from "./workspace.ts";

export class ApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Json = {},
  ) {
    super(error);
  }
}
