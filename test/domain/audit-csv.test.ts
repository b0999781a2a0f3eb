// The audit CSV: RFC 4180 quoting, no formulas for spreadsheets, readable diffs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  auditCsv,
  CSV_COLUMNS,
  csvField,
  csvLine,
  readableDiff,
} from "../../src/domain/audit/csv.ts";
import type { AuditEvent } from "../../src/domain/types.ts";

/** A small RFC 4180 reader: records of fields, CRLF between records, "" inside quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
      } else {
        field += ch;
        i += 1;
      }
    } else if (ch === '"') {
      if (field !== "") throw new Error(`a quote inside an unquoted field at ${i}`);
      quoted = true;
      i += 1;
    } else if (ch === ",") {
      record.push(field);
      field = "";
      i += 1;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i += 2;
    } else if (ch === "\r" || ch === "\n") {
      throw new Error(`a bare line break outside quotes at ${i}`);
    } else {
      field += ch;
      i += 1;
    }
  }
  if (quoted) throw new Error("an unterminated quoted field");
  if (field !== "" || record.length) throw new Error("a last record without CRLF");
  return records;
}

const DANGEROUS = ["=", "+", "-", "@", "\t", "\r"];

/** What a field reads as once parsed back: itself, or itself behind an apostrophe. */
const expected = (v: string) => (DANGEROUS.some((c) => v.startsWith(c)) ? `'${v}` : v);

const event = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: 7,
  at: new Date("2026-11-27T12:34:56.789Z"),
  actor: "U0OWNER1",
  action: "key.renamed",
  keyId: 3,
  keyName: "Billing sync",
  keyPublicId: "AbCd1234",
  requestId: null,
  subject: null,
  reason: null,
  diff: { before: { name: "Billing" }, after: { name: "Billing sync" } },
  ...over,
});

describe("csvField", () => {
  it("quotes only what RFC 4180 requires, doubling quotes", () => {
    expect(csvField("plain text")).toBe("plain text");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField("")).toBe("");
  });

  it("neutralises a cell a spreadsheet would run as a formula", () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvField("+1+2")).toBe("'+1+2");
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\t=1")).toBe("'\t=1");
    expect(csvField("\r=1")).toBe('"\'\r=1"');
    // Only the start of a cell matters.
    expect(csvField("a=b")).toBe("a=b");
  });
});

describe("auditCsv", () => {
  it("has a header and one CRLF-ended line per event, times in ISO 8601 UTC", () => {
    const csv = auditCsv([event(), event({ id: 8, action: "key.disabled", diff: null })]);
    expect(parseCsv(csv)).toEqual([
      [...CSV_COLUMNS],
      [
        "7",
        "2026-11-27T12:34:56.789Z",
        "U0OWNER1",
        "key.renamed",
        "Billing sync",
        "AbCd1234",
        "",
        "",
        "",
        "name: Billing -> Billing sync",
      ],
      [
        "8",
        "2026-11-27T12:34:56.789Z",
        "U0OWNER1",
        "key.disabled",
        "Billing sync",
        "AbCd1234",
        "",
        "",
        "",
        "",
      ],
    ]);
  });

  it("keeps a hostile key name and reason as text", () => {
    const csv = auditCsv([
      event({
        keyName: '=cmd|" /C calc"!A0',
        reason: '@lunch, "urgent"\r\nsecond line',
        subject: "-1",
        requestId: 42,
      }),
    ]);
    const [, row] = parseCsv(csv);
    expect(row?.[4]).toBe(`'=cmd|" /C calc"!A0`);
    expect(row?.[6]).toBe("42");
    expect(row?.[7]).toBe("'-1");
    expect(row?.[8]).toBe('\'@lunch, "urgent"\r\nsecond line');
  });

  it("parses back to the original fields, a dangerous one behind an apostrophe", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: "binary" }), { minLength: 1, maxLength: 8 }), {
          minLength: 1,
          maxLength: 10,
        }),
        (rows) => {
          const width = rows[0]?.length ?? 1;
          const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ""));
          const text = table.map(csvLine).join("");
          expect(parseCsv(text)).toEqual(table.map((r) => r.map(expected)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("parses back events with arbitrary typed text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme" }),
        fc.string({ unit: "binary" }),
        fc.option(fc.string(), { nil: null }),
        (name, reason, subject) => {
          const e = event({ keyName: name, reason, subject });
          const [, row] = parseCsv(auditCsv([e]));
          expect(row?.[4]).toBe(expected(name));
          expect(row?.[7]).toBe(expected(subject ?? ""));
          expect(row?.[8]).toBe(expected(reason));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("readableDiff", () => {
  it("prefers the change lines, people by their id", () => {
    expect(
      readableDiff({
        before: [],
        after: [],
        changes: ["+ Products API on acme", "Key owner: {{user:U0MEMBER}}", "name \\{x}"],
      }),
    ).toBe("+ Products API on acme\nKey owner: U0MEMBER\nname {x}");
  });

  it("says what appeared, went and changed", () => {
    expect(readableDiff({ after: { nickname: "acme", kind: "seller" } })).toBe(
      "+ nickname: acme\n+ kind: seller",
    );
    expect(readableDiff({ before: { nickname: "acme" } })).toBe("- nickname: acme");
    expect(
      readableDiff({
        before: { role: "member", since: null },
        after: { role: "owner", since: null },
      }),
    ).toBe("role: member -> owner");
    expect(readableDiff({ before: ["a"], after: ["a", "b"] })).toBe(
      'before: ["a"]\nafter: ["a","b"]',
    );
    expect(readableDiff(null)).toBe("");
  });
});
