/** The totals of an evaluation window as the API reports them, shared by the Overview and Evaluation analytics. */

export interface EvaluationSummary {
  totalEvaluations: number;
  successfulEvaluations: number;
  cachedEvaluations: number;
  uniqueUsers: number;
  /** Percentages, 2 decimals; 0 when there were no evaluations. */
  successRate: number;
  cacheHitRate: number;
  topFeatureKey: string | null;
  generatedAt: string;
}

export const SUMMARY_FIELDS =
  "totalEvaluations successfulEvaluations cachedEvaluations uniqueUsers successRate cacheHitRate topFeatureKey generatedAt";

/** The summary of the last period, live (`input`: period and optional flag, environment, client). */
export const EVALUATION_SUMMARY_LIVE = `subscription EvaluationSummaryLive($teamId: ID, $input: EvaluationSummaryInput!) {
  evaluationSummary(teamId: $teamId, input: $input) { ${SUMMARY_FIELDS} } }`;
