ALTER TABLE `outbox` ADD `upload_file_id` text;--> statement-breakpoint
CREATE INDEX `audit_events_actor` ON `audit_events` (`actor`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_action` ON `audit_events` (`action`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_key_name` ON `audit_events` (lower("key_name"));--> statement-breakpoint
CREATE INDEX `audit_events_key_public_id` ON `audit_events` (`key_public_id`);