import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobScheduler } from "../../src/jobs/scheduler.ts";
import { createLog } from "../../src/log.ts";
import { type TestStore, testStore } from "../helpers/store.ts";
import { loopTurns } from "../helpers/wait.ts";

let t: TestStore;
beforeEach(async () => {
  t = await testStore();
});
afterEach(() => t.cleanup());

describe("the job scheduler", () => {
  it("runs each job in its own turn of the event loop, so requests waiting run in between", async () => {
    const turns = loopTurns();
    const ran: Array<{ job: string; turn: number }> = [];
    const job = (name: string) => async () => {
      ran.push({ job: name, turn: turns.now() });
      return 0;
    };
    const scheduler = new JobScheduler(t.ctx, createLog("silent"), () => {}, {
      a: job("a"),
      b: job("b"),
      c: job("c"),
    });
    await scheduler.runOnce();
    turns.stop();
    expect(ran.map((r) => r.job)).toEqual(["a", "b", "c"]);
    expect(ran[1]?.turn).toBeGreaterThan(ran[0]?.turn ?? 0);
    expect(ran[2]?.turn).toBeGreaterThan(ran[1]?.turn ?? 0);
  });
});
