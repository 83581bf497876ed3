CREATE TABLE "sandbox_slack_files" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"filename" text NOT NULL,
	"alt_text" text,
	"bytes" text NOT NULL,
	CONSTRAINT "sandbox_slack_files_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "sandbox_slack_messages" (
	"workspace_id" text NOT NULL,
	"channel" text NOT NULL,
	"ts" text NOT NULL,
	"message" jsonb NOT NULL,
	CONSTRAINT "sandbox_slack_messages_workspace_id_channel_ts_pk" PRIMARY KEY("workspace_id","channel","ts")
);
