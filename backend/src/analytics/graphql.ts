/** Analytics queries and live subscriptions (reference §2.6, §2.8, §8), with the original's names and outputs. */
import { actorOf, type GraphQLContext, type GraphQLModule } from "../graphql/module";
import * as live from "./live";
import * as metrics from "./metrics-service";
import * as service from "./service";

export const typeDefs = /* GraphQL */ `
  "A rolling window ending now."
  enum TimePeriod {
    PERIOD_24H
    PERIOD_7D
    PERIOD_30D
  }

  """
  One bucket of an evaluation timeline. Counts are whole numbers (Float: they can pass 2^31); rates are percentages
  rounded to 2 decimals, 0 for an empty bucket (never returned: only buckets with evaluations are).
  """
  type GqlEvaluationRatePoint {
    "Bucket start: evaluation times floored to a multiple of intervalMinutes since 1970-01-01T00:00Z."
    timeBucket: DateTime!
    evaluationCount: Float!
    "Evaluations that answered on (result true)."
    successCount: Float!
    "Evaluations answered from an edge's sticky assignment."
    priorAssignmentCount: Float!
    successRate: Float!
    cacheHitRate: Float!
  }

  """
  Totals of a window. uniqueUsers counts distinct user identities with a HyperLogLog sketch: exact up to about
  1,000 users (bar hash collisions), within ±1.6% (one standard error) beyond.
  """
  type EvaluationSummaryOutput {
    totalEvaluations: Float!
    successfulEvaluations: Float!
    cachedEvaluations: Float!
    uniqueUsers: Int!
    successRate: Float!
    cacheHitRate: Float!
    "Most evaluated flag key in the window; null when there were no evaluations."
    topFeatureKey: String
  }

  "EvaluationSummaryOutput as the live subscriptions emit it."
  type GqlEvaluationSummary {
    totalEvaluations: Float!
    successfulEvaluations: Float!
    cachedEvaluations: Float!
    uniqueUsers: Int!
    successRate: Float!
    cacheHitRate: Float!
    topFeatureKey: String
    "The instant the numbers were read."
    generatedAt: DateTime!
  }

  type GqlEvaluationDashboardData {
    rates: [GqlEvaluationRatePoint!]!
    summary: GqlEvaluationSummary!
    "The instant the numbers were read."
    generatedAt: DateTime!
  }

  "One flag's evaluations in a window."
  type EvaluationByFeature {
    featureKey: String!
    totalEvaluations: Float!
    successfulEvaluations: Float!
    cachedEvaluations: Float!
    uniqueUsers: Int!
    "Latest evaluation (its minute, when the edge sent only counters)."
    lastEvaluatedAt: DateTime!
  }

  "EvaluationByFeature as evaluationsByFeatureLive emits it: every row of one emission has the same sequence."
  type GqlEvaluationByFeatureRow {
    featureKey: String!
    totalEvaluations: Float!
    successfulEvaluations: Float!
    cachedEvaluations: Float!
    uniqueUsers: Int!
    lastEvaluatedAt: DateTime!
    "0 for the first emission, then 1, 2, …"
    sequence: Int!
    "The instant the numbers were read."
    emittedAt: DateTime!
  }

  type FeatureGrowthPoint {
    "Start of the UTC day, ISO week (Monday) or month."
    timeBucket: DateTime!
    teamId: ID!
    teamName: String!
    "Flags created in the bucket."
    featureCount: Int!
    "Flags created from fromTime up to the end of the bucket."
    cumulativeCount: Int!
  }

  "Deployment workflow numbers from the stages' current status."
  type RolloutMetrics {
    "DEPLOYED / (DEPLOYED + DEPLOYMENT_REJECTED + ROLLBACK_REJECTED) × 100."
    approvalRate: Float!
    "Flags with a stage deployed (approved) in the current ISO week (UTC)."
    featuresDeployedThisWeek: Int!
    featuresDeployedLastWeek: Int!
    "Percentage change from last week (100 when last week had none and this week some)."
    deploymentChange: Float!
    "Environment whose pending deployment requests have waited longest on average; 'None' when none wait."
    bottleneckStage: String!
    "That average wait, in hours."
    bottleneckDuration: Float!
    "Stages in DEPLOYMENT_REQUESTED."
    totalPendingApprovals: Int!
    "Average hours from deployment request to approval of the currently deployed stages."
    averageTimeInPipeline: Float!
  }

  type GqlSystemMetrics {
    totalFeatures: Int!
    "Enabled clients."
    activeClients: Int!
    totalClients: Int!
    "Since 00:00 UTC."
    evaluationsToday: Float!
    "The previous UTC day."
    evaluationsYesterday: Float!
    "Over the last 7 days."
    successRate: Float!
    totalEvaluations7d: Float!
    successfulEvaluations7d: Float!
    "The instant the numbers were read."
    generatedAt: DateTime!
  }

  input EvaluationCountFilter {
    fromDate: DateTime!
    toDate: DateTime!
    environmentId: ID
    clientId: ID
    featureKey: String
  }

  input EvaluationSummaryQueryInput {
    period: TimePeriod!
    environmentId: ID
    clientId: ID
    featureKey: String
  }

  input EvaluationSummaryInput {
    featureKey: String
    environmentId: ID
    clientId: ID
    period: TimePeriod!
  }

  input EvaluationRatesInput {
    featureKey: String
    environmentId: ID
    clientId: ID
    fromTime: DateTime!
    "At most 24 hours after fromTime."
    toTime: DateTime!
    "1 to 60."
    intervalMinutes: Int!
  }

  input EvaluationRatesInputWithPeriod {
    featureKey: String
    environmentId: ID
    clientId: ID
    period: TimePeriod!
    "1 to 60."
    intervalMinutes: Int!
  }

  input EvaluationsByFeatureLiveInput {
    period: TimePeriod!
    environmentId: ID
    clientId: ID
    "1 to 100, default 20."
    limit: Int
    offset: Int
  }

  extend type Query {
    """
    Every analytics operation reads one team: teamId is required unless you are an administrator (who may omit it
    to read every team). Windows are resolved to whole minutes (the minute of the start through the minute of the
    end); environmentId and clientId must be the team's.
    """
    evaluationSummary(teamId: ID, input: EvaluationSummaryQueryInput!): EvaluationSummaryOutput!
    "Evaluations per intervalMinutes bucket in [fromTime, toTime] (at most 24 hours; fromTime not in the future)."
    evaluationRates(teamId: ID, input: EvaluationRatesInput!): [GqlEvaluationRatePoint!]!
    "Evaluations per intervalMinutes bucket over the last period."
    evaluationRatesWithPeriod(teamId: ID, input: EvaluationRatesInputWithPeriod!): [GqlEvaluationRatePoint!]!
    "Flags by evaluations in [fromTime, toTime] (at most 30 days), most evaluated first; limit 1–100 (default 20)."
    evaluationsByFeature(
      teamId: ID
      fromTime: DateTime!
      toTime: DateTime!
      environmentId: ID
      clientId: ID
      limit: Int
      offset: Int
    ): [EvaluationByFeature!]!
    "Evaluations in [fromDate, toDate] (at most 30 days)."
    evaluationCount(teamId: ID, filter: EvaluationCountFilter!): Float!
    "Flags created per interval ('day', 'week' or 'month', UTC) and team in [fromTime, toTime]."
    featureGrowth(fromTime: DateTime!, toTime: DateTime!, interval: String!, teamId: ID): [FeatureGrowthPoint!]!
    rolloutMetrics(teamId: ID): RolloutMetrics!
    systemMetrics(teamId: ID): GqlSystemMetrics!
  }

  extend type Subscription {
    """
    Live analytics (teamId and inputs as for the queries): the result at once, then again after new evaluations of
    the team arrive — at most once a second, a burst coalesced into one update.
    """
    evaluationDashboard(teamId: ID, input: EvaluationRatesInput!): GqlEvaluationDashboardData!
    "Top flags of the last period, live."
    evaluationsByFeatureLive(teamId: ID, input: EvaluationsByFeatureLiveInput!): [GqlEvaluationByFeatureRow!]!
    "System metrics, live."
    systemMetrics(teamId: ID): GqlSystemMetrics!
    "Summary of the last period, live."
    evaluationSummary(teamId: ID, input: EvaluationSummaryInput!): GqlEvaluationSummary!
    "Rates of the last period, live."
    evaluationRatesWithPeriod(teamId: ID, input: EvaluationRatesInputWithPeriod!): [GqlEvaluationRatePoint!]!
    "Rates of [fromTime, min(toTime, now)], live."
    evaluationRates(teamId: ID, input: EvaluationRatesInput!): [GqlEvaluationRatePoint!]!
  }
`;

