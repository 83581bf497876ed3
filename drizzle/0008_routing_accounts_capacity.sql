CREATE TABLE "accounts" (
	"workspace_id" text NOT NULL,
	"domain" text NOT NULL,
	"owner_user_id" text NOT NULL,
	"team_id" text NOT NULL,
	"lead_id" uuid NOT NULL,
	"since" timestamp with time zone NOT NULL,
	CONSTRAINT "accounts_workspace_id_domain_pk" PRIMARY KEY("workspace_id","domain")
);
--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "account_domain" text;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "account_owner" text;--> statement-breakpoint
ALTER TABLE "rep_status" ADD COLUMN "away_from" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "round_robin" ADD COLUMN "entitled" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Existing counters start level: every rep as far ahead as their share, so nobody is owed a burst of leads.
UPDATE "round_robin" SET "entitled" = "assigned";--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE no action ON UPDATE no action;