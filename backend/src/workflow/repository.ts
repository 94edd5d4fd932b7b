/** Workflow conditions over `feature_stages`. */
import { featureStages, features } from "@fluxgate/drizzle";
import { inArray, type SQL, sql } from "drizzle-orm";
import { PENDING } from "./transitions";

/** Condition on `features`: some stage of the feature awaits an Approver. */
export const hasPendingStage: SQL = sql`exists (select 1 from ${featureStages} where ${featureStages.featureId} = ${features.id} and ${inArray(featureStages.status, [...PENDING])})`;
