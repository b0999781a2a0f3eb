CREATE TABLE `grant_daily_usage` (
	`key_id` integer NOT NULL,
	`grant_scope` text NOT NULL,
	`grant_api` text NOT NULL,
	`day` integer NOT NULL,
	`nickname` text NOT NULL,
	`api` text NOT NULL,
	`calls` integer NOT NULL,
	PRIMARY KEY(`key_id`, `grant_scope`, `grant_api`, `day`, `nickname`, `api`),
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `grant_daily_usage_day` ON `grant_daily_usage` (`day`);--> statement-breakpoint
CREATE TABLE `key_daily_usage` (
	`key_id` integer NOT NULL,
	`day` integer NOT NULL,
	`calls` integer NOT NULL,
	`refused` integer NOT NULL,
	PRIMARY KEY(`key_id`, `day`),
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `key_daily_usage_day` ON `key_daily_usage` (`day`);