// Delivers an audit export as a CSV file in the DM of the person who asked, through Slack's
// external upload: files.getUploadURLExternal reserves a file, its bytes are POSTed to the
// upload URL, files.completeUploadExternal shares it in the DM.
//
// Only the last step can show the file, and Slack completes a file at most once. So the file
// id is written to the outbox row before completing: from then on the row is "in doubt"
// (shared, or not), and every later attempt — after a lost answer, a 429, a crash — first looks
// for that file in the DM, then completes that same file again (which cannot share it twice),
// and uploads a new file only once Slack no longer has that one pending and it is not in the
// DM. An upload that fails before its id is written leaves nothing visible: it starts again.
import { WebAPIRateLimitedError, type WebClient } from "@slack/web-api";
import { exportFile } from "../domain/audit/export.ts";
import type { Ctx } from "../domain/context.ts";
import { DomainError } from "../domain/errors.ts";
import type { AuditExportNotice } from "../domain/notices.ts";
import { renderText } from "../domain/text.ts";
import { classifySlackFailure } from "../slack/failures.ts";
import type { OutboxRow, StoreTx, StoreUnitOfWork } from "../store/types.ts";
import type { Outcome } from "./outcome.ts";

export interface ExportDeliveryOptions {
  ctx: Ctx;
  uow: StoreUnitOfWork<StoreTx>;
  client: WebClient;
  /** The DM conversation with a person (completeUploadExternal takes a channel id). */
  dm(userId: string): Promise<string>;
  uploadTimeoutMs?: number;
}

type Shared = { channel: string; ts: string | null };

/** Slack's mrkdwn needs &, < and > escaped; people become mentions. */
const slackText = (domainText: string) =>
  renderText(
    domainText,
    (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
    (id) => `<@${id}>`,
  );

function exportComment(n: AuditExportNotice): string {
  const what = `${n.count} audit event${n.count === 1 ? "" : "s"}`;
  const lines = [
    `:page_facing_up: Audit log export: ${what}, oldest first (${slackText(n.description)}). Times are UTC.`,
  ];
  if (n.truncated) {
    lines.push(
      `More events matched than one file holds: this one has the newest ${n.count}. Export again with an earlier \`until:\` for the rest.`,
    );
  }
  return lines.join("\n");
}

export class ExportDelivery {
  constructor(private readonly o: ExportDeliveryOptions) {}

  async deliver(row: OutboxRow, notice: AuditExportNotice): Promise<Outcome> {
    const channel = await this.o.dm(row.recipient);
    if (row.uploadFileId) {
      const fileId = row.uploadFileId;
      const found = await this.findShared(row, channel, fileId);
      if (found) return { kind: "sent", ...found };
      try {
        return { kind: "sent", ...(await this.complete(notice, channel, fileId)) };
      } catch (e) {
        const f = classifySlackFailure(e);
        if (f?.kind !== "refused" || f.code !== "file_not_found") throw e;
        // Not pending at Slack any more: shared after all (look once more), or lapsed.
        const late = await this.findShared(row, channel, fileId);
        if (late) return { kind: "sent", ...late };
        await this.remember(row.id, null);
      }
    }
    let file: { csv: string; count: number };
    try {
      file = await exportFile(this.o.ctx, row.recipient, notice);
    } catch (e) {
      // No longer allowed to read the audit log (or the like): nothing is sent.
      if (e instanceof DomainError) return { kind: "failed", error: `refused: ${e.code}` };
      throw e;
    }
    const bytes = Buffer.from(file.csv, "utf8");
    const ticket = await this.o.client.files.getUploadURLExternal({
      filename: notice.filename,
      length: bytes.length,
    });
    if (!ticket.upload_url || !ticket.file_id) throw new Error("no upload URL from Slack");
    await this.post(ticket.upload_url, bytes);
    await this.remember(row.id, ticket.file_id);
    return { kind: "sent", ...(await this.complete(notice, channel, ticket.file_id)) };
  }

  private async complete(notice: AuditExportNotice, channel: string, fileId: string) {
    await this.o.client.files.completeUploadExternal({
      files: [{ id: fileId, title: `Keyward audit log (${notice.count} events)` }],
      channel_id: channel,
      initial_comment: exportComment(notice),
    });
    return { channel, ts: null } satisfies Shared;
  }

  /** The bytes to the upload URL (which needs no token). Slack answers 200 when it took them. */
  private async post(url: string, bytes: Buffer): Promise<void> {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "text/csv; charset=utf-8" },
      body: new Uint8Array(bytes),
      signal: AbortSignal.timeout(this.o.uploadTimeoutMs ?? 60_000),
    });
    await res.arrayBuffer().catch(() => undefined);
    // The Web API client's own rate-limit error, so the worker waits as told.
    if (res.status === 429)
      throw new WebAPIRateLimitedError(Number(res.headers.get("retry-after") ?? 1));
    if (res.status !== 200) throw new Error(`upload refused: HTTP ${res.status}`);
  }

  private remember(id: number, fileId: string | null): Promise<void> {
    return this.o.uow.run((tx) => tx.outboxQueue.recordUpload(id, fileId), { quiet: true });
  }

  /** The message in the DM that carries this file, if Slack shared it. */
  private async findShared(row: OutboxRow, channel: string, fileId: string) {
    let cursor: string | undefined;
    // From a minute before the export was asked: every attempt came after.
    const oldest = String(Math.max(0, (row.createdAt - 60_000) / 1000));
    for (let page = 0; page < 5; page++) {
      const res = await this.o.client.conversations.history({
        channel,
        oldest,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      const m = (res.messages ?? []).find((x) => x.files?.some((f) => f.id === fileId));
      if (m?.ts) return { channel, ts: m.ts } satisfies Shared;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!res.has_more || !cursor) return null;
    }
    return null;
  }
}
