CREATE TABLE "grant_daily_usage" (
	"key_id" integer NOT NULL,
	"grant_scope" text NOT NULL,
	"grant_api" text NOT NULL,
	"day" integer NOT NULL,
	"nickname" text NOT NULL,
	"api" text NOT NULL,
	"calls" bigint NOT NULL,
	CONSTRAINT "grant_daily_usage_key_id_grant_scope_grant_api_day_nickname_api_pk" PRIMARY KEY("key_id","grant_scope","grant_api","day","nickname","api")
);
--> statement-breakpoint
CREATE TABLE "key_daily_usage" (
	"key_id" integer NOT NULL,
	"day" integer NOT NULL,
	"calls" bigint NOT NULL,
	"refused" bigint NOT NULL,
	CONSTRAINT "key_daily_usage_key_id_day_pk" PRIMARY KEY("key_id","day")
);
--> statement-breakpoint
ALTER TABLE "grant_daily_usage" ADD CONSTRAINT "grant_daily_usage_key_id_api_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."api_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_daily_usage" ADD CONSTRAINT "key_daily_usage_key_id_api_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."api_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "grant_daily_usage_day" ON "grant_daily_usage" USING btree ("day");--> statement-breakpoint
CREATE INDEX "key_daily_usage_day" ON "key_daily_usage" USING btree ("day");