type Args<T> = { teamId?: string | null } & T;

const identity = (value: unknown) => value;

/** A live subscription field over `watch(deps, actor, teamId, input, refreshActor)`; each emission is the value. */
function liveField<Input, T>(
  watch: (
    deps: GraphQLContext["deps"],
    actor: ReturnType<typeof actorOf>,
    teamId: string | null | undefined,
    input: Input,
    refreshActor: GraphQLContext["refreshActor"],
  ) => Promise<AsyncIterable<T>>,
) {
  return {
    subscribe: (_: unknown, a: Args<{ input: Input }>, ctx: GraphQLContext) =>
      watch(ctx.deps, actorOf(ctx), a.teamId, a.input, ctx.refreshActor),
    resolve: identity,
  };
}

export const resolvers = {
  Query: {
    evaluationSummary: (_: unknown, a: Args<{ input: service.SummaryInput }>, ctx: GraphQLContext) =>
      service.evaluationSummary(ctx.deps, actorOf(ctx), a.teamId, a.input),
    evaluationRates: (_: unknown, a: Args<{ input: service.RatesInput }>, ctx: GraphQLContext) =>
      service.evaluationRates(ctx.deps, actorOf(ctx), a.teamId, a.input),
    evaluationRatesWithPeriod: (_: unknown, a: Args<{ input: service.RatesWithPeriodInput }>, ctx: GraphQLContext) =>
      service.evaluationRatesWithPeriod(ctx.deps, actorOf(ctx), a.teamId, a.input),
    evaluationsByFeature: (_: unknown, a: service.ByFeatureArgs, ctx: GraphQLContext) =>
      service.evaluationsByFeature(ctx.deps, actorOf(ctx), a),
    evaluationCount: (_: unknown, a: Args<{ filter: service.CountFilter }>, ctx: GraphQLContext) =>
      service.evaluationCount(ctx.deps, actorOf(ctx), a.teamId, a.filter),
    featureGrowth: (_: unknown, a: metrics.GrowthArgs, ctx: GraphQLContext) =>
      metrics.featureGrowth(ctx.deps, actorOf(ctx), a),
    rolloutMetrics: (_: unknown, a: Args<object>, ctx: GraphQLContext) =>
      metrics.rolloutMetrics(ctx.deps, actorOf(ctx), a.teamId),
    systemMetrics: (_: unknown, a: Args<object>, ctx: GraphQLContext) =>
      metrics.systemMetrics(ctx.deps, actorOf(ctx), a.teamId),
  },
  Subscription: {
    evaluationDashboard: liveField(live.watchDashboard),
    evaluationsByFeatureLive: liveField(live.watchByFeature),
    systemMetrics: {
      subscribe: (_: unknown, a: Args<object>, ctx: GraphQLContext) =>
        live.watchSystemMetrics(ctx.deps, actorOf(ctx), a.teamId, ctx.refreshActor),
      resolve: identity,
    },
    evaluationSummary: liveField(live.watchSummary),
    evaluationRatesWithPeriod: liveField(live.watchRatesWithPeriod),
    evaluationRates: liveField(live.watchRates),
  },
} satisfies GraphQLModule["resolvers"];
