/**
 * Analytics end to end (issue 8): evaluations made at the edge appear on the dashboard within two flush intervals.
 * A real backend (PGlite) and a real edge (`startEdge`, a short EDGE_EVALUATION_FLUSH_SECS) with a client created
 * through the API; the Evaluation analytics page is open in headless Chromium, live, before the edge is asked.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { loadConfig } from "../../edge/src/config.ts";
import { type RunningEdge, startEdge } from "../../edge/src/main.ts";
import {
  ARTIFACTS,
  buildConsole,
  type Child,
  freePort,
  gqlAs,
  launchBrowser,
  schemaHas,
  shoot,
  skipReason,
  spawnBackend,
  tempDir,
  WIDTHS,
} from "./harness.ts";

const FLUSH_SECS = 3;
/** Allowance on top of two flush intervals for the backend's ingest, its 1 s live debounce and the browser. */
const SLACK_MS = 3_000;
const EVALUATIONS = 25;
const FEATURE = "analytics-checkout";
const ADMIN = { username: "admin", password: "correct-horse-battery", firstName: "Ada", lastName: "Admin" };

const reason =
  skipReason() ??
  (schemaHas("evaluationDashboard", "evaluationsByFeatureLive", "systemMetrics")
    ? null
    : "backend/schema.graphql lacks the analytics subscriptions");
if (reason) console.warn(`ui analytics e2e skipped: ${reason}`);

