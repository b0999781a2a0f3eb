// An audit export reaches the asker's DM as one CSV file through Slack's external upload, once,
// whatever Slack does: a lost answer, a 429, a failed upload, a lapsed upload, a restart.
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportAudit } from "../../src/domain/audit/export.ts";
import type { FaultPlan } from "../../src/sandbox/standin/index.ts";
import type { Message } from "../../src/sandbox/standin/workspace.ts";
import { query } from "../helpers/db-rows.ts";
import { emptyDatabase, fileDatabase } from "../helpers/pg.ts";
import { type Harness, PEOPLE, startHarness } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import { person } from "../helpers/slack/person.ts";
import { BACKENDS } from "../helpers/store.ts";

describe.each(BACKENDS)("an audit export on %s", (backend) => {
  let h: Harness;
  let secret: string;
  let pgUrl = "";
  beforeEach(async () => {
    if (backend === "postgres") {
      pgUrl = await fileDatabase();
      await emptyDatabase(pgUrl);
      h = await startHarness({ DATABASE_URL: pgUrl });
    } else h = await startHarness();
    const owner = person(h, "owner");
    await owner.run("nickname add acme seller");
    await owner.run(`role add <@${PEOPLE.oncall.id}|casey> oncall`);
    secret = await owner.createKey("Billing sync", { "Analytics API": ["acme"] });
    await owner.run("disable Billing sync");
    await owner.submit();
  });
  afterEach(() => stopChecked(h, { expectSecrets: true }));

  async function waitForOutbox(timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const c = await h.app.store.uow.run(async (tx) => tx.outboxQueue.counts(), { quiet: true });
      if (!c.pending && !c.sending) return;
      if (Date.now() > until) throw new Error(`outbox not drained: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Until the stand-in has answered (or faulted) this many calls of a method. */
  async function waitForCalls(method: string, n: number, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (h.slack.api.calls.filter((c) => c.method === method).length < n) {
      if (Date.now() > until) throw new Error(`no ${n}th ${method}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const exportFor = (who: keyof typeof PEOPLE, filter = {}) =>
    exportAudit(h.app.ctx, PEOPLE[who].id, { filter }).then((r) => {
      h.app.worker?.kick();
      return r;
    });

  /** The messages with a file in someone's DM. */
  function files(who: keyof typeof PEOPLE): Message[] {
    return person(h, who)
      .dms()
      .filter((m) => m.files?.length);
  }

  const calls = (method: string) => h.slack.api.calls.filter((c) => c.method === method);

  /** The export's outbox rows: status, the file id kept, the last error. */
  async function exportRow() {
    const all = await query<{
      status: string;
      upload_file_id: string | null;
      last_error: string | null;
      payload: string;
    }>(h.app.store, "select status, upload_file_id, last_error, payload from outbox order by id");
    return all
      .filter((r) => JSON.parse(r.payload).type === "audit_export")
      .map(({ payload: _, ...r }) => r);
  }

  /** Restarts the app; while it is down, the export's row is left as a crash mid-call leaves it. */
  async function restartMidCall(): Promise<void> {
    const inFlight = "update outbox set status = 'sending' where status <> 'sent'";
    if (backend === "sqlite") {
      await h.restart((path) => {
        const db = new Database(path);
        db.prepare(inFlight).run();
        db.close();
      });
      return;
    }
    await h.app.stop();
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(inFlight);
    await c.end();
    await h.restart();
  }

  it("arrives as a CSV file in the asker's DM, with no secret in it", async () => {
    const r = await exportFor("oncall", { key: "Billing sync" });
    expect(r.count).toBe(2);
    await waitForOutbox();
    const [m] = files("oncall");
    expect(m?.text).toContain("Audit log export: 2 audit events, oldest first");
    expect(m?.text).toContain('key "Billing sync"');
    const file = m?.files?.[0];
    expect(file).toMatchObject({ name: r.filename, mimetype: "text/csv" });
    const csv = h.slack.ws.fileText(file?.id as string) as string;
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "event_id,time_utc,actor,action,key_name,public_id,request_id,subject,reason,diff",
    );
    expect(lines.slice(1, 3).map((l) => l.split(",")[3])).toEqual(["key.created", "key.disabled"]);
    expect(csv).not.toContain(secret);
    expect(csv).not.toContain(secret.slice(11));
    // Shared to the DM's channel id (a user id is not one), with the upload's own bytes.
    const [complete] = calls("files.completeUploadExternal");
    expect(complete?.args.channel_id).toBe(h.slack.ws.imWith(PEOPLE.oncall.id)?.id);
    expect(calls("upload_url")[0]?.args.bytes).toBe(Buffer.byteLength(csv));
    expect(await exportRow()).toEqual([
      { status: "sent", upload_file_id: file?.id, last_error: null },
    ]);
    expect(files("owner")).toEqual([]);
  });

  it("is shared once when the first completeUploadExternal answer is lost", async () => {
    h.slack.api.setFaults({
      rate: 1,
      kinds: ["applied_then_timeout"],
      methods: ["files.completeUploadExternal"],
      timeoutMs: 1500,
    });
    await exportFor("owner");
    await waitForOutbox();
    expect(files("owner").length).toBe(1);
    // Slack shared it; the answer never came; the next attempt found it in the DM.
    expect(calls("files.completeUploadExternal").map((c) => c.fault)).toEqual([
      "applied_then_timeout",
    ]);
    expect(calls("files.getUploadURLExternal").length).toBe(1);
    expect(calls("conversations.history").length).toBeGreaterThan(0);
    expect((await exportRow())[0]?.status).toBe("sent");
  });

  it("waits out a 429 and completes the same file, once", async () => {
    h.slack.api.setFaults({
      rate: 1,
      kinds: ["rate_limited"],
      methods: ["files.completeUploadExternal"],
      retryAfterSeconds: 1,
    });
    await exportFor("owner");
    await waitForCalls("files.completeUploadExternal", 1);
    h.slack.api.setFaults(undefined);
    await waitForOutbox();
    expect(files("owner").length).toBe(1);
    const completes = calls("files.completeUploadExternal");
    expect(completes.map((c) => c.fault ?? "ok")).toEqual(["rate_limited", "ok"]);
    expect(completes[0]?.args.files).toEqual(completes[1]?.args.files);
    expect((completes[1]?.at ?? 0) - (completes[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(calls("files.getUploadURLExternal").length).toBe(1);
  });

  it("starts over with a new upload when the upload URL fails", async () => {
    h.slack.api.setFaults({ rate: 1, kinds: ["server_error"], methods: ["upload_url"] });
    await exportFor("owner");
    await waitForCalls("upload_url", 1);
    h.slack.api.setFaults(undefined);
    await waitForOutbox();
    expect(files("owner").length).toBe(1);
    expect(calls("files.getUploadURLExternal").length).toBe(2);
    expect(calls("files.completeUploadExternal").length).toBe(1);
  });

  it("uploads again only once Slack no longer has the first file pending and it is not shared", async () => {
    h.slack.api.setFaults({
      rate: 1,
      kinds: ["timeout"],
      methods: ["files.completeUploadExternal"],
      timeoutMs: 1000,
    });
    await exportFor("owner");
    await waitForCalls("files.completeUploadExternal", 1);
    h.slack.api.setFaults(undefined);
    // Slack discards an upload nobody completes.
    const first = calls("files.getUploadURLExternal")[0];
    expect(first).toBeDefined();
    for (const [id, f] of h.slack.ws.files) if (f.state === "uploaded") h.slack.ws.files.delete(id);
    await waitForOutbox();
    expect(files("owner").length).toBe(1);
    expect(calls("files.getUploadURLExternal").length).toBe(2);
    expect(
      calls("files.completeUploadExternal").map((c) => (c.ok ? "ok" : (c.error ?? c.fault))),
    ).toEqual(["timeout", "file_not_found", "ok"]);
  });

  it("finishes after a restart in doubt without sharing twice", async () => {
    // Slack shares the file, the answer is lost, and the process stops before it retries.
    h.slack.api.setFaults({
      rate: 1,
      kinds: ["applied_then_timeout"],
      methods: ["files.completeUploadExternal"],
      timeoutMs: 3000,
    });
    await exportFor("owner");
    await waitForCalls("files.completeUploadExternal", 1);
    h.slack.api.setFaults(undefined);
    // As a crash mid-call leaves it: claimed, in flight, its file id written.
    await restartMidCall();
    await waitForOutbox();
    expect(files("owner").length).toBe(1);
    expect(calls("files.completeUploadExternal").length).toBe(1);
    expect((await exportRow())[0]?.status).toBe("sent");
  });

  it("is shared once through any mix of faults on every step", async () => {
    const plan: FaultPlan = {
      rate: 0.4,
      kinds: ["rate_limited", "server_error", "timeout", "applied_then_timeout"],
      methods: [
        "files.getUploadURLExternal",
        "upload_url",
        "files.completeUploadExternal",
        "conversations.history",
      ],
      retryAfterSeconds: 1,
      timeoutMs: 600,
      seed: 7,
    };
    h.slack.api.setFaults(plan);
    for (const who of ["owner", "owner2", "oncall"] as const) await exportFor(who);
    await waitForOutbox(60_000);
    h.slack.api.setFaults(undefined);
    for (const who of ["owner", "owner2", "oncall"] as const)
      expect(files(who).length, who).toBe(1);
    expect((await exportRow()).map((r) => r.status)).toEqual(["sent", "sent", "sent"]);
    const faults = h.slack.api.calls.filter((c) => c.fault).map((c) => c.fault);
    expect(faults.length).toBeGreaterThan(0);
  });
});
