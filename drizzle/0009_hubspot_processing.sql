ALTER TABLE "hubspot_events" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "hubspot_events" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hubspot_events" ADD COLUMN "not_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubspot_events" ADD COLUMN "locked_until" timestamp with time zone;