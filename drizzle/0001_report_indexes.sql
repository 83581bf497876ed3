DROP INDEX "events_stage_at";--> statement-breakpoint
DROP INDEX "handoffs_started";--> statement-breakpoint
DROP INDEX "handoffs_decided";--> statement-breakpoint
DROP INDEX "leads_created_at";--> statement-breakpoint
CREATE INDEX "reports_events_stage" ON "events" USING btree ("workspace_id","to_stage","at","lead_id") WHERE "events"."to_stage" is not null;--> statement-breakpoint
CREATE INDEX "reports_handoffs_started" ON "handoffs" USING btree ("workspace_id","started_at","status","lead_id","seq","team_id","rep_user_id");--> statement-breakpoint
CREATE INDEX "reports_handoffs_decided" ON "handoffs" USING btree ("workspace_id","decided_at","status","reject_reason","first_assigned_at","team_id","rep_user_id","sla_clock","sla_target_minutes") WHERE "handoffs"."decided_at" is not null;--> statement-breakpoint
CREATE INDEX "reports_leads_created" ON "leads" USING btree ("workspace_id","created_at","stage");