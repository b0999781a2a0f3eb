ALTER TABLE `access_requests` ADD `grants_expire_at` integer;--> statement-breakpoint
ALTER TABLE `access_requests` ADD `not_granted` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `handover_by` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `handover_at` integer;