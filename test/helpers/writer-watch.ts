import { vi } from "vitest";
import type { SqliteStore } from "../../src/store/index.ts";
import { loopTurns } from "./wait.ts";

/**
 * Watches a store's writer connection (the real one, only observed): the statements it
 * prepares, and for each transaction the rows it changed and the turn of the event loop it
 * began in.
 */
export function watchWriter(store: SqliteStore) {
  const db = store.writer.sqlite;
  const totalChanges = db.prepare("select total_changes()").pluck();
  const exec = db.exec.bind(db);
  const turns = loopTurns();
  const transactions: Array<{ turn: number; changes: number }> = [];
  let before = 0;
  const prepare = vi.spyOn(db, "prepare");
  const execSpy = vi.spyOn(db, "exec").mockImplementation((sql: string) => {
    if (sql === "BEGIN IMMEDIATE") {
      const r = exec(sql);
      before = totalChanges.get() as number;
      transactions.push({ turn: turns.now(), changes: 0 });
      return r;
    }
    if (sql === "COMMIT") {
      const last = transactions.at(-1);
      if (last) last.changes = (totalChanges.get() as number) - before;
    }
    return exec(sql);
  });
  return {
    transactions,
    prepared: () => prepare.mock.calls.length,
    stop() {
      turns.stop();
      prepare.mockRestore();
      execSpy.mockRestore();
    },
  };
}
