// Block Kit as the sandbox shows it: every block and element Keyward uses.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Json, type Surface, type Values } from "./api.ts";
import { setValue } from "./forms.ts";
import { emojify, type Names, Text } from "./mrkdwn.tsx";

export interface BlockCtx {
  me: string;
  names: Names;
  people: Array<{ id: string; realName: string }>;
  surface: Surface;
  /**
   * What the person entered on this surface (a view's inputs, a message's checkboxes). Inputs
   * write here as the person types; interactions send it along, as Slack's client does.
   */
  values: Values;
  errors: Record<string, string>;
  confirm(dialog: Json): Promise<boolean>;
  failed(e: unknown): void;
}

type Option = Json & { value: string; text: Json };
const optionsOf = (el: Json): Option[] =>
  (Array.isArray(el.option_groups)
    ? (el.option_groups as Json[]).flatMap((g) => (g.options as Option[]) ?? [])
    : ((el.options as Option[] | undefined) ?? [])) as Option[];
const label = (o: Json) => String((o.text as Json | undefined)?.text ?? "");

/** Calls about one thing, one after another (so the last change is the one that stays). */
const queues = new Map<string, Promise<unknown>>();
function inOrder<T>(key: string, call: () => Promise<T>): Promise<T> {
  const next = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(call);
  queues.set(key, next);
  void next
    .catch(() => undefined)
    .finally(() => {
      if (queues.get(key) === next) queues.delete(key);
    });
  return next;
}

function stateOf(ctx: BlockCtx, blockId: string, actionId: string): Json | undefined {
  return ctx.values[blockId]?.[actionId];
}

async function click(ctx: BlockCtx, blockId: string, el: Json, optionValue?: string) {
  if (el.confirm && !(await ctx.confirm(el.confirm as Json))) return;
  await api
    .click(ctx.me, ctx.surface, blockId, String(el.action_id), ctx.values, optionValue)
    .catch(ctx.failed);
}

