import { sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * `column in (the ids)`, the ids (or other values) given as one parameter, `ids` unless named:
 * a JSON array read by `json_each`. One statement, prepared once, serves any number of ids; an
 * `in (?, ?, …)` list is a new statement for every length, built and prepared per call (a third
 * of a digest's CPU), and SQLite takes at most 32,766 parameters.
 */
export const idsIn = (column: SQLiteColumn, name = "ids") =>
  sql`${column} in (select value from json_each(${sql.placeholder(name)}))`;
