ALTER TABLE "access_requests" ADD COLUMN "grants_expire_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "access_requests" ADD COLUMN "not_granted" jsonb;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "handover_by" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "handover_at" timestamp with time zone;