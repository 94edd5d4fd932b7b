ALTER TABLE "evaluation_deltas" DROP CONSTRAINT "evaluation_deltas_team_id_teams_id_fk";
--> statement-breakpoint
ALTER TABLE "evaluation_events" DROP CONSTRAINT "evaluation_events_team_id_teams_id_fk";
--> statement-breakpoint
DROP INDEX "evaluation_events_feature_idx";--> statement-breakpoint
DROP INDEX "evaluation_rollups_team_bucket_idx";--> statement-breakpoint
-- Hand-written from here (drizzle-kit models none of it). Ingest's increments to a minute's rollup rows leave the
-- indexed columns alone: with room in the page they are HOT updates (no new index entries).
ALTER TABLE "evaluation_rollups" SET (fillfactor = 70);--> statement-breakpoint
-- The team FKs of evaluation_events and evaluation_deltas are gone (their check ran once per inserted row): a team
-- delete removes their rows here instead. Ingest still checks the team once per batch (evaluation_batches' FK), and
-- that check's key-share lock makes a team delete wait for a batch in flight, whose rows this delete then sees.
CREATE FUNCTION "fluxgate_delete_team_analytics"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "evaluation_events" WHERE "team_id" = OLD."id";
  DELETE FROM "evaluation_deltas" WHERE "team_id" = OLD."id";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "teams_delete_analytics" AFTER DELETE ON "teams"
  FOR EACH ROW EXECUTE FUNCTION "fluxgate_delete_team_analytics"();
