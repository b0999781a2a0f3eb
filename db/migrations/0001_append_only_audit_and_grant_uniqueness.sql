-- Hand-written: what drizzle-kit cannot express.
-- The audit log is append-only: the database itself refuses UPDATE and DELETE.
CREATE TRIGGER `audit_events_no_update` BEFORE UPDATE ON `audit_events`
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_no_delete` BEFORE DELETE ON `audit_events`
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--> statement-breakpoint
-- One grant per (key, nickname or All accounts, API); NULL nickname_id means All accounts.
CREATE UNIQUE INDEX `grants_unique` ON `grants` (`key_id`, ifnull(`nickname_id`, 0), `api`);
