import { type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/**
 * Sorts text by its bytes, as SQLite does: lists page the same on both backends whatever the
 * database's locale (which would, say, ignore `_` in `acme_aff`).
 */
export const byteOrder = (x: AnyPgColumn | SQL): SQL => sql`${x} collate "C"`;
