// The usual start of an end-to-end test: the harness, the five people, and whatever the
// account needs first (nicknames, an on-call engineer, on-call user groups), set up through
// the app's own commands.
import { type Harness, PEOPLE, startHarness } from "./harness.ts";
import { type Person, person } from "./person.ts";

export interface Seeded {
  h: Harness;
  owner: Person;
  owner2: Person;
  oncall: Person;
  member: Person;
  member2: Person;
}

export interface Seed {
  env?: Record<string, string>;
  socketMode?: boolean;
  /** `nickname add` arguments: "acme seller". */
  nicknames?: string[];
  /** Makes Casey an on-call engineer. */
  oncall?: boolean;
  /** Slack user groups (id → members), in place before the app starts reading them. */
  usergroups?: Record<string, string[]>;
}

export async function seeded(seed: Seed = {}): Promise<Seeded> {
  const h = await startHarness(seed.env, { socketMode: seed.socketMode });
  if (seed.usergroups) {
    for (const [id, users] of Object.entries(seed.usergroups)) h.slack.ws.usergroups.set(id, users);
    await h.restart();
  }
  const s: Seeded = {
    h,
    owner: person(h, "owner"),
    owner2: person(h, "owner2"),
    oncall: person(h, "oncall"),
    member: person(h, "member"),
    member2: person(h, "member2"),
  };
  for (const n of seed.nicknames ?? []) await s.owner.run(`nickname add ${n}`);
  if (seed.oncall) await s.owner.run(`role add <@${PEOPLE.oncall.id}|casey> oncall`);
  return s;
}