/** The first admin, a team with a development environment, a deployed boolean flag and an edge client. */
async function seed(url: string) {
  await gqlAs(url, "mutation($input: CreateAdminInput!) { createAdmin(input: $input) { id } }", {
    input: { ...ADMIN, email: "ada@example.com" },
  });
  const { login } = await gqlAs<{ login: { token: string } }>(
    url,
    "mutation($input: LoginInput!) { login(input: $input) { token } }",
    { input: { username: ADMIN.username, password: ADMIN.password } },
  );
  const token = login.token;
  const call = <T>(query: string, variables: Record<string, unknown>) => gqlAs<T>(url, query, variables, token);
  const { createTeam: team } = await call<{ createTeam: { id: string } }>(
    "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }",
    { input: { name: "Checkout" } },
  );
  const { createEnvironment: env } = await call<{ createEnvironment: { id: string } }>(
    "mutation($teamId: ID!, $input: CreateEnvironmentInput!) { createEnvironment(teamId: $teamId, input: $input) { id } }",
    { teamId: team.id, input: { name: "development", active: true } },
  );
  const { createFeature: featureId } = await call<{ createFeature: string }>(
    "mutation($teamId: ID!, $input: CreateFeatureInput!) { createFeature(teamId: $teamId, input: $input) }",
    {
      teamId: team.id,
      input: { key: FEATURE, featureType: "SIMPLE", stages: [{ environmentId: env.id, orderIndex: 0 }] },
    },
  );
  const { feature } = await call<{ feature: { stages: { id: string }[] } }>(
    "query($id: ID!) { feature(id: $id) { stages { id } } }",
    { id: featureId },
  );
  await call("mutation($stageId: ID!) { requestStageChange(stageId: $stageId, request: DEPLOYED) { id } }", {
    stageId: feature.stages[0].id,
  });
  const { createClient } = await call<{ createClient: { secret: string; client: { id: string } } }>(
    "mutation($teamId: ID!, $input: CreateClientInput!) { createClient(teamId: $teamId, input: $input) { secret client { id } } }",
    { teamId: team.id, input: { name: "checkout-edge", clientType: "BACKEND" } },
  );
  return { token, teamId: team.id, clientId: createClient.client.id, clientSecret: createClient.secret };
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`the edge at ${url} had no store within ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}

/** The value of the KPI card labelled exactly `label`. */
const kpi = (page: Page, label: string) =>
  page
    .locator(".kpi")
    .filter({ has: page.locator(".kpi__label", { hasText: new RegExp(`^${label}$`) }) })
    .locator(".kpi__value");

describe.skipIf(reason !== null)("analytics end to end", () => {
  let backend: Child;
  let edge: RunningEdge;
  let browser: Browser;
  let page: Page;
  const data = tempDir("fluxgate-ui-analytics-");

  beforeAll(async () => {
    await buildConsole();
    const httpPort = await freePort();
    const grpcPort = await freePort();
    backend = await spawnBackend(join(data.path, "backend"), { http: httpPort, grpc: grpcPort });
    const world = await seed(backend.url);
    edge = await startEdge(
      loadConfig({
        EDGE_BACKEND_GRPC: `http://127.0.0.1:${grpcPort}`,
        EDGE_HTTP_ADDR: "127.0.0.1:0",
        EDGE_CLIENT_ID: world.clientId,
        EDGE_CLIENT_SECRET: world.clientSecret,
        EDGE_SNAPSHOT_PATH: "off",
        EDGE_EVALUATION_FLUSH_SECS: String(FLUSH_SECS),
        EDGE_LOG_LEVEL: "warn",
      }),
    );
    await waitUntilReady(edge.url, 60_000);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: WIDTHS.desktop });
    // signed in as the admin, on the seeded team
    await context.addInitScript(
      ({ token, teamId }) => {
        localStorage.setItem("fluxgate.token", token);
        localStorage.setItem("fluxgate.team", teamId);
      },
      { token: world.token, teamId: world.teamId },
    );
    page = await context.newPage();
    page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    await backend?.stop();
    data.remove();
  }, 30_000);

  test("evaluations made at the edge appear on the live dashboard within two flush intervals", async () => {
    try {
      await page.goto(`${backend.url}/analytics`);
      await page.getByRole("heading", { name: "Evaluation analytics", level: 1 }).waitFor();
      // the live dashboard's first emission: nothing evaluated yet, the chart drawn (lazy uPlot chunk)
      await expect(kpi(page, "Evaluations").textContent({ timeout: 30_000 })).resolves.toBe("0");
      await page.locator(".chart canvas").waitFor({ timeout: 30_000 });
      await page.locator(".live-dot").waitFor();

      for (let i = 0; i < EVALUATIONS; i++) {
        const response = await fetch(`${edge.url}/evaluate`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            feature_key: FEATURE,
            environment_id: "development",
            context: [{ key: "targetingKey", value: `user-${i}` }],
          }),
        });
        expect(response.status).toBe(200);
        expect(((await response.json()) as { enabled: boolean }).enabled).toBe(true);
      }
      const lastEvaluation = Date.now();
      const budget = 2 * FLUSH_SECS * 1000 + SLACK_MS;

      await page
        .locator(".kpi__value")
        .filter({ hasText: new RegExp(`^${EVALUATIONS}$`) })
        .first()
        .waitFor({ timeout: budget });
      const seenAfter = Date.now() - lastEvaluation;
      expect(await kpi(page, "Evaluations").textContent()).toBe(String(EVALUATIONS));
      expect(seenAfter).toBeLessThanOrEqual(budget);
      console.info(`analytics e2e: ${EVALUATIONS} evaluations on the dashboard ${seenAfter} ms after the last one`);

      // the same emission carries the rest of the summary
      expect(await kpi(page, "Unique users").textContent()).toBe(String(EVALUATIONS));
      expect(await kpi(page, "Success rate").textContent()).toBe("100 %");
      await shoot(page, "analytics");
      const toggle = page.getByRole("button", { name: /Switch to (dark|light) theme/ });
      await toggle.click();
      await shoot(page, "analytics-other-theme");
      await toggle.click();

      // the overview shows the same evaluations, and the flag among the top ones
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
      await expect(kpi(page, "Evaluations, 24 h").textContent({ timeout: 30_000 })).resolves.toBe(String(EVALUATIONS));
      await page.getByRole("rowheader", { name: FEATURE }).waitFor();
      await shoot(page, "overview");
    } catch (error) {
      await page?.screenshot({ path: join(ARTIFACTS, "failed-analytics.png"), fullPage: true }).catch(() => {});
      throw error;
    }
  }, 120_000);
});
