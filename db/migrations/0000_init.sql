CREATE TABLE `access_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`requester` text NOT NULL,
	`key_id` integer,
	`key_name` text NOT NULL,
	`new_key` integer NOT NULL,
	`cells` text NOT NULL,
	`duration` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`reminded_at` integer,
	`decided_by` text,
	`decided_at` integer,
	`decision_reason` text,
	`approved_cells` text,
	`revealed_at` integer,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `access_requests_status` ON `access_requests` (`status`);--> statement-breakpoint
CREATE INDEX `access_requests_key` ON `access_requests` (`key_id`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`public_id` text NOT NULL,
	`name` text NOT NULL,
	`key_owner` text NOT NULL,
	`status` text NOT NULL,
	`secret_hash` text,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	`regenerated_at` integer,
	`last_used_at` integer,
	`expires_at` integer,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_public_id_unique` ON `api_keys` (`public_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_secret_hash_unique` ON `api_keys` (`secret_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_name_nocase` ON `api_keys` (lower("name"));--> statement-breakpoint
CREATE TABLE `applied_submissions` (
	`view_id` text PRIMARY KEY NOT NULL,
	`applied_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`key_id` integer,
	`key_name` text,
	`key_public_id` text,
	`request_id` integer,
	`subject` text,
	`reason` text,
	`diff` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_key` ON `audit_events` (`key_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_at` ON `audit_events` (`at`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key_id` integer NOT NULL,
	`nickname_id` integer,
	`api` text NOT NULL,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`request_id` integer,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`nickname_id`) REFERENCES `nicknames`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `grants_key` ON `grants` (`key_id`);--> statement-breakpoint
CREATE INDEX `grants_expiry` ON `grants` (`expires_at`);--> statement-breakpoint
CREATE TABLE `nicknames` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`nickname` text NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `nicknames_nickname_unique` ON `nicknames` (`nickname`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` integer NOT NULL,
	`kind` text NOT NULL,
	`recipient` text NOT NULL,
	`thread_ts` text,
	`payload` text NOT NULL,
	`request_id` integer,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`claimed_at` integer,
	`last_error` text,
	`sent_at` integer,
	`channel` text,
	`ts` text
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_request` ON `outbox` (`request_id`);--> statement-breakpoint
CREATE TABLE `retired_secrets` (
	`secret_hash` text PRIMARY KEY NOT NULL,
	`key_id` integer NOT NULL,
	`retired_at` integer NOT NULL,
	`valid_until` integer NOT NULL,
	`reason` text NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `retired_secrets_key` ON `retired_secrets` (`key_id`);--> statement-breakpoint
CREATE TABLE `roles` (
	`user_id` text PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`added_at` integer NOT NULL,
	`added_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `seen_signatures` (
	`signature` text PRIMARY KEY NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `seen_signatures_at` ON `seen_signatures` (`seen_at`);