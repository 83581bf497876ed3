CREATE TABLE "channel_pace" (
	"channel" text PRIMARY KEY NOT NULL,
	"full_at" timestamp with time zone NOT NULL
);
