CREATE TABLE `expiry_reminders` (
	`subject` text NOT NULL,
	`subject_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`stage` text NOT NULL,
	`at` integer NOT NULL,
	`by` text NOT NULL,
	PRIMARY KEY(`subject`, `subject_id`, `expires_at`, `stage`)
);
