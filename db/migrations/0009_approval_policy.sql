ALTER TABLE `access_requests` ADD `approvals` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `access_requests` ADD `escalated_at` integer;