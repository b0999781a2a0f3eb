ALTER TABLE "outbox" ADD COLUMN "upload_file_id" text;--> statement-breakpoint
CREATE INDEX "audit_events_actor" ON "audit_events" USING btree ("actor","id");--> statement-breakpoint
CREATE INDEX "audit_events_action" ON "audit_events" USING btree ("action","id");--> statement-breakpoint
CREATE INDEX "audit_events_key_name" ON "audit_events" USING btree (lower("key_name"));--> statement-breakpoint
CREATE INDEX "audit_events_key_public_id" ON "audit_events" USING btree ("key_public_id");