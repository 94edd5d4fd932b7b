/** The team at a glance: live headline numbers, its most evaluated flags and what changed recently. */
import { useEffect } from "preact/hooks";
import { errorMessage } from "../api/errors.ts";
import { ActivityList } from "../components/activity-list.tsx";
import { PageHeader, ResourceView } from "../components/async-state.tsx";
import { KpiCard, KpiGrid } from "../components/kpi-card.tsx";
import { TopFeatures } from "../components/top-features.tsx";
import { activity, activityKey } from "../models/activity.ts";
import type { EvaluationSummary } from "../models/evaluation-summary.ts";
import { featureIdsByKey, features } from "../models/features.ts";
import { countOf, formatCount, formatPercent } from "../models/numbers.ts";
import {
  daySummary,
  type FeatureEvaluations,
  overviewError,
  type SystemMetrics,
  systemMetrics,
  TOP_FEATURES_LIMIT,
  topFeatures,
  watchOverview,
} from "../models/overview.ts";

/** Top flags listed on the page; the "flags evaluated" card counts up to TOP_FEATURES_LIMIT. */
const TOP_SHOWN = 10;
const RECENT_SHOWN = 8;

function Kpis({ summary, metrics, top }: { summary: EvaluationSummary; metrics: SystemMetrics; top: number }) {
  const measured = summary.totalEvaluations > 0;
  return (
    <KpiGrid label="Last 24 hours">
      <KpiCard
        label="Evaluations, 24 h"
        value={formatCount(summary.totalEvaluations)}
        detail={`Today ${formatCount(metrics.evaluationsToday)} · yesterday ${formatCount(metrics.evaluationsYesterday)} (UTC)`}
      />
      <KpiCard
        label="Unique users, 24 h"
        value={formatCount(summary.uniqueUsers)}
        detail={summary.topFeatureKey ? `Top flag: ${summary.topFeatureKey}` : "No evaluations yet"}
      />
      <KpiCard
        label="Success rate, 24 h"
        value={formatPercent(summary.successRate, measured)}
        detail={`7 days: ${formatPercent(metrics.successRate, metrics.totalEvaluations7d > 0)} of ${formatCount(metrics.totalEvaluations7d)}`}
      />
      <KpiCard
        label="Cache-hit rate, 24 h"
        value={formatPercent(summary.cacheHitRate, measured)}
        detail={`${formatCount(summary.cachedEvaluations)} from sticky assignments`}
      />
      <KpiCard
        label="Flags evaluated, 24 h"
        value={top >= TOP_FEATURES_LIMIT ? `${TOP_FEATURES_LIMIT}+` : formatCount(top)}
        detail={`of ${countOf(metrics.totalFeatures, "flag")}`}
      />
      <KpiCard
        label="Active clients"
        value={formatCount(metrics.activeClients)}
        detail={`of ${countOf(metrics.totalClients, "client")}`}
      />
    </KpiGrid>
  );
}

function LiveNumbers({ top }: { top: FeatureEvaluations[] | undefined }) {
  const summary = daySummary.value;
  const metrics = systemMetrics.value;
  const error = overviewError.value;
  if (error) {
    return (
      <div class="notice notice--error" role="alert">
        <p>{errorMessage(error)}</p>
      </div>
    );
  }
  if (!summary || !metrics || !top) {
    return (
      <p class="muted" aria-busy="true">
        Loading…
      </p>
    );
  }
  return (
    <>
      <Kpis summary={summary} metrics={metrics} top={top.length} />
      <p class="muted small">
        Updated <time dateTime={summary.generatedAt}>{new Date(summary.generatedAt).toLocaleTimeString()}</time>
      </p>
    </>
  );
}

export function OverviewPage({ teamId }: { teamId: string }) {
  useEffect(() => watchOverview(teamId), [teamId]);
  useEffect(() => {
    void features.load(teamId);
    void activity.load(activityKey({ teamId, pageNumber: 1, entityType: "" }));
  }, [teamId]);
  const top = topFeatures.value;
  return (
    <>
      <PageHeader title="Overview">
        <a class="btn" href="/analytics">
          Evaluation analytics
        </a>
      </PageHeader>
      <LiveNumbers top={top} />
      <div class="overview">
        <section class="panel" aria-labelledby="top-flags">
          <header class="panel__header">
            <h2 id="top-flags">Top flags, 24 h</h2>
          </header>
          {top === undefined ? null : top.length === 0 ? (
            <p class="empty">No flag was evaluated in the last 24 hours.</p>
          ) : (
            <TopFeatures
              rows={top.slice(0, TOP_SHOWN)}
              featureIds={featureIdsByKey.value}
              caption="Most evaluated flags of the last 24 hours"
            />
          )}
        </section>
        <section class="panel" aria-labelledby="recent-activity">
          <header class="panel__header">
            <h2 id="recent-activity">Recent activity</h2>
            <a href="/activity" class="small">
              All activity
            </a>
          </header>
          <ResourceView resource={activity} empty={<p>Nothing recorded yet.</p>}>
            {(page) =>
              page.items.length ? (
                <ActivityList entries={page.items.slice(0, RECENT_SHOWN)} />
              ) : (
                <p class="empty">Nothing recorded yet.</p>
              )
            }
          </ResourceView>
        </section>
      </div>
    </>
  );
}
