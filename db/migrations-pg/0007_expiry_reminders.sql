CREATE TABLE "expiry_reminders" (
	"subject" text NOT NULL,
	"subject_id" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"stage" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"by" text NOT NULL,
	CONSTRAINT "expiry_reminders_subject_subject_id_expires_at_stage_pk" PRIMARY KEY("subject","subject_id","expires_at","stage")
);
