CREATE TABLE "sla_notices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"batch_key" text NOT NULL,
	"recipient" text NOT NULL,
	"handoff_id" uuid NOT NULL,
	"story" jsonb NOT NULL,
	"channel" text,
	"ts" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sla_notices" ADD CONSTRAINT "sla_notices_handoff_id_handoffs_id_fk" FOREIGN KEY ("handoff_id") REFERENCES "public"."handoffs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sla_notices_once" ON "sla_notices" USING btree ("workspace_id","batch_key","handoff_id");--> statement-breakpoint
CREATE INDEX "sla_notices_handoff" ON "sla_notices" USING btree ("handoff_id");