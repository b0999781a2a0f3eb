ALTER TABLE `outbox` ADD `in_doubt` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Hand-written: rows written before the column said "in doubt" as a prefix of last_error.
UPDATE `outbox` SET `in_doubt` = 1, `last_error` = ltrim(substr(`last_error`, 11))
WHERE substr(`last_error`, 1, 10) = 'ambiguous:';