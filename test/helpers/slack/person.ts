// Tests speak as people: someone runs a command, clicks, fills a modal's input by its label,
// submits; each step waits for the app to finish what it set off before the test looks.
import { expect } from "vitest";
import { optionsOf, optionText } from "../../../src/sandbox/standin/view-state.ts";
import type { Json, Message, View } from "../../../src/sandbox/standin/workspace.ts";
import { type Found, secretIn } from "./finders.ts";
import { GENERAL, type Harness, PEOPLE, quiet, type Who } from "./harness.ts";

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export class Person {
  constructor(
    readonly h: Harness,
    readonly id: string,
  ) {}

  get d() {
    return this.h.slack.driver;
  }

  async run(text: string, channel = GENERAL) {
    const r = await this.d.command(this.id, channel, text);
    expect(r.status).toBe(200);
    await quiet(this.h);
    return r;
  }

  /** The newest message this person sees in a conversation. */
  last(channel = GENERAL): Message {
    const ms = this.h.slack.ws.visibleTo(this.id, channel);
    const m = ms[ms.length - 1];
    if (!m) throw new Error("no messages");
    return m;
  }

  dms(): Message[] {
    const im = this.h.slack.ws.imWith(this.id);
    return im ? this.h.slack.ws.visibleTo(this.id, im.id) : [];
  }

  modal(): View {
    const v = this.h.slack.ws.topModal(this.id);
    if (!v) throw new Error(`${this.id} has no modal open`);
    return v;
  }

  hasModal(): boolean {
    return Boolean(this.h.slack.ws.topModal(this.id));
  }

  /** Their Home tab, opened (and published by the app). */
  async home(): Promise<View> {
    await this.d.openHome(this.id);
    await quiet(this.h);
    const v = this.h.slack.ws.views.get(this.h.slack.ws.homes.get(this.id) ?? "");
    if (!v) throw new Error(`${this.id} has no Home tab`);
    return v;
  }

  async click(m: Message, f: Found) {
    const r = await this.d.click(this.id, { kind: "message", channel: m.channel, ts: m.ts }, f);
    expect(r.status).toBe(200);
    await quiet(this.h);
    return r;
  }

  async clickInView(v: View, f: Found) {
    const r = await this.d.click(this.id, { kind: "view", viewId: v.id }, f);
    expect(r.status).toBe(200);
    await quiet(this.h);
    return r;
  }

  /** Fills an input of the top modal found by its label. */
  async fill(label: string, value: string | string[]) {
    const v = this.modal();
    const block = (v.view.blocks as Json[]).find(
      (b) => b.type === "input" && isObj(b.label) && String(b.label.text).startsWith(label),
    );
    if (!block) throw new Error(`no input labelled "${label}"`);
    const el = block.element as Json;
    const blockId = String(block.block_id);
    const actionId = String(el.action_id);
    const texts = Array.isArray(value) ? value : [value];
    const matches = (x: Json, t: string) =>
      optionText(x) === t || optionText(x).startsWith(`${t} (`) || String(x.value) === t;
    const pick = (t: string) => {
      const o = optionsOf(el).find((x) => matches(x, t));
      if (!o) throw new Error(`no option "${t}" in "${label}"`);
      return o;
    };
    switch (el.type) {
      case "external_select": {
        // As a person does: type what they look for, then pick it.
        const options = await this.d.suggest(this.id, v.id, blockId, actionId, String(value));
        const o = options.find((x) => matches(x, String(value)));
        if (!o) throw new Error(`"${label}" offers no option "${String(value)}"`);
        await this.d.choose(this.id, v.id, blockId, actionId, o);
        await quiet(this.h);
        return;
      }
      case "multi_external_select": {
        const picked: Json[] = [];
        for (const t of texts) {
          const o = (await this.d.suggest(this.id, v.id, blockId, actionId, t)).find((x) =>
            matches(x, t),
          );
          if (!o) throw new Error(`typing "${t}" in "${label}" offers no such option`);
          picked.push(o);
        }
        return this.d.setValue(v.id, blockId, actionId, {
          type: "multi_external_select",
          selected_options: picked,
        });
      }
      case "plain_text_input":
        return this.d.setValue(v.id, blockId, actionId, { type: el.type, value: String(value) });
      case "checkboxes":
      case "multi_static_select":
        return this.d.setValue(v.id, blockId, actionId, {
          type: el.type,
          selected_options: texts.map(pick),
        });
      case "radio_buttons":
      case "static_select":
        return this.d.setValue(v.id, blockId, actionId, {
          type: el.type,
          selected_option: pick(String(value)),
        });
      case "users_select":
        return this.d.setValue(v.id, blockId, actionId, {
          type: el.type,
          selected_user: String(value),
        });
      case "datepicker":
        return this.d.setValue(v.id, blockId, actionId, {
          type: el.type,
          selected_date: String(value),
        });
      default:
        throw new Error(`cannot fill ${String(el.type)}`);
    }
  }

  async submit() {
    const r = await this.d.submit(this.id, this.modal().id);
    expect(r.status).toBe(200);
    await quiet(this.h);
    return r;
  }

  /** Creates a key through the create modal (as an owner); returns the secret it showed once. */
  async createKey(
    name: string,
    perms: Record<string, string[]> = {},
    keyOwner?: string,
  ): Promise<string> {
    await this.run("create");
    await this.fill("Name", name);
    if (keyOwner) await this.fill("Key owner", keyOwner);
    for (const [label, scopes] of Object.entries(perms)) await this.fill(label, scopes);
    await this.submit();
    const secret = secretIn(this.modal());
    await this.d.close(this.id, this.modal().id);
    return secret;
  }
}

export const person = (h: Harness, who: Who) => new Person(h, PEOPLE[who].id);
