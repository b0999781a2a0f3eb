-- Hand-written: what drizzle-kit cannot express.
-- The audit log is append-only: the database itself refuses UPDATE and DELETE, and TRUNCATE,
-- which would otherwise empty the table without firing a row trigger.
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_events_no_update" BEFORE UPDATE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_events_no_delete" BEFORE DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"();
--> statement-breakpoint
-- One grant per (key, nickname or All accounts, API); NULL nickname_id means All accounts.
CREATE UNIQUE INDEX "grants_unique" ON "grants" ("key_id", coalesce("nickname_id", 0), "api");
