ALTER TABLE "clients" DROP CONSTRAINT "clients_environment_id_environments_id_fk";
--> statement-breakpoint
ALTER TABLE "feature_dependencies" DROP CONSTRAINT "feature_dependencies_depends_on_id_features_id_fk";
--> statement-breakpoint
ALTER TABLE "stage_rule_contexts" DROP CONSTRAINT "stage_rule_contexts_context_id_contexts_id_fk";
--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_dependencies" ADD CONSTRAINT "feature_dependencies_depends_on_id_features_id_fk" FOREIGN KEY ("depends_on_id") REFERENCES "public"."features"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_rule_contexts" ADD CONSTRAINT "stage_rule_contexts_context_id_contexts_id_fk" FOREIGN KEY ("context_id") REFERENCES "public"."contexts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "user_flag_assignments_environment_idx" ON "user_flag_assignments" USING btree ("environment_id");--> statement-breakpoint
CREATE INDEX "activity_log_actor_idx" ON "activity_log" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "feature_stages_parent_idx" ON "feature_stages" USING btree ("parent_stage_id");