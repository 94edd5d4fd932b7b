CREATE SEQUENCE "public"."config_version" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "evaluation_batches" (
	"batch_id" uuid PRIMARY KEY NOT NULL,
	"client_id" uuid NOT NULL,
	"team_id" uuid NOT NULL,
	"event_count" integer NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"batch_id" uuid,
	"client_id" uuid NOT NULL,
	"feature_key" varchar(100) NOT NULL,
	"environment_id" varchar(100) NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL,
	"result" boolean NOT NULL,
	"variant" varchar(100),
	"evaluation_context" jsonb,
	"user_context" varchar(255),
	"prior_assignment" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_rollups" (
	"team_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"feature_key" varchar(100) NOT NULL,
	"environment_id" varchar(100) NOT NULL,
	"client_id" uuid NOT NULL,
	"variant" varchar(100) DEFAULT '' NOT NULL,
	"result" boolean NOT NULL,
	"evaluation_count" bigint DEFAULT 0 NOT NULL,
	"cached_count" bigint DEFAULT 0 NOT NULL,
	"unique_users" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "evaluation_rollups_pk" PRIMARY KEY("team_id","bucket","feature_key","environment_id","client_id","variant","result")
);
--> statement-breakpoint
CREATE TABLE "user_flag_assignments" (
	"user_id" varchar(255) NOT NULL,
	"feature_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"assigned" boolean NOT NULL,
	"variant" varchar(100),
	"assigned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_flag_assignments_user_id_feature_id_environment_id_pk" PRIMARY KEY("user_id","feature_id","environment_id")
);
--> statement-breakpoint
CREATE TABLE "activity_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid,
	"activity_type" varchar(50) NOT NULL,
	"entity_type" varchar(50) NOT NULL,
	"entity_id" varchar(100) NOT NULL,
	"actor_id" uuid,
	"actor_name" varchar(100),
	"description" text NOT NULL,
	"metadata" jsonb,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jwt_signing_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"secret" text NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	"verify_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "jwt_tokens" (
	"jti" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"key_id" uuid,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "client_web_origins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"client_id" uuid NOT NULL,
	"origin" text NOT NULL,
	CONSTRAINT "client_web_origins_uq" UNIQUE("client_id","origin")
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"name" varchar(100) NOT NULL,
	"description" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"client_type" varchar(10) NOT NULL,
	"environment_id" uuid,
	"secret_hash" varchar(64) NOT NULL,
	"secret_prefix" varchar(16) NOT NULL,
	"secret_rotated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clients_secret_hash_unique" UNIQUE("secret_hash"),
	CONSTRAINT "clients_team_name_uq" UNIQUE("team_id","name"),
	CONSTRAINT "clients_type" CHECK ("clients"."client_type" IN ('Web','Backend'))
);
--> statement-breakpoint
CREATE TABLE "config_changes" (
	"version" bigint PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"kind" varchar(10) NOT NULL,
	"entity" varchar(20) NOT NULL,
	"entity_id" uuid NOT NULL,
	"key" varchar(200) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "config_changes_kind" CHECK ("config_changes"."kind" IN ('UPSERT','DELETE'))
);
--> statement-breakpoint
CREATE TABLE "environments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"name" varchar(100) NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"requires_approval" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "environments_team_name_uq" UNIQUE("team_id","name")
);
--> statement-breakpoint
CREATE TABLE "pipeline_stages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pipeline_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"parent_stage_id" uuid,
	"order_index" integer NOT NULL,
	"position" varchar(100) DEFAULT '' NOT NULL,
	CONSTRAINT "pipeline_stages_env_uq" UNIQUE("pipeline_id","environment_id"),
	CONSTRAINT "pipeline_stages_order_uq" UNIQUE("pipeline_id","order_index")
);
--> statement-breakpoint
CREATE TABLE "pipelines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"name" varchar(100) NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipelines_team_name_uq" UNIQUE("team_id","name")
);
--> statement-breakpoint
CREATE TABLE "feature_dependencies" (
	"feature_id" uuid NOT NULL,
	"depends_on_id" uuid NOT NULL,
	"variant" varchar(100),
	CONSTRAINT "feature_dependencies_feature_id_depends_on_id_pk" PRIMARY KEY("feature_id","depends_on_id"),
	CONSTRAINT "feature_dependencies_not_self" CHECK ("feature_dependencies"."feature_id" <> "feature_dependencies"."depends_on_id")
);
--> statement-breakpoint
CREATE TABLE "feature_stages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"feature_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"parent_stage_id" uuid,
	"order_index" integer NOT NULL,
	"position" varchar(100) DEFAULT '' NOT NULL,
	"bucketing_key" varchar(100),
	"status" varchar(30) DEFAULT 'NOT_DEPLOYED' NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"requested_user" uuid,
	"requested_time" timestamp with time zone,
	"approved_user" uuid,
	"approved_time" timestamp with time zone,
	CONSTRAINT "feature_stages_env_uq" UNIQUE("feature_id","environment_id"),
	CONSTRAINT "feature_stages_order_uq" UNIQUE("feature_id","order_index"),
	CONSTRAINT "feature_stages_status" CHECK ("feature_stages"."status" IN ('NOT_DEPLOYED','DEPLOYMENT_REQUESTED','DEPLOYMENT_REJECTED','DEPLOYED','ROLLBACK_REQUESTED','ROLLBACK_REJECTED','ROLLBACKED'))
);
--> statement-breakpoint
CREATE TABLE "feature_variants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"feature_id" uuid NOT NULL,
	"key" varchar(100) NOT NULL,
	"value" jsonb NOT NULL,
	"weight" integer DEFAULT 0 NOT NULL,
	"description" text,
	"order_index" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "feature_variants_key_uq" UNIQUE("feature_id","key"),
	CONSTRAINT "feature_variants_weight" CHECK ("feature_variants"."weight" >= 0)
);
--> statement-breakpoint
CREATE TABLE "features" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"key" varchar(100) NOT NULL,
	"salt" varchar(200) NOT NULL,
	"description" text,
	"feature_type" varchar(20) DEFAULT 'Simple' NOT NULL,
	"value_type" varchar(10) DEFAULT 'boolean' NOT NULL,
	"default_variant" varchar(100),
	"off_variant" varchar(100),
	"owner" varchar(200),
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"sticky" boolean DEFAULT true NOT NULL,
	"killed" boolean DEFAULT false NOT NULL,
	"killed_at" timestamp with time zone,
	"kill_scheduled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "features_team_key_uq" UNIQUE("team_id","key"),
	CONSTRAINT "features_type" CHECK ("features"."feature_type" IN ('Simple','Contextual')),
	CONSTRAINT "features_value_type" CHECK ("features"."value_type" IN ('boolean','string','number','json'))
);
--> statement-breakpoint
CREATE TABLE "roles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(50) NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "roles_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"user_id" uuid NOT NULL,
	"team_id" uuid NOT NULL,
	"role_id" uuid NOT NULL,
	"assigned_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_members_user_id_team_id_pk" PRIMARY KEY("user_id","team_id")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(100) NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teams_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" varchar(100) NOT NULL,
	"password_hash" text NOT NULL,
	"first_name" varchar(100) NOT NULL,
	"last_name" varchar(100) NOT NULL,
	"email" varchar(255) NOT NULL,
	"is_admin" boolean DEFAULT false NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"is_temporary_password" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login" timestamp with time zone,
	CONSTRAINT "users_username_unique" UNIQUE("username"),
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "context_values" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"context_id" uuid NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "context_values_uq" UNIQUE("context_id","value"),
	CONSTRAINT "context_values_not_empty" CHECK ("context_values"."value" <> '')
);
--> statement-breakpoint
CREATE TABLE "contexts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"key" varchar(100) NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contexts_team_key_uq" UNIQUE("team_id","key")
);
--> statement-breakpoint
CREATE TABLE "stage_rule_contexts" (
	"rule_id" uuid NOT NULL,
	"context_id" uuid NOT NULL,
	CONSTRAINT "stage_rule_contexts_rule_id_context_id_pk" PRIMARY KEY("rule_id","context_id")
);
--> statement-breakpoint
CREATE TABLE "stage_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stage_id" uuid NOT NULL,
	"priority" integer NOT NULL,
	"groups_operator" varchar(3) DEFAULT 'AND' NOT NULL,
	"groups" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"rollout" numeric(6, 3) DEFAULT '100' NOT NULL,
	"serve" jsonb DEFAULT '{"kind":"on"}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stage_rules_priority_uq" UNIQUE("stage_id","priority"),
	CONSTRAINT "stage_rules_rollout_range" CHECK ("stage_rules"."rollout" >= 0 AND "stage_rules"."rollout" <= 100),
	CONSTRAINT "stage_rules_groups_operator" CHECK ("stage_rules"."groups_operator" IN ('AND','OR'))
);
--> statement-breakpoint
ALTER TABLE "evaluation_batches" ADD CONSTRAINT "evaluation_batches_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_events" ADD CONSTRAINT "evaluation_events_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_rollups" ADD CONSTRAINT "evaluation_rollups_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_flag_assignments" ADD CONSTRAINT "user_flag_assignments_feature_id_features_id_fk" FOREIGN KEY ("feature_id") REFERENCES "public"."features"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_flag_assignments" ADD CONSTRAINT "user_flag_assignments_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_log" ADD CONSTRAINT "activity_log_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_log" ADD CONSTRAINT "activity_log_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jwt_signing_keys" ADD CONSTRAINT "jwt_signing_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jwt_tokens" ADD CONSTRAINT "jwt_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jwt_tokens" ADD CONSTRAINT "jwt_tokens_key_id_jwt_signing_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."jwt_signing_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_web_origins" ADD CONSTRAINT "client_web_origins_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "environments" ADD CONSTRAINT "environments_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipeline_stages" ADD CONSTRAINT "pipeline_stages_pipeline_id_pipelines_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "public"."pipelines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipeline_stages" ADD CONSTRAINT "pipeline_stages_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipeline_stages" ADD CONSTRAINT "pipeline_stages_parent_stage_id_pipeline_stages_id_fk" FOREIGN KEY ("parent_stage_id") REFERENCES "public"."pipeline_stages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipelines" ADD CONSTRAINT "pipelines_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_dependencies" ADD CONSTRAINT "feature_dependencies_feature_id_features_id_fk" FOREIGN KEY ("feature_id") REFERENCES "public"."features"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_dependencies" ADD CONSTRAINT "feature_dependencies_depends_on_id_features_id_fk" FOREIGN KEY ("depends_on_id") REFERENCES "public"."features"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_stages" ADD CONSTRAINT "feature_stages_feature_id_features_id_fk" FOREIGN KEY ("feature_id") REFERENCES "public"."features"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_stages" ADD CONSTRAINT "feature_stages_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_stages" ADD CONSTRAINT "feature_stages_parent_stage_id_feature_stages_id_fk" FOREIGN KEY ("parent_stage_id") REFERENCES "public"."feature_stages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_stages" ADD CONSTRAINT "feature_stages_requested_user_users_id_fk" FOREIGN KEY ("requested_user") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_stages" ADD CONSTRAINT "feature_stages_approved_user_users_id_fk" FOREIGN KEY ("approved_user") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_variants" ADD CONSTRAINT "feature_variants_feature_id_features_id_fk" FOREIGN KEY ("feature_id") REFERENCES "public"."features"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "features" ADD CONSTRAINT "features_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_assigned_by_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "context_values" ADD CONSTRAINT "context_values_context_id_contexts_id_fk" FOREIGN KEY ("context_id") REFERENCES "public"."contexts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contexts" ADD CONSTRAINT "contexts_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_rule_contexts" ADD CONSTRAINT "stage_rule_contexts_rule_id_stage_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."stage_rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_rule_contexts" ADD CONSTRAINT "stage_rule_contexts_context_id_contexts_id_fk" FOREIGN KEY ("context_id") REFERENCES "public"."contexts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_rules" ADD CONSTRAINT "stage_rules_stage_id_feature_stages_id_fk" FOREIGN KEY ("stage_id") REFERENCES "public"."feature_stages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluation_events_team_time_idx" ON "evaluation_events" USING btree ("team_id","evaluated_at");--> statement-breakpoint
CREATE INDEX "evaluation_events_feature_idx" ON "evaluation_events" USING btree ("team_id","feature_key","evaluated_at");--> statement-breakpoint
CREATE INDEX "evaluation_rollups_team_bucket_idx" ON "evaluation_rollups" USING btree ("team_id","bucket");--> statement-breakpoint
CREATE INDEX "user_flag_assignments_feature_idx" ON "user_flag_assignments" USING btree ("feature_id","environment_id");--> statement-breakpoint
CREATE INDEX "activity_log_team_time_idx" ON "activity_log" USING btree ("team_id","created_at");--> statement-breakpoint
CREATE INDEX "activity_log_entity_idx" ON "activity_log" USING btree ("entity_type","entity_id","created_at");--> statement-breakpoint
CREATE INDEX "activity_log_created_idx" ON "activity_log" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "jwt_signing_keys_one_active" ON "jwt_signing_keys" USING btree ("is_active") WHERE "jwt_signing_keys"."is_active";--> statement-breakpoint
CREATE INDEX "jwt_tokens_user_idx" ON "jwt_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "jwt_tokens_expires_idx" ON "jwt_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "clients_team_idx" ON "clients" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "config_changes_team_version_idx" ON "config_changes" USING btree ("team_id","version");--> statement-breakpoint
CREATE INDEX "feature_dependencies_depends_on_idx" ON "feature_dependencies" USING btree ("depends_on_id");--> statement-breakpoint
CREATE INDEX "feature_stages_environment_idx" ON "feature_stages" USING btree ("environment_id");--> statement-breakpoint
CREATE INDEX "features_kill_scheduled_idx" ON "features" USING btree ("kill_scheduled_at") WHERE "features"."kill_scheduled_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "team_members_team_idx" ON "team_members" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "stage_rule_contexts_context_idx" ON "stage_rule_contexts" USING btree ("context_id");