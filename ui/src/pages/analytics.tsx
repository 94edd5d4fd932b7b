/**
 * Evaluation analytics: the team's evaluations over a period, filtered by flag, environment and client — headline
 * numbers and a timeline that follow new evaluations live.
 */
import { useEffect } from "preact/hooks";
import { errorMessage } from "../api/errors.ts";
import { PageHeader } from "../components/async-state.tsx";
import { SelectField } from "../components/fields.tsx";
import { KpiCard, KpiGrid } from "../components/kpi-card.tsx";
import { TimelineChart } from "../components/timeline-chart.tsx";
import {
  type AnalyticsFilter,
  analyticsError,
  analyticsFilterFor,
  type EvaluationSummary,
  evaluationRates,
  evaluationSummary,
  PERIODS,
  type PeriodKey,
  setAnalyticsFilter,
  timeline,
  watchEvaluations,
} from "../models/analytics.ts";
import { clients } from "../models/clients.ts";
import { environments } from "../models/environments.ts";
import { features } from "../models/features.ts";
import { formatCount, formatInterval, formatPercent, formatWindow } from "../models/numbers.ts";
import { theme } from "../models/theme.ts";

type Option = { value: string; label: string };

function Filters({ teamId, filter }: { teamId: string; filter: AnalyticsFilter }) {
  const all = (label: string, list: Option[]): Option[] => [{ value: "", label }, ...list];
  const flagKeys = (features.data.value ?? []).map((f) => f.key).sort();
  // a flag chosen before it was deleted (or not loaded yet) stays selectable
  if (filter.featureKey && !flagKeys.includes(filter.featureKey)) flagKeys.unshift(filter.featureKey);
  return (
    <search class="filters" aria-label="Filter evaluations">
      <SelectField
        label="Period"
        value={filter.period}
        options={Object.entries(PERIODS).map(([value, p]) => ({ value, label: p.label }))}
        onValue={(period) => setAnalyticsFilter(teamId, { period: period as PeriodKey })}
      />
      <SelectField
        label="Flag"
        value={filter.featureKey}
        options={all(
          "All flags",
          flagKeys.map((key) => ({ value: key, label: key })),
        )}
        onValue={(featureKey) => setAnalyticsFilter(teamId, { featureKey })}
      />
      <SelectField
        label="Environment"
        value={filter.environmentId}
        options={all(
          "All environments",
          (environments.data.value ?? []).map((e) => ({ value: e.id, label: e.name })),
        )}
        onValue={(environmentId) => setAnalyticsFilter(teamId, { environmentId })}
      />
      <SelectField
        label="Client"
        value={filter.clientId}
        options={all(
          "All clients",
          (clients.data.value ?? []).map((c) => ({ value: c.id, label: c.name })),
        )}
        onValue={(clientId) => setAnalyticsFilter(teamId, { clientId })}
      />
    </search>
  );
}

function SummaryCards({ summary }: { summary: EvaluationSummary }) {
  const measured = summary.totalEvaluations > 0;
  return (
    <KpiGrid label="Evaluations in the period">
      <KpiCard
        label="Evaluations"
        value={formatCount(summary.totalEvaluations)}
        detail={`${formatCount(summary.successfulEvaluations)} answered on`}
      />
      <KpiCard
        label="Unique users"
        value={formatCount(summary.uniqueUsers)}
        detail={summary.topFeatureKey ? `Top flag: ${summary.topFeatureKey}` : "No evaluations in the period"}
      />
      <KpiCard label="Success rate" value={formatPercent(summary.successRate, measured)} detail="Answered on" />
      <KpiCard
        label="Cache-hit rate"
        value={formatPercent(summary.cacheHitRate, measured)}
        detail={`${formatCount(summary.cachedEvaluations)} from sticky assignments`}
      />
    </KpiGrid>
  );
}

function Timeline() {
  const rates = evaluationRates.value;
  const data = timeline.value;
  if (!rates || !data) return null;
  const { from, to, intervalMinutes } = rates.window;
  const span = formatWindow(from, to);
  return (
    <section class="panel" aria-labelledby="timeline-title">
      <header class="panel__header">
        <h2 id="timeline-title">Timeline</h2>
        <p class="muted small">
          {span}, per {formatInterval(intervalMinutes)}
        </p>
      </header>
      <TimelineChart
        timeline={data}
        theme={theme.value}
        label={`Evaluations per ${formatInterval(intervalMinutes)}, success and cache-hit rates, ${span}`}
      />
    </section>
  );
}

export function AnalyticsPage({ teamId }: { teamId: string }) {
  const filter = analyticsFilterFor(teamId);
  const { period, featureKey, environmentId, clientId } = filter;
  useEffect(() => {
    void features.load(teamId);
    void environments.load(teamId);
    void clients.load(teamId);
  }, [teamId]);
  useEffect(
    () => watchEvaluations(teamId, { period, featureKey, environmentId, clientId }),
    [teamId, period, featureKey, environmentId, clientId],
  );
  const summary = evaluationSummary.value;
  const error = analyticsError.value;
  return (
    <>
      <PageHeader title="Evaluation analytics" />
      <Filters teamId={teamId} filter={filter} />
      {error ? (
        <div class="notice notice--error" role="alert">
          <p>{errorMessage(error)}</p>
        </div>
      ) : summary ? (
        <>
          <SummaryCards summary={summary} />
          <p class="muted small">
            Updated <time dateTime={summary.generatedAt}>{new Date(summary.generatedAt).toLocaleTimeString()}</time>
          </p>
        </>
      ) : (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      )}
      <Timeline />
    </>
  );
}
