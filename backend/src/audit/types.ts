/** The audit vocabulary. Closed: a new kind of entry is added here first. */

export type ActivityType =
  // organisation and auth (this backbone)
  | "admin_created"
  | "team_created"
  | "team_updated"
  | "team_deleted"
  | "user_created"
  | "user_updated"
  | "user_enabled"
  | "user_disabled"
  | "user_password_changed"
  | "user_logged_in"
  | "user_login_failed"
  | "user_logged_out"
  | "user_added_to_team"
  | "user_removed_from_team"
  | "role_assigned"
  | "jwt_key_rotated"
  | "sessions_revoked"
  // configuration domains (names as in the original, reference §8.4)
  | "environment_created"
  | "environment_updated"
  | "environment_deleted"
  | "pipeline_created"
  | "pipeline_updated"
  | "pipeline_deleted"
  | "feature_created"
  | "feature_updated"
  | "feature_deleted"
  | "kill_switch_activated"
  | "kill_switch_deactivated"
  | "stage_change_requested"
  | "stage_deployed"
  | "stage_rejected"
  | "stage_rollbacked"
  | "context_created"
  | "context_updated"
  | "context_deleted"
  | "criteria_updated"
  | "client_created"
  | "client_updated"
  | "client_deleted"
  | "client_enabled"
  | "client_disabled"
  | "client_secret_rotated";

export type EntityType =
  | "team"
  | "user"
  | "role"
  | "signing_key"
  | "session"
  | "environment"
  | "pipeline"
  | "feature"
  | "stage"
  | "context"
  | "client";

/** Channel a new entry is announced on (`{"id","teamId"}`), so every replica's subscribers hear it. */
export const ACTIVITY_CHANNEL = "fluxgate_activity";
