CREATE TABLE "activities" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"lead_id" uuid NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"lead_id" uuid NOT NULL,
	"handoff_id" uuid,
	"type" text NOT NULL,
	"from_stage" text,
	"to_stage" text,
	"at" timestamp with time zone NOT NULL,
	"actor" text,
	"reason" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "handoffs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" text NOT NULL,
	"lead_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"team_id" text NOT NULL,
	"rep_user_id" text NOT NULL,
	"assigned_via" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"first_assigned_at" timestamp with time zone NOT NULL,
	"assigned_at" timestamp with time zone NOT NULL,
	"sla_tier_id" text NOT NULL,
	"sla_plan" jsonb NOT NULL,
	"sla_target_minutes" integer NOT NULL,
	"sla_clock" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text,
	"reject_reason" text,
	"reject_note" text,
	"outcome" text,
	"escalation_acked_by" text,
	"escalation_acked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "leads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" text NOT NULL,
	"source" text NOT NULL,
	"external_id" text,
	"email" text,
	"first_name" text,
	"last_name" text,
	"title" text,
	"company" text,
	"employees" integer,
	"industry" text,
	"country" text,
	"phone" text,
	"persona" text,
	"channel" text,
	"origin" text DEFAULT 'marketing' NOT NULL,
	"owner_hint" text,
	"stage" text NOT NULL,
	"score" integer DEFAULT 0 NOT NULL,
	"score_breakdown" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"imported" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text NOT NULL,
	"handoff_id" uuid,
	"channel" text,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "rep_status" (
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"away_until" timestamp with time zone,
	"away" boolean DEFAULT false NOT NULL,
	"set_by" text NOT NULL,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rep_status_workspace_id_user_id_pk" PRIMARY KEY("workspace_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "round_robin" (
	"workspace_id" text NOT NULL,
	"team_id" text NOT NULL,
	"rep_user_id" text NOT NULL,
	"assigned" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "round_robin_workspace_id_team_id_rep_user_id_pk" PRIMARY KEY("workspace_id","team_id","rep_user_id")
);
--> statement-breakpoint
CREATE TABLE "sla_steps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"handoff_id" uuid NOT NULL,
	"step_index" integer NOT NULL,
	"occurrence" integer DEFAULT 1 NOT NULL,
	"action" text NOT NULL,
	"rep_user_id" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "slack_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"handoff_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"ts" text NOT NULL,
	"posted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"bot_user_id" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_handoff_id_handoffs_id_fk" FOREIGN KEY ("handoff_id") REFERENCES "public"."handoffs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoffs" ADD CONSTRAINT "handoffs_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_handoff_id_handoffs_id_fk" FOREIGN KEY ("handoff_id") REFERENCES "public"."handoffs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_steps" ADD CONSTRAINT "sla_steps_handoff_id_handoffs_id_fk" FOREIGN KEY ("handoff_id") REFERENCES "public"."handoffs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slack_messages" ADD CONSTRAINT "slack_messages_handoff_id_handoffs_id_fk" FOREIGN KEY ("handoff_id") REFERENCES "public"."handoffs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "activities_once" ON "activities" USING btree ("lead_id","type","at");--> statement-breakpoint
CREATE INDEX "events_lead" ON "events" USING btree ("lead_id","at");--> statement-breakpoint
CREATE INDEX "events_stage_at" ON "events" USING btree ("workspace_id","to_stage","at") WHERE "events"."to_stage" is not null;--> statement-breakpoint
CREATE INDEX "events_handoff" ON "events" USING btree ("handoff_id");--> statement-breakpoint
CREATE UNIQUE INDEX "handoffs_lead_seq" ON "handoffs" USING btree ("lead_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "handoffs_one_pending" ON "handoffs" USING btree ("lead_id") WHERE "handoffs"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "handoffs_started" ON "handoffs" USING btree ("workspace_id","started_at");--> statement-breakpoint
CREATE INDEX "handoffs_decided" ON "handoffs" USING btree ("workspace_id","decided_at");--> statement-breakpoint
CREATE INDEX "handoffs_pending_due" ON "handoffs" USING btree ("workspace_id","due_at") WHERE "handoffs"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "handoffs_rep_pending" ON "handoffs" USING btree ("workspace_id","rep_user_id") WHERE "handoffs"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "leads_source_external_id" ON "leads" USING btree ("workspace_id","source","external_id") WHERE "leads"."external_id" is not null;--> statement-breakpoint
CREATE INDEX "leads_email" ON "leads" USING btree ("workspace_id",lower("email"));--> statement-breakpoint
CREATE INDEX "leads_created_at" ON "leads" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_dedupe" ON "outbox" USING btree ("workspace_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "outbox_due" ON "outbox" USING btree ("not_before") WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_handoff_pending" ON "outbox" USING btree ("handoff_id","id") WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "sla_steps_once" ON "sla_steps" USING btree ("handoff_id","step_index","occurrence","rep_user_id");--> statement-breakpoint
CREATE INDEX "sla_steps_due" ON "sla_steps" USING btree ("due_at") WHERE "sla_steps"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "slack_messages_once" ON "slack_messages" USING btree ("handoff_id","kind");