CREATE TABLE "hubspot_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"event_id" text NOT NULL,
	"portal_id" text NOT NULL,
	"subscription_type" text NOT NULL,
	"object_id" text NOT NULL,
	"property_name" text,
	"property_value" text,
	"change_source" text,
	"source_id" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "hubspot_events_event" ON "hubspot_events" USING btree ("workspace_id","event_id");--> statement-breakpoint
CREATE INDEX "hubspot_events_unprocessed" ON "hubspot_events" USING btree ("object_id","occurred_at") WHERE "hubspot_events"."processed_at" is null;