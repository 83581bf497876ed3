CREATE TABLE "hubspot_writes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"contact_id" text NOT NULL,
	"property" text NOT NULL,
	"value" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hubspot_events" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "hubspot_events" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hubspot_events" ADD COLUMN "not_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubspot_events" ADD COLUMN "locked_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "hubspot_writes_contact" ON "hubspot_writes" USING btree ("workspace_id","contact_id","property","at");