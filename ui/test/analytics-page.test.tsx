import "./dom.ts";
import { afterEach, describe, expect, mock, test } from "bun:test";
import { cleanup, fireEvent, render, within } from "@testing-library/preact";
import type { Timeline } from "../src/models/timeline.ts";
import { fakeSseBackend, tick } from "./fake-sse.ts";

/** uPlot stands in as a recorder: how often a chart is made, and what it is fed. */
const plots: { created: Timeline; fed: unknown[][]; destroyed: boolean }[] = [];
mock.module("../src/components/timeline-plot.ts", () => ({
  HEIGHT: 260,
  retheme: () => {},
  toAligned: (t: Timeline) => [t.x, t.evaluations, t.successRate, t.cacheHitRate],
  createPlot: (_host: HTMLElement, timeline: Timeline) => {
    const plot = { created: timeline, fed: [] as unknown[][], destroyed: false };
    plots.push(plot);
    return {
      width: 800,
      setData: (data: unknown[]) => plot.fed.push(data),
      setSize: () => {},
      redraw: () => {},
      destroy: () => {
        plot.destroyed = true;
      },
    };
  },
}));

const { AnalyticsPage } = await import("../src/pages/analytics.tsx");
const { OverviewPage } = await import("../src/pages/overview.tsx");
const { setAnalyticsFilter } = await import("../src/models/analytics.ts");

const TEAM = "7d9f0c36-5a0e-4b8e-9c55-3f2c3c1f0a01";
const screen = () => within(document.body);
const at = (ms: number) => new Date(ms).toISOString();

const LISTS = {
  Features: { features: { items: [] } },
  Environments: { environments: { items: [{ id: "e1", name: "production", active: true, requiresApproval: true }] } },
  Clients: { clients: { items: [] } },
  RecentActivities: {
    recentActivities: {
      items: [
        {
          id: "a1",
          activityType: "CREATE",
          entityType: "feature",
          entityId: "f1",
          actorName: "ada",
          description: "Created feature 'checkout'",
          createdAt: at(Date.now()),
          entityDetails: { name: "checkout" },
        },
      ],
      pageNumber: 1,
      pageSize: 25,
      total: 1,
    },
  },
};

function summary(total: number, users: number) {
  return {
    totalEvaluations: total,
    successfulEvaluations: total - 1,
    cachedEvaluations: 1,
    uniqueUsers: users,
    successRate: Math.round(((total - 1) / total) * 10000) / 100,
    cacheHitRate: Math.round((1 / total) * 10000) / 100,
    topFeatureKey: "checkout",
    generatedAt: at(Date.now()),
  };
}

