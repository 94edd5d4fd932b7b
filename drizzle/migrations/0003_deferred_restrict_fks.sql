-- The three "refuse while referenced" foreign keys are checked at commit, not per row. As ON DELETE RESTRICT
-- (or immediate NO ACTION) they fired in the middle of a team delete's cascade, before the cascade had removed
-- the referencing row, so deleting a team with a bound client, a dependency or a rule using a context failed
-- depending on row order. Deferred, a lone delete of a referenced row is still refused (at commit).
-- drizzle-kit does not model DEFERRABLE, so this lives in a custom migration.
ALTER TABLE "clients" ALTER CONSTRAINT "clients_environment_id_environments_id_fk" DEFERRABLE INITIALLY DEFERRED;--> statement-breakpoint
ALTER TABLE "feature_dependencies" ALTER CONSTRAINT "feature_dependencies_depends_on_id_features_id_fk" DEFERRABLE INITIALLY DEFERRED;--> statement-breakpoint
ALTER TABLE "stage_rule_contexts" ALTER CONSTRAINT "stage_rule_contexts_context_id_contexts_id_fk" DEFERRABLE INITIALLY DEFERRED;
