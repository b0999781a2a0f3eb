// Slack's date formatting as the sandbox page shows it: in the reader's own time zone, falling
// back to the text Slack would show when it cannot format the date.
import { describe, expect, it } from "vitest";
import { slackDate } from "../../../src/sandbox/web/mrkdwn.tsx";

const AT = Date.parse("2026-12-04T23:02:00Z") / 1000;

describe("slackDate", () => {
  it("formats in the reader's zone: the same moment is a different day in Los Angeles and Tokyo", () => {
    const f = "{date_short_pretty} {time}";
    expect(slackDate(AT, f, "2026-12-04 23:02 UTC", "America/Los_Angeles")).toBe(
      "Dec 4, 2026 3:02 PM",
    );
    expect(slackDate(AT, f, "2026-12-04 23:02 UTC", "Asia/Tokyo")).toBe("Dec 5, 2026 8:02 AM");
  });

  it("says today for a moment of the reader's today", () => {
    const now = Math.floor(Date.now() / 1000);
    expect(slackDate(now, "{date_short_pretty}", "x", "UTC")).toBe("today");
  });

  it("shows the fallback for a format it does not know", () => {
    expect(slackDate(AT, "{nonsense}", "2026-12-04 23:02 UTC", "UTC")).toBe("2026-12-04 23:02 UTC");
  });
});