const kpi = (label: string) =>
  screen().getByText(label, { selector: ".kpi__label" }).parentElement?.querySelector(".kpi__value")?.textContent;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await tick(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(() => {
  cleanup();
  plots.length = 0;
});

describe("evaluation analytics page", () => {
  test("numbers and the timeline follow the live stream; the chart is made once and fed in place", async () => {
    setAnalyticsFilter(TEAM, { period: "1h", featureKey: "", environmentId: "", clientId: "" });
    const backend = fakeSseBackend(LISTS);
    render(<AnalyticsPage teamId={TEAM} />);
    await until(() => backend.open("EvaluationDashboard").length === 1, "the dashboard stream");
    const stream = backend.open("EvaluationDashboard")[0];
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const emit = (total: number, users: number) =>
      stream.send({
        evaluationDashboard: {
          generatedAt: at(Date.now()),
          rates: [
            {
              timeBucket: at(minute),
              evaluationCount: total,
              successCount: total - 1,
              priorAssignmentCount: 1,
              successRate: 0,
              cacheHitRate: 0,
            },
          ],
          summary: summary(total, users),
        },
      });

    emit(4, 3);
    await until(() => plots.length === 1, "the chart");
    expect(kpi("Evaluations")).toBe("4");
    expect(kpi("Unique users")).toBe("3");
    expect(kpi("Success rate")).toBe("75 %");
    expect(kpi("Cache-hit rate")).toBe("25 %");
    expect(plots[0].created.evaluations.at(-1)).toBe(4);

    for (const total of [10, 1_500]) {
      emit(total, 7);
      await until(() => kpi("Evaluations") === (total === 10 ? "10" : "1,500"), `${total} evaluations`);
    }
    await tick();
    expect(plots.length).toBe(1);
    expect(plots[0].destroyed).toBe(false);
    expect(plots[0].fed.length).toBeGreaterThanOrEqual(2);
    const fed = plots[0].fed.at(-1) ?? [];
    expect((fed[1] as number[]).at(-1)).toBe(1_500);
  });

  test("choosing an environment or a period resubscribes with it, one stream set at a time", async () => {
    setAnalyticsFilter(TEAM, { period: "1h", featureKey: "", environmentId: "", clientId: "" });
    const backend = fakeSseBackend(LISTS);
    render(<AnalyticsPage teamId={TEAM} />);
    await until(() => screen().queryByRole("option", { name: "production" }) !== null, "the environments");
    fireEvent.change(screen().getByLabelText("Environment"), { target: { value: "e1" } });
    await until(
      () =>
        backend
          .open("EvaluationDashboard")
          .some((s) => (s.variables.input as { environmentId: string }).environmentId === "e1"),
      "a stream for production",
    );
    expect(backend.open("EvaluationDashboard").length).toBe(1);
    fireEvent.change(screen().getByLabelText("Period"), { target: { value: "7d" } });
    await until(() => backend.open("EvaluationSummaryLive").length === 1, "the 7-day streams");
    expect(backend.open("EvaluationDashboard").length).toBe(0);
    expect(backend.open("EvaluationRatesLive")[0].variables.input).toMatchObject({
      period: "PERIOD_7D",
      environmentId: "e1",
    });
  });

  test("a refused subscription is shown instead of numbers", async () => {
    setAnalyticsFilter(TEAM, { period: "1h", featureKey: "", environmentId: "", clientId: "" });
    const backend = fakeSseBackend(LISTS);
    render(<AnalyticsPage teamId={TEAM} />);
    await until(() => backend.open("EvaluationDashboard").length === 1, "the dashboard stream");
    backend
      .open("EvaluationDashboard")[0]
      .sendErrors([{ message: "environment not found", extensions: { code: "NOT_FOUND" } }]);
    await until(() => screen().queryByRole("alert") !== null, "the error");
    expect(screen().getByRole("alert").textContent).toContain("environment not found");
  });
});

describe("overview page", () => {
  test("KPI cards, top flags and recent activity come from the live streams and the audit log", async () => {
    const backend = fakeSseBackend(LISTS);
    render(<OverviewPage teamId={TEAM} />);
    await until(() => backend.open("TopFeaturesLive").length === 1, "the streams");
    backend.open("SystemMetricsLive")[0].send({
      systemMetrics: {
        totalFeatures: 3,
        activeClients: 1,
        totalClients: 2,
        evaluationsToday: 12,
        evaluationsYesterday: 30,
        successRate: 90,
        totalEvaluations7d: 42,
        successfulEvaluations7d: 38,
        generatedAt: at(Date.now()),
      },
    });
    backend.open("EvaluationSummaryLive")[0].send({ evaluationSummary: summary(20, 6) });
    backend.open("TopFeaturesLive")[0].send({
      evaluationsByFeatureLive: [
        {
          featureKey: "checkout",
          totalEvaluations: 20,
          successfulEvaluations: 19,
          cachedEvaluations: 1,
          uniqueUsers: 6,
          lastEvaluatedAt: at(Date.now()),
        },
      ],
    });
    await until(() => screen().queryByText("Evaluations, 24 h") !== null, "the cards");
    expect(kpi("Evaluations, 24 h")).toBe("20");
    expect(kpi("Unique users, 24 h")).toBe("6");
    expect(kpi("Success rate, 24 h")).toBe("95 %");
    expect(kpi("Flags evaluated, 24 h")).toBe("1");
    expect(kpi("Active clients")).toBe("1");
    expect(screen().getByText("of 2 clients")).toBeTruthy();
    expect(screen().getByText("Today 12 · yesterday 30 (UTC)")).toBeTruthy();
    expect(screen().getByRole("rowheader", { name: "checkout" })).toBeTruthy();
    await until(() => screen().queryByText(/Created feature 'checkout'/) !== null, "the activity");
  });
});
