DROP INDEX "outbox_due";--> statement-breakpoint
CREATE INDEX "outbox_channel_pending" ON "outbox" USING btree ("channel","id") WHERE "outbox"."status" = 'pending';