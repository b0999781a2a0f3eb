// What the verification API's usage counts say, as the domain reads them back.
import type { ApiId } from "../catalog.ts";
import type { GrantCell } from "../types.ts";

/** One key's verifications on one day: every answer for the valid key, and the refused checks. */
export interface UsageDay {
  day: number;
  calls: number;
  refused: number;
}

/** Allowed checks of one (nickname, API) through one grant, summed over some days. */
export interface CheckUse {
  nickname: string;
  api: ApiId;
  grant: GrantCell;
  calls: number;
  lastDay: number;
}

/** A grant as least privilege weighs it: how old it is and when it last allowed a check. */
export interface GrantUse extends GrantCell {
  grantedAt: Date;
  expiresAt: Date | null;
  /** The last day (within the days asked about) a check was counted against it. */
  lastUsedDay: number | null;
}
