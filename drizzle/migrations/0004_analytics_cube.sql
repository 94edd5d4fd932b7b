CREATE TABLE "analytics_watermarks" (
	"grain" smallint PRIMARY KEY NOT NULL,
	"sealed_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_cube" (
	"team_id" uuid NOT NULL,
	"grain" smallint NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"feature_key" varchar(100) NOT NULL,
	"environment_id" varchar(100) NOT NULL,
	"client_id" varchar(36) NOT NULL,
	"evaluation_count" bigint DEFAULT 0 NOT NULL,
	"success_count" bigint DEFAULT 0 NOT NULL,
	"cached_count" bigint DEFAULT 0 NOT NULL,
	"last_evaluated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "evaluation_cube_pk" PRIMARY KEY("team_id","feature_key","environment_id","client_id","grain","bucket"),
	CONSTRAINT "evaluation_cube_grain" CHECK ("evaluation_cube"."grain" IN (1, 60, 1440))
);
--> statement-breakpoint
CREATE TABLE "evaluation_deltas" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"feature_key" varchar(100) NOT NULL,
	"environment_id" varchar(100) NOT NULL,
	"client_id" uuid NOT NULL,
	"evaluation_count" bigint NOT NULL,
	"success_count" bigint NOT NULL,
	"cached_count" bigint NOT NULL,
	"last_evaluated_at" timestamp with time zone NOT NULL,
	"users" "bytea"
);
--> statement-breakpoint
CREATE TABLE "evaluation_user_sketches" (
	"team_id" uuid NOT NULL,
	"grain" smallint NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"feature_key" varchar(100) NOT NULL,
	"environment_id" varchar(100) NOT NULL,
	"client_id" varchar(36) NOT NULL,
	"users" "bytea" NOT NULL,
	CONSTRAINT "evaluation_user_sketches_pk" PRIMARY KEY("team_id","feature_key","environment_id","client_id","grain","bucket"),
	CONSTRAINT "evaluation_user_sketches_grain" CHECK ("evaluation_user_sketches"."grain" IN (1, 60, 1440))
);
--> statement-breakpoint
ALTER TABLE "evaluation_cube" ADD CONSTRAINT "evaluation_cube_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_deltas" ADD CONSTRAINT "evaluation_deltas_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_user_sketches" ADD CONSTRAINT "evaluation_user_sketches_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluation_cube_scope_idx" ON "evaluation_cube" USING btree ("team_id","environment_id","client_id","grain","bucket") INCLUDE ("feature_key","evaluation_count","success_count","cached_count","last_evaluated_at");--> statement-breakpoint
CREATE INDEX "evaluation_cube_bucket_idx" ON "evaluation_cube" USING brin ("bucket");--> statement-breakpoint
CREATE INDEX "evaluation_deltas_team_bucket_idx" ON "evaluation_deltas" USING btree ("team_id","bucket");--> statement-breakpoint
CREATE INDEX "evaluation_user_sketches_bucket_idx" ON "evaluation_user_sketches" USING brin ("bucket");--> statement-breakpoint
-- Hand-written from here (drizzle-kit models none of it). evaluation_cube_scope_idx above INCLUDEs the counts:
-- per-flag breakdowns are index-only scans. Dashboard reads are a few small index scans: parallel workers only add
-- start-up time. Sketches (up to 4 KB) stay in the row (MAIN), one page read each instead of TOAST lookups, and
-- minute sketches updated in place leave room for HOT updates.
ALTER TABLE "evaluation_cube" SET (parallel_workers = 0);--> statement-breakpoint
ALTER TABLE "evaluation_user_sketches" SET (parallel_workers = 0, fillfactor = 80);--> statement-breakpoint
ALTER TABLE "evaluation_user_sketches" ALTER COLUMN "users" SET STORAGE MAIN;--> statement-breakpoint
-- One NOTIFY per inserting statement (an ingested batch is one statement) and team, delivered at commit to every
-- replica's LISTEN: live dashboards refresh only for teams with new data.
CREATE FUNCTION "fluxgate_notify_evaluations"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('fluxgate_evaluations', t.team_id::text) FROM (SELECT DISTINCT team_id FROM added) t;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "evaluation_deltas_notify" AFTER INSERT ON "evaluation_deltas" REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION "fluxgate_notify_evaluations"();
