DROP INDEX "events_stage_at";--> statement-breakpoint
DROP INDEX "handoffs_started";--> statement-breakpoint
DROP INDEX "handoffs_decided";--> statement-breakpoint
DROP INDEX "leads_created_at";