ALTER TABLE "outbox" ADD COLUMN "in_doubt" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Hand-written: rows written before the column said "in doubt" as a prefix of last_error.
UPDATE "outbox" SET "in_doubt" = true, "last_error" = ltrim(substr("last_error", 11))
WHERE substr("last_error", 1, 10) = 'ambiguous:';