/**
 * The Overview's live numbers for the selected team: system metrics, the last 24 hours' summary and its most
 * evaluated flags. Three subscriptions, each re-emitting (at most once a second) when new evaluations arrive.
 */
import { signal } from "@preact/signals";
import type { ApiError } from "../api/errors.ts";
import { live } from "./api.ts";
import { EVALUATION_SUMMARY_LIVE, type EvaluationSummary } from "./evaluation-summary.ts";

export interface SystemMetrics {
  totalFeatures: number;
  activeClients: number;
  totalClients: number;
  /** Since 00:00 UTC. */
  evaluationsToday: number;
  evaluationsYesterday: number;
  /** Percentage over the last 7 days. */
  successRate: number;
  totalEvaluations7d: number;
  successfulEvaluations7d: number;
  generatedAt: string;
}

export interface FeatureEvaluations {
  featureKey: string;
  totalEvaluations: number;
  successfulEvaluations: number;
  cachedEvaluations: number;
  uniqueUsers: number;
  lastEvaluatedAt: string;
}

/** How many flags the top list asks for; the count of evaluated flags is exact below it. */
export const TOP_FEATURES_LIMIT = 100;

export const systemMetrics = signal<SystemMetrics | undefined>(undefined);
export const daySummary = signal<EvaluationSummary | undefined>(undefined);
export const topFeatures = signal<FeatureEvaluations[] | undefined>(undefined);
export const overviewError = signal<ApiError | null>(null);

export const SYSTEM_METRICS_LIVE = `subscription SystemMetricsLive($teamId: ID) {
  systemMetrics(teamId: $teamId) {
    totalFeatures activeClients totalClients evaluationsToday evaluationsYesterday successRate
    totalEvaluations7d successfulEvaluations7d generatedAt } }`;

export const TOP_FEATURES_LIVE = `subscription TopFeaturesLive($teamId: ID, $input: EvaluationsByFeatureLiveInput!) {
  evaluationsByFeatureLive(teamId: $teamId, input: $input) {
    featureKey totalEvaluations successfulEvaluations cachedEvaluations uniqueUsers lastEvaluatedAt } }`;

export function overviewVariables(teamId: string) {
  return {
    metrics: { teamId },
    summary: { teamId, input: { period: "PERIOD_24H" } },
    top: { teamId, input: { period: "PERIOD_24H", limit: TOP_FEATURES_LIMIT } },
  };
}

/** Follows the team's overview numbers until the returned function is called. */
export function watchOverview(teamId: string): () => void {
  systemMetrics.value = undefined;
  daySummary.value = undefined;
  topFeatures.value = undefined;
  overviewError.value = null;
  const onError = (error: ApiError) => {
    overviewError.value = error;
  };
  const vars = overviewVariables(teamId);
  const stops = [
    live<{ systemMetrics: SystemMetrics }>({
      name: "systemMetrics",
      query: SYSTEM_METRICS_LIVE,
      variables: vars.metrics,
      onData: (d) => {
        systemMetrics.value = d.systemMetrics;
      },
      onError,
    }),
    live<{ evaluationSummary: EvaluationSummary }>({
      name: "overviewSummary",
      query: EVALUATION_SUMMARY_LIVE,
      variables: vars.summary,
      onData: (d) => {
        daySummary.value = d.evaluationSummary;
      },
      onError,
    }),
    live<{ evaluationsByFeatureLive: FeatureEvaluations[] }>({
      name: "evaluationsByFeatureLive",
      query: TOP_FEATURES_LIVE,
      variables: vars.top,
      onData: (d) => {
        topFeatures.value = d.evaluationsByFeatureLive;
      },
      onError,
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
