CREATE TABLE "hubspot_writes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"contact_id" text NOT NULL,
	"property" text NOT NULL,
	"value" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "hubspot_writes_contact" ON "hubspot_writes" USING btree ("workspace_id","contact_id","property","at");