function Overflow({ ctx, blockId, el }: { ctx: BlockCtx; blockId: string; el: Json }) {
  const [open, setOpen] = useState(false);
  return (
    <span class="overflow">
      <button
        type="button"
        class="btn icon"
        aria-label="Actions"
        title="Actions"
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <div class="menu" role="menu">
          {optionsOf(el).map((o) => (
            <button
              type="button"
              role="menuitem"
              key={o.value}
              onClick={() => {
                setOpen(false);
                void click(ctx, blockId, el, o.value);
              }}
            >
              {label(o)}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}

/**
 * A select as Slack draws it: the chosen options as chips (× removes one) and a type-to-filter
 * menu. External selects ask the app for options as the person types; static ones filter their
 * own. The choice is the page's (a ref, so picks in quick succession all count) until sent.
 */
function Lookup({
  ctx,
  blockId,
  el,
  multi,
}: {
  ctx: BlockCtx;
  blockId: string;
  el: Json;
  multi: boolean;
}) {
  const actionId = String(el.action_id);
  const type = String(el.type);
  const external = type.endsWith("external_select");
  const chosen = useRef<Option[] | null>(null);
  if (chosen.current === null) {
    const current = stateOf(ctx, blockId, actionId);
    chosen.current = multi
      ? ((current?.selected_options as Option[] | undefined) ?? [])
      : current?.selected_option
        ? [current.selected_option as Option]
        : [];
  }
  const [selected, setSelected] = useState<Option[]>(chosen.current);
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const [suggested, setSuggested] = useState<Option[]>([]);
  const seq = useRef(0);
  const viewId = ctx.surface.kind === "view" ? ctx.surface.viewId : "";
  useEffect(() => {
    if (!open || !external) return;
    const n = ++seq.current;
    const t = setTimeout(() => {
      api
        .suggest(ctx.me, viewId, blockId, actionId, query, ctx.values)
        .then((o) => n === seq.current && setSuggested(o as Option[]))
        .catch(ctx.failed);
    }, 120);
    return () => clearTimeout(t);
  }, [query, open]);
  const q = query.trim().toLowerCase();
  const picked = new Set(selected.map((o) => o.value));
  const options = (
    external ? suggested : optionsOf(el).filter((o) => label(o).toLowerCase().includes(q))
  ).filter((o) => !(multi && picked.has(o.value)));
  const keep = (next: Option[]) => {
    chosen.current = next;
    setSelected(next);
    setValue(
      ctx.values,
      blockId,
      actionId,
      multi ? { type, selected_options: next } : { type, selected_option: next[0] ?? null },
    );
  };
  const pick = (o: Option) => {
    setQuery("");
    if (multi) {
      // The menu stays open for the next pick, as Slack's does.
      const now = chosen.current ?? [];
      if (!now.some((s) => s.value === o.value)) keep([...now, o]);
      return;
    }
    setOpen(false);
    keep([o]);
    // A single pick goes to the stand-in, which tells the app when the input dispatches.
    void api.choose(ctx.me, viewId, blockId, actionId, o, ctx.values).catch(ctx.failed);
  };
  const remove = (o: Option) => keep((chosen.current ?? []).filter((s) => s.value !== o.value));
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") setOpen(false);
    else if (e.key === "Enter" && open && options[0]) {
      e.preventDefault();
      pick(options[0]);
    } else if (e.key === "Backspace" && multi && query === "") {
      const last = (chosen.current ?? []).at(-1);
      if (last) remove(last);
    }
  };
  return (
    <div class="lookup">
      {selected.length > 0 && (
        <div class="chips">
          {selected.map((o) => (
            <span class="chip" key={o.value}>
              {label(o)}
              {multi && (
                <button
                  type="button"
                  aria-label={`Remove ${label(o)}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => remove(o)}
                >
                  ×
                </button>
              )}
            </span>
          ))}
        </div>
      )}
      <input
        type="text"
        role="combobox"
        aria-expanded={open}
        value={query}
        placeholder={String((el.placeholder as Json | undefined)?.text ?? "Type to search")}
        onFocus={() => setOpen(true)}
        onClick={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 200)}
        onKeyDown={onKeyDown}
        onInput={(e) => {
          setQuery((e.target as HTMLInputElement).value);
          setOpen(true);
        }}
      />
      {open && (
        <div class="menu suggestions" role="listbox" aria-multiselectable={multi}>
          {options.length === 0 && <div class="muted">No matches</div>}
          {options.map((o) => (
            <button
              type="button"
              role="option"
              key={o.value}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(o)}
            >
              {label(o)}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * A checkbox group. The boxes are the browser's: each change reads the whole group from the
 * page, so quick clicks in a row all count, whatever has been redrawn meanwhile.
 */
function Checkboxes({
  el,
  selected,
  onPick,
}: {
  el: Json;
  selected: Option[];
  onPick(next: Option[]): void;
}) {
  const chosen = new Set(selected.map((o) => o.value));
  const changed = (e: Event) => {
    const group = (e.currentTarget as HTMLElement).closest(".choices");
    const ticked = new Set(
      Array.from(group?.querySelectorAll<HTMLInputElement>("input[type=checkbox]") ?? [], (box) =>
        box.checked ? box.dataset.value : undefined,
      ),
    );
    onPick(optionsOf(el).filter((o) => ticked.has(o.value)));
  };
  return (
    <div class="choices">
      {optionsOf(el).map((o) => (
        <label key={o.value}>
          <input
            type="checkbox"
            data-value={o.value}
            defaultChecked={chosen.has(o.value)}
            onChange={changed}
          />
          {label(o)}
        </label>
      ))}
    </div>
  );
}

/**
 * An input element inside a view. What the person enters stays in the page (ctx.values) until
 * an interaction sends it; the elements are the browser's own, never reset from a snapshot.
 */
function InputElement({ ctx, blockId, el }: { ctx: BlockCtx; blockId: string; el: Json }) {
  const actionId = String(el.action_id);
  const type = String(el.type);
  const v = stateOf(ctx, blockId, actionId) ?? {};
  const set = (value: Json) => setValue(ctx.values, blockId, actionId, { type, ...value });
  const placeholder = String((el.placeholder as Json | undefined)?.text ?? "");
  switch (type) {
    case "plain_text_input": {
      const props = {
        name: blockId,
        defaultValue: String(v.value ?? ""),
        placeholder,
        maxLength: (el.max_length as number | undefined) ?? undefined,
        onInput: (e: Event) => set({ value: (e.target as HTMLInputElement).value }),
      };
      return el.multiline ? <textarea rows={3} {...props} /> : <input type="text" {...props} />;
    }
    case "checkboxes":
      return (
        <Checkboxes
          el={el}
          selected={(v.selected_options as Option[] | undefined) ?? []}
          onPick={(next) => set({ selected_options: next })}
        />
      );
    case "radio_buttons": {
      const chosen = (v.selected_option as Option | null | undefined)?.value;
      return (
        <div class="choices">
          {optionsOf(el).map((o) => (
            <label key={o.value}>
              <input
                type="radio"
                name={`${blockId}/${actionId}`}
                defaultChecked={chosen === o.value}
                onChange={() => set({ selected_option: o })}
              />
              {label(o)}
            </label>
          ))}
        </div>
      );
    }
    case "static_select": {
      const chosen = (v.selected_option as Option | null | undefined)?.value ?? "";
      return (
        <select
          onChange={(e) => {
            const o = optionsOf(el).find((x) => x.value === (e.target as HTMLSelectElement).value);
            set({ selected_option: o ?? null });
          }}
        >
          <option value="" selected={chosen === ""}>
            {placeholder || "Choose"}
          </option>
          {optionsOf(el).map((o) => (
            <option key={o.value} value={o.value} selected={chosen === o.value}>
              {label(o)}
            </option>
          ))}
        </select>
      );
    }
    case "multi_static_select":
    case "multi_external_select":
      return <Lookup ctx={ctx} blockId={blockId} el={el} multi />;
    case "external_select":
      return <Lookup ctx={ctx} blockId={blockId} el={el} multi={false} />;
    case "users_select": {
      const chosen = String(v.selected_user ?? "");
      return (
        <select
          onChange={(e) => set({ selected_user: (e.target as HTMLSelectElement).value || null })}
        >
          <option value="" selected={chosen === ""}>
            Choose a person
          </option>
          {ctx.people.map((p) => (
            <option key={p.id} value={p.id} selected={chosen === p.id}>
              {p.realName}
            </option>
          ))}
        </select>
      );
    }
    case "datepicker":
      return (
        <input
          type="date"
          defaultValue={String(v.selected_date ?? "")}
          onChange={(e) => set({ selected_date: (e.target as HTMLInputElement).value || null })}
        />
      );
    default:
      return <span class="muted">[{type}]</span>;
  }
}

function ActionElement({ ctx, blockId, el }: { ctx: BlockCtx; blockId: string; el: Json }) {
  switch (el.type) {
    case "button":
      return (
        <button
          type="button"
          class={`btn ${String(el.style ?? "")}`}
          onClick={() => void click(ctx, blockId, el)}
        >
          {emojify(String((el.text as Json).text))}
        </button>
      );
    case "overflow":
      return <Overflow ctx={ctx} blockId={blockId} el={el} />;
    case "static_select":
      return (
        <select
          onChange={(e) => void click(ctx, blockId, el, (e.target as HTMLSelectElement).value)}
        >
          <option value="">{String((el.placeholder as Json | undefined)?.text ?? "Choose")}</option>
          {optionsOf(el).map((o) => (
            <option key={o.value} value={o.value}>
              {label(o)}
            </option>
          ))}
        </select>
      );
    case "checkboxes": {
      if (ctx.surface.kind !== "message")
        return <InputElement ctx={ctx} blockId={blockId} el={el} />;
      const surface = ctx.surface;
      const actionId = String(el.action_id);
      const v = stateOf(ctx, blockId, actionId);
      return (
        <Checkboxes
          el={el}
          selected={(v?.selected_options as Option[] | undefined) ?? []}
          onPick={(next) => {
            setValue(ctx.values, blockId, actionId, {
              type: "checkboxes",
              selected_options: next,
            });
            // Slack tells the app of each change, in order; the ticks stay the page's.
            inOrder(`${surface.channel}|${surface.ts}`, () =>
              api.check(
                ctx.me,
                surface.channel,
                surface.ts,
                blockId,
                actionId,
                next.map((x) => x.value),
              ),
            ).catch(ctx.failed);
          }}
        />
      );
    }
    default:
      return <InputElement ctx={ctx} blockId={blockId} el={el} />;
  }
}

export function Blocks({ blocks, ctx }: { blocks: Json[]; ctx: BlockCtx }) {
  return (
    <div class="blocks">
      {blocks.map((b, i) => {
        const blockId = String(b.block_id ?? i);
        switch (b.type) {
          case "header":
            return (
              <h3 class="block header" key={blockId}>
                <Text t={b.text} names={ctx.names} />
              </h3>
            );
          case "divider":
            return <hr class="block" key={blockId} />;
          case "section":
            return (
              <div class="block section" key={blockId}>
                <div class="section-body">
                  {b.text ? <Text t={b.text} names={ctx.names} /> : null}
                  {Array.isArray(b.fields) && (
                    <div class="fields">
                      {(b.fields as Json[]).map((f, j) => (
                        <div key={j}>
                          <Text t={f} names={ctx.names} />
                        </div>
                      ))}
                    </div>
                  )}
                </div>
                {b.accessory ? (
                  <div class="accessory">
                    <ActionElement ctx={ctx} blockId={blockId} el={b.accessory as Json} />
                  </div>
                ) : null}
              </div>
            );
          case "context":
            return (
              <div class="block context" key={blockId}>
                {(b.elements as Json[]).map((e, j) => (
                  <span key={j}>
                    <Text t={e} names={ctx.names} />
                  </span>
                ))}
              </div>
            );
          case "actions":
            return (
              <div class="block actions" key={blockId}>
                {(b.elements as Json[]).map((e, j) => (
                  <ActionElement key={j} ctx={ctx} blockId={blockId} el={e} />
                ))}
              </div>
            );
          case "input":
            return (
              <div class={`block input${ctx.errors[blockId] ? " has-error" : ""}`} key={blockId}>
                <div class="input-label">
                  <Text t={b.label} names={ctx.names} />
                  {b.optional ? <span class="muted"> (optional)</span> : null}
                </div>
                <InputElement ctx={ctx} blockId={blockId} el={b.element as Json} />
                {b.hint ? (
                  <div class="hint">
                    <Text t={b.hint} names={ctx.names} />
                  </div>
                ) : null}
                {ctx.errors[blockId] ? (
                  <div class="error" role="alert">
                    {ctx.errors[blockId]}
                  </div>
                ) : null}
              </div>
            );
          default:
            return (
              <div class="muted" key={blockId}>
                [{String(b.type)}]
              </div>
            );
        }
      })}
    </div>
  );
}
