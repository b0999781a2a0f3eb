// The SQLite and PostgreSQL schemas, as their migrations leave real databases, describe the same
// tables: columns, nullability, defaults, primary keys, unique and other indexes, foreign keys
// and the audit log's triggers. A column or index added to one dialect only fails here.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { openPgStore } from "../../src/store/pg/index.ts";
import { freshDatabase, hasPostgres } from "../helpers/pg.ts";
import { TEST_PG } from "../helpers/store.ts";

interface Column {
  notNull: boolean;
  default: string | null;
  type: string;
}
interface Table {
  columns: Record<string, Column>;
  primaryKey: string[];
  indexes: Record<string, { unique: boolean; terms: string[] }>;
  foreignKeys: string[];
  triggers: string[];
}
type Schema = Record<string, Table>;

/** One spelling for both dialects: no quotes or spaces, lower case, ifnull as coalesce. */
const term = (s: string) =>
  s
    .replace(/["`\s]/g, "")
    .toLowerCase()
    .replace(/^ifnull\(/, "coalesce(");

/** Splits "a, f(b, c), d" at its top-level commas. */
function splitTerms(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of list) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  return [...out, cur].map(term);
}

function sqliteSchema(db: Database.Database): Schema {
  const all = <T>(sql: string, ...p: unknown[]) => db.prepare(sql).all(...p) as T[];
  const out: Schema = {};
  const tables = all<{ name: string }>(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'",
  );
  for (const { name } of tables) {
    const cols = all<{
      name: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
      type: string;
    }>(`pragma table_info("${name}")`);
    const t: Table = {
      columns: {},
      primaryKey: cols
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      indexes: {},
      foreignKeys: [],
      triggers: all<{ name: string }>(
        "select name from sqlite_master where type = 'trigger' and tbl_name = ? order by name",
        name,
      ).map((r) => r.name),
    };
    for (const c of cols)
      t.columns[c.name] = { notNull: c.notnull === 1, default: c.dflt_value, type: c.type };
    for (const ix of all<{ name: string; unique: number; origin: string }>(
      `pragma index_list("${name}")`,
    )) {
      if (ix.origin === "pk") continue;
      const sql = all<{ sql: string | null }>(
        "select sql from sqlite_master where type = 'index' and name = ?",
        ix.name,
      )[0]?.sql;
      const terms = sql
        ? splitTerms(sql.slice(sql.indexOf("(") + 1, sql.lastIndexOf(")")))
        : all<{ name: string }>(`pragma index_info("${ix.name}")`).map((c) => term(c.name));
      t.indexes[ix.name] = { unique: ix.unique === 1, terms };
    }
    for (const fk of all<{ table: string; from: string; to: string; on_delete: string }>(
      `pragma foreign_key_list("${name}")`,
    ))
      t.foreignKeys.push(
        `${fk.from} -> ${fk.table}.${fk.to} on delete ${fk.on_delete.toLowerCase()}`,
      );
    t.foreignKeys.sort();
    out[name] = t;
  }
  return out;
}

async function pgSchema(c: pg.Client): Promise<Schema> {
  const q = async <T extends pg.QueryResultRow>(sql: string, p: unknown[] = []) =>
    (await c.query<T>(sql, p)).rows;
  const out: Schema = {};
  const ON_DELETE: Record<string, string> = {
    a: "no action",
    r: "restrict",
    c: "cascade",
    n: "set null",
    d: "set default",
  };
  for (const { name } of await q<{ name: string }>(
    "select tablename as name from pg_tables where schemaname = 'public'",
  )) {
    const t: Table = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [], triggers: [] };
    for (const col of await q<{
      name: string;
      nullable: string;
      dflt: string | null;
      type: string;
    }>(
      `select column_name as name, is_nullable as nullable, column_default as dflt, data_type as type
       from information_schema.columns where table_schema = 'public' and table_name = $1`,
      [name],
    ))
      t.columns[col.name] = { notNull: col.nullable === "NO", default: col.dflt, type: col.type };
    for (const ix of await q<{ name: string; unique: boolean; primary: boolean; terms: string[] }>(
      `select c.relname as name, i.indisunique as unique, i.indisprimary as primary,
         array(select pg_get_indexdef(i.indexrelid, k, true)
               from generate_series(1, i.indnatts) k order by k) as terms
       from pg_index i join pg_class c on c.oid = i.indexrelid
       where i.indrelid = $1::regclass`,
      [`public.${name}`],
    )) {
      if (ix.primary) t.primaryKey = ix.terms.map(term);
      else t.indexes[ix.name] = { unique: ix.unique, terms: ix.terms.map(term) };
    }
    for (const fk of await q<{ col: string; ref: string; refcol: string; del: string }>(
      `select a.attname as col, r.relname as ref, ra.attname as refcol, f.confdeltype as del
       from pg_constraint f
       join pg_attribute a on a.attrelid = f.conrelid and a.attnum = f.conkey[1]
       join pg_class r on r.oid = f.confrelid
       join pg_attribute ra on ra.attrelid = f.confrelid and ra.attnum = f.confkey[1]
       where f.contype = 'f' and f.conrelid = $1::regclass`,
      [`public.${name}`],
    ))
      t.foreignKeys.push(`${fk.col} -> ${fk.ref}.${fk.refcol} on delete ${ON_DELETE[fk.del]}`);
    t.foreignKeys.sort();
    t.triggers = (
      await q<{ name: string }>(
        "select tgname as name from pg_trigger where tgrelid = $1::regclass and not tgisinternal order by tgname",
        [`public.${name}`],
      )
    ).map((r) => r.name);
    out[name] = t;
  }
  return out;
}

/** What each SQLite storage class may be in PostgreSQL. */
const TYPES: Record<string, string[]> = {
  integer: ["integer", "bigint", "boolean", "timestamp with time zone"],
  text: ["text", "jsonb"],
};

describe.skipIf(!hasPostgres())("the two schemas", () => {
  let sqlite: Schema;
  let postgres: Schema;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keyward-schema-"));
    const s = openStore(join(dir, "keyward.db"));
    sqlite = sqliteSchema(s.writer.sqlite);
    await s.close();
    const url = await freshDatabase();
    const p = await openPgStore(url, TEST_PG);
    await p.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    postgres = await pgSchema(c);
    await c.end();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("have the same tables", () => {
    expect(Object.keys(postgres).sort()).toEqual(Object.keys(sqlite).sort());
    expect(Object.keys(sqlite)).toContain("audit_events");
  });

  it("have the same columns, nullability and defaults, in compatible types", () => {
    for (const [table, t] of Object.entries(sqlite)) {
      const p = postgres[table] as Table;
      expect(Object.keys(p.columns).sort(), table).toEqual(Object.keys(t.columns).sort());
      for (const [name, col] of Object.entries(t.columns)) {
        const other = p.columns[name] as Column;
        const where = `${table}.${name}`;
        expect(other.notNull, where).toBe(col.notNull);
        // A JSON default is the same text; PostgreSQL writes it with its cast to jsonb.
        expect(other.default?.replace(/::jsonb$/, "") ?? null, where).toBe(col.default);
        expect(TYPES[col.type.toLowerCase()], where).toContain(other.type);
      }
    }
  });

  it("have the same primary keys, unique and other indexes, and foreign keys", () => {
    for (const [table, t] of Object.entries(sqlite)) {
      const p = postgres[table] as Table;
      expect(p.primaryKey, table).toEqual(t.primaryKey);
      expect(p.indexes, table).toEqual(t.indexes);
      expect(p.foreignKeys, table).toEqual(t.foreignKeys);
    }
    // The comparison sees what matters: the expression index of grant uniqueness, say.
    expect(sqlite.grants?.indexes.grants_unique).toEqual({
      unique: true,
      terms: ["key_id", "coalesce(nickname_id,0)", "api"],
    });
  });

  it("guard the audit log with the same triggers (PostgreSQL also refuses TRUNCATE)", () => {
    for (const [table, t] of Object.entries(sqlite)) {
      const extra = table === "audit_events" ? ["audit_events_no_truncate"] : [];
      expect(postgres[table]?.triggers, table).toEqual([...t.triggers, ...extra].sort());
    }
  });
});
