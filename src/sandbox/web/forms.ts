// What a person enters belongs to the page until an interaction sends it, as in Slack's own
// client: snapshots never overwrite it; only inputs that start afresh (or a rewritten message) do.
import type { Json, Message, Values, View } from "./api.ts";

const copy = (v: Values | undefined): Values => structuredClone(v ?? {});

export class Forms {
  private readonly views = new Map<string, { user: string; inputsFrom: string; values: Values }>();
  private readonly messages = new Map<string, Values>();

  /** The entries of a view: the same object for as long as its inputs stand. */
  forView(v: View): Values {
    const held = this.views.get(v.id);
    if (!held || held.inputsFrom !== v.inputsFrom) {
      const values = copy(v.values);
      this.views.set(v.id, { user: v.user, inputsFrom: v.inputsFrom, values });
      return values;
    }
    // The app redrew the view and kept its inputs: what the person entered stays, inputs it
    // added start as the view says, inputs it removed go.
    const mine = held.values;
    for (const blockId of Object.keys(mine)) if (!v.values[blockId]) delete mine[blockId];
    for (const [blockId, actions] of Object.entries(v.values)) {
      const block = mine[blockId] ?? {};
      for (const [actionId, value] of Object.entries(actions)) {
        if (block[actionId]?.type !== value.type) block[actionId] = structuredClone(value);
      }
      mine[blockId] = block;
    }
    return mine;
  }

  /**
   * A person's ticks in a message's checkboxes (each person has their own, as each has their
   * own Slack client); a message the app rewrote starts from its new content.
   */
  forMessage(user: string, m: Message): Values {
    // Nothing to tick: nothing to keep.
    if (!m.state || Object.keys(m.state).length === 0) return {};
    const key = `${user}|${Forms.messageKey(m)}`;
    let values = this.messages.get(key);
    if (!values) {
      values = copy(m.state);
      this.messages.set(key, values);
    }
    return values;
  }

  static messageKey(m: Message): string {
    return `${m.channel}|${m.ts}|${m.editedAt ?? 0}`;
  }

  /** Drops a person's entries in views they no longer have open (others' stay theirs). */
  keepViews(user: string, open: Iterable<string>): void {
    const keep = new Set(open);
    for (const [id, held] of this.views)
      if (held.user === user && !keep.has(id)) this.views.delete(id);
  }
}

export function setValue(values: Values, blockId: string, actionId: string, value: Json): void {
  values[blockId] = { ...(values[blockId] ?? {}), [actionId]: value };
}
