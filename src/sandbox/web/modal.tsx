// A modal (the top of the person's stack) and a confirm dialog, as Slack draws them.
import { useState } from "preact/hooks";
import { api, type Json, type View } from "./api.ts";
import { type BlockCtx, Blocks } from "./blocks.tsx";
import { emojify } from "./mrkdwn.tsx";

export function ConfirmDialog({ dialog, done }: { dialog: Json; done: (ok: boolean) => void }) {
  const t = (k: string) => String((dialog[k] as Json | undefined)?.text ?? "");
  return (
    <div class="overlay" role="dialog" aria-modal="true">
      <div class="confirm">
        <h3>{t("title")}</h3>
        <p>{emojify(t("text"))}</p>
        <div class="footer">
          <button type="button" class="btn" onClick={() => done(false)}>
            {t("deny") || "Cancel"}
          </button>
          <button type="button" class="btn primary" onClick={() => done(true)}>
            {t("confirm") || "OK"}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Submit and close send what the person entered, as Slack's view_submission does. */
export function Modal({ view, ctx }: { view: View; ctx: BlockCtx }) {
  const [busy, setBusy] = useState(false);
  const v = view.view;
  const title = String((v.title as Json | undefined)?.text ?? "");
  const submit = (v.submit as Json | undefined)?.text as string | undefined;
  const close = String((v.close as Json | undefined)?.text ?? "Close");
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await f();
    } catch (e) {
      ctx.failed(e);
    } finally {
      setBusy(false);
    }
  };
  const closeIt = () => void act(() => api.close(ctx.me, view.id, ctx.values));
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-label={title}>
      <div class="modal">
        <div class="modal-head">
          <h2>{emojify(title)}</h2>
          <button type="button" class="btn icon" aria-label="Close" onClick={closeIt}>
            ×
          </button>
        </div>
        <div class="modal-body">
          <Blocks blocks={v.blocks ?? []} ctx={ctx} />
        </div>
        <div class="footer">
          <button type="button" class="btn" disabled={busy} onClick={closeIt}>
            {close}
          </button>
          {submit && (
            <button
              type="button"
              class="btn primary"
              disabled={busy}
              onClick={() => void act(() => api.submit(ctx.me, view.id, ctx.values))}
            >
              {submit}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
