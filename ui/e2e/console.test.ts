/**
 * The console end to end, in headless Chromium against a real backend on PGlite and a real edge:
 * first admin → team, environments, pipeline, context, client → feature with a percentage rule → deployment
 * requested and approved by a second user → the edge answers the new value → kill switch → the edge answers off.
 * Screenshots of each main page at 1280 and 390 px go to ui/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  ARTIFACTS,
  buildConsole,
  type Child,
  freePort,
  gql,
  launchBrowser,
  schemaHas,
  shoot,
  skipReason,
  spawnBackend,
  spawnService,
  tempDir,
  WIDTHS,
} from "./harness.ts";

const reason = skipReason();
if (reason) console.warn(`ui e2e skipped: ${reason}`);

const ADMIN = {
  username: "admin",
  password: "correct-horse-battery",
  first: "Ada",
  last: "Admin",
  email: "ada@example.com",
};
const APPROVER = {
  username: "approver",
  first: "Alan",
  last: "Approver",
  email: "alan@example.com",
  password: "approver-own-pw",
};
const TEAM = "Checkout";
const FEATURE = "new-checkout";

/** What later steps need from earlier ones. */
const state = {
  clientId: "",
  clientSecret: "",
  approverTemporary: "",
  featureUrl: "",
};

let failurePage: Page | undefined;

/**
 * One step of the flow. It runs only once the backend's schema has the operations it needs (and says which are
 * missing); a failing step leaves a screenshot of the page in ui/artifacts/failed-<step>.png.
 */
function step(name: string, needs: string[], body: () => Promise<void>, timeout = 90_000) {
  const missing = needs.filter((f) => !schemaHas(f));
  if (missing.length) {
    test.skip(`${name} (backend/schema.graphql lacks ${missing.join(", ")})`, () => {});
    return;
  }
  test(
    name,
    async () => {
      try {
        await body();
      } catch (error) {
        const slug = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
        await failurePage?.screenshot({ path: join(ARTIFACTS, `failed-${slug}.png`), fullPage: true }).catch(() => {});
        throw error;
      }
    },
    timeout,
  );
}

describe.skipIf(reason !== null)("console end to end", () => {
  let backend: Child;
  let startBackend: () => Promise<Child>;
  let edge: Child | undefined;
  let grpcPort = 0;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const data = tempDir("fluxgate-ui-e2e-");

  beforeAll(async () => {
    await buildConsole();
    const httpPort = await freePort();
    grpcPort = await freePort();
    startBackend = () => spawnBackend(join(data.path, "backend"), { http: httpPort, grpc: grpcPort });
    backend = await startBackend();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: WIDTHS.desktop });
    page = await context.newPage();
    failurePage = page;
    page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    await backend?.stop();
    data.remove();
  }, 30_000);

  const go = (path: string) => page.goto(`${backend.url}${path}`);
  const nav = (name: string) =>
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
  const dialog = () => page.getByRole("dialog");

  step("first run asks for the administrator, then opens the console", ["createAdmin"], async () => {
    await go("/features");
    await page.waitForURL(/\/create-admin$/);
    await shoot(page, "create-admin");
    // validation before sending: nothing filled in
    await page.getByRole("button", { name: "Create administrator" }).click();
    await expect(page.getByText("Username needs at least 3 characters").isVisible()).resolves.toBe(true);
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("First name").fill(ADMIN.first);
    await page.getByLabel("Last name").fill(ADMIN.last);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("Confirm password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create administrator" }).click();
    await page.getByRole("heading", { name: "No team yet" }).waitFor();
    expect(await page.getByText("Administrator", { exact: true }).first().isVisible()).toBe(true);
  });

  step("logging out and in again returns to the page the user was on", ["logout"], async () => {
    await go("/admin/roles");
    await page.getByRole("heading", { name: "Roles" }).waitFor();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login/);
    await shoot(page, "login");
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("Password").fill("wrong-password-here");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    // an expired session keeps the address: the token is dropped, the next request says UNAUTHENTICATED
    await go("/admin/roles");
    await page.waitForURL(/\/login\?next=%2Fadmin%2Froles/);
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/admin\/roles$/);
    await page.getByRole("heading", { name: "Roles" }).waitFor();
    await shoot(page, "roles");
  });

  step("creates a team and selects it", ["createTeam"], async () => {
    await nav("Teams");
    await page.getByRole("button", { name: "New team" }).click();
    await dialog().getByLabel("Name").fill(TEAM);
    await dialog().getByLabel("Description").fill("The checkout squad");
    await dialog().getByRole("button", { name: "Create team" }).click();
    await page.getByRole("cell", { name: "The checkout squad" }).waitFor();
    expect(await page.getByLabel("Team").inputValue()).not.toBe("");
    await shoot(page, "teams");
  });

  step("creates the environments", ["createEnvironment"], async () => {
    await nav("Environments");
    for (const [name, approval] of [
      ["development", false],
      ["production", true],
    ] as const) {
      await page.getByRole("button", { name: "New environment" }).click();
      await dialog().getByLabel("Name").fill(name);
      if (approval) await dialog().getByLabel("Deployments need an approver").check();
      await dialog().getByRole("button", { name: "Create environment" }).click();
      await page.getByRole("rowheader", { name }).waitFor();
    }
    await shoot(page, "environments");
  });

  step("creates a pipeline through them, drawn as a flow", ["createPipeline"], async () => {
    await nav("Pipelines");
    await page.getByRole("button", { name: "New pipeline" }).click();
    // too short a name is refused before anything is sent
    await dialog().getByLabel("Name").fill("dev");
    await dialog().getByRole("button", { name: "Create pipeline" }).click();
    await dialog().getByText("Name needs at least 5 characters").waitFor();
    await dialog().getByLabel("Name").fill("Standard release");
    await dialog().getByRole("button", { name: "Create pipeline" }).click();
    await page.getByRole("heading", { name: "Standard release" }).waitFor();
    expect(await page.locator(".flow__arrow").count()).toBe(1);
    await shoot(page, "pipelines");
  });

  step("creates a context", ["createContext"], async () => {
    await nav("Contexts");
    await page.getByRole("button", { name: "New context" }).click();
    await dialog().getByLabel("Key").fill("beta-countries");
    await dialog().getByLabel("Values").fill("NL\nBE\nLU");
    await dialog().getByRole("button", { name: "Create context" }).click();
    await page.getByRole("rowheader", { name: "beta-countries" }).waitFor();
    await shoot(page, "contexts");
  });

  step("creates an edge client; the secret is shown once", ["createClient", "rotateClientSecret"], async () => {
    await nav("Clients");
    await page.getByRole("button", { name: "New client" }).click();
    await dialog().getByLabel("Name").fill("checkout-edge");
    await dialog().getByRole("button", { name: "Create client" }).click();
    const secret = page.getByTestId("client-secret");
    await secret.waitFor();
    state.clientSecret = (await secret.textContent()) ?? "";
    state.clientId = (await dialog().locator("dd code").first().textContent()) ?? "";
    expect(state.clientSecret.length).toBeGreaterThan(20);
    await shoot(page, "client-secret");
    await dialog().getByRole("button", { name: "I have stored it" }).click();
    await page.getByRole("rowheader", { name: "checkout-edge" }).waitFor();
    expect(await page.getByText(state.clientSecret).count()).toBe(0);
    await shoot(page, "clients");
  });

  step("creates a feature that follows the pipeline", ["createFeature", "feature"], async () => {
    await nav("Features");
    await page.getByRole("button", { name: "New feature" }).click();
    await dialog().getByLabel("Key").fill("x");
    await dialog().getByRole("button", { name: "Create feature" }).click();
    await dialog().getByText("Key needs at least 3 characters").waitFor();
    await shoot(page, "new-feature-dialog");
    await dialog().getByLabel("Key").fill(FEATURE);
    await dialog().getByLabel("Description").fill("The one-page checkout");
    await dialog().getByRole("button", { name: "Create feature" }).click();
    await page.getByRole("heading", { name: FEATURE, level: 1 }).waitFor();
    state.featureUrl = page.url();
    expect(await page.getByRole("button", { name: /development/ }).getAttribute("aria-pressed")).toBe("true");
  });

  step("adds a percentage rule; a bad rollout is refused next to the field", ["setStageRules"], async () => {
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByRole("textbox", { name: "Attribute", exact: true }).fill("country");
    await page.getByLabel("Values", { exact: true }).fill("NL\nBE");
    await page.getByRole("spinbutton", { name: "Rollout" }).fill("150");
    await page.getByRole("button", { name: "Save rules" }).click();
    await page.getByText("must be a number in 0..100").waitFor();
    await shoot(page, "rule-errors");
    expect(await page.getByRole("spinbutton", { name: "Rollout" }).getAttribute("aria-invalid")).toBe("true");
    await page.getByRole("spinbutton", { name: "Rollout" }).fill("50");
    await page.getByRole("button", { name: "Save rules" }).click();
    await page.getByRole("region", { name: "Unsaved rules" }).waitFor({ state: "detached" });
    await page.getByRole("heading", { name: /Rule 1/ }).waitFor();
    expect(await page.getByRole("spinbutton", { name: "Rollout" }).inputValue()).toBe("50");
  });

  step("deploys development directly (no approval required there)", ["requestStageChange"], async () => {
    await page.getByRole("button", { name: "Deploy now" }).click();
    await page.locator(".stage-panel .badge--live").waitFor();
  });

  step("an approver is created with a temporary password", ["registerUser", "setTeamMember"], async () => {
    await nav("Users");
    await page.getByRole("button", { name: "New user" }).click();
    await dialog().getByLabel("Username").fill(APPROVER.username);
    await dialog().getByLabel("First name").fill(APPROVER.first);
    await dialog().getByLabel("Last name").fill(APPROVER.last);
    await dialog().getByLabel("Email").fill(APPROVER.email);
    await dialog().getByLabel("Role in the team").selectOption({ label: "Approver" });
    state.approverTemporary = await dialog().getByLabel("Temporary password").inputValue();
    await dialog().getByRole("button", { name: "Create user" }).click();
    await dialog().getByText("User created").waitFor();
    await dialog().getByRole("button", { name: "Done" }).click();
    await page.getByRole("rowheader", { name: new RegExp(APPROVER.username) }).waitFor();
    await shoot(page, "users");
  });

  step("production waits for someone else's approval", ["requestStageChange", "pendingApprovals"], async () => {
    await page.goto(state.featureUrl);
    await page.getByRole("button", { name: /production/ }).click();
    await page.getByRole("button", { name: "Request deployment" }).click();
    await page.getByText("You requested this change; another approver must decide.").waitFor();
    expect(await page.getByRole("button", { name: "Approve deployment" }).count()).toBe(0);
  });

  step(
    "the approver changes the temporary password and approves from the queue",
    ["resetPassword", "pendingApprovals"],
    async () => {
      const other = await browser.newContext({ viewport: WIDTHS.desktop });
      const approver = await other.newPage();
      failurePage = approver;
      await approver.goto(`${backend.url}/approvals`);
      await approver.getByLabel("Username").fill(APPROVER.username);
      await approver.getByLabel("Password").fill(state.approverTemporary);
      await approver.getByRole("button", { name: "Sign in" }).click();
      await approver.getByRole("heading", { name: "Choose a new password" }).waitFor();
      await shoot(approver, "reset-password");
      await approver.getByLabel("Temporary password").fill(state.approverTemporary);
      await approver.getByLabel("New password", { exact: true }).fill(APPROVER.password);
      await approver.getByLabel("Confirm new password").fill(APPROVER.password);
      await approver.getByRole("button", { name: "Save password" }).click();
      await approver.waitForURL(/\/approvals$/);
      await approver.getByRole("link", { name: FEATURE }).waitFor();
      expect(await approver.getByText("Approver", { exact: true }).first().isVisible()).toBe(true);
      await shoot(approver, "approvals");
      await approver.getByRole("button", { name: "Approve deployment" }).click();
      await approver.getByText("Nothing is waiting for a decision.").waitFor();
      failurePage = page;
      // the requester's page follows without a reload (featureChanged subscription)
      await page.locator(".stage-panel .badge--live").waitFor({ timeout: 30_000 });
      await other.close();
    },
  );

  step("the edge answers the new value", ["createClient", "previewEvaluation"], async () => {
    const edgePort = await freePort();
    edge = await spawnService(
      "edge",
      "edge/src/main.ts",
      {
        EDGE_BACKEND_GRPC: `http://127.0.0.1:${grpcPort}`,
        EDGE_HTTP_ADDR: `127.0.0.1:${edgePort}`,
        EDGE_CLIENT_ID: state.clientId,
        EDGE_CLIENT_SECRET: state.clientSecret,
        EDGE_SNAPSHOT_PATH: join(data.path, "edge-snapshot.json"),
        EDGE_LOG_LEVEL: "warn",
      },
      `http://127.0.0.1:${edgePort}/health`,
      60_000,
    );
    const featureId = state.featureUrl.split("/").pop() ?? "";
    const envs = await gql<{ environments: { items: { id: string; name: string }[] } }>(
      page,
      backend.url,
      "query($teamId: ID!) { environments(teamId: $teamId) { items { id name } } }",
      { teamId: await page.getByLabel("Team").inputValue() },
    );
    const development = envs.environments.items.find((e) => e.name === "development")?.id ?? "";
    const answers: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      const context = { targetingKey: `user-${i}`, country: "NL" };
      const expected = await gql<{ previewEvaluation: { enabled: boolean } }>(
        page,
        backend.url,
        "query($f: ID!, $e: ID!, $c: JSON!) { previewEvaluation(featureId: $f, environmentId: $e, context: $c) { enabled } }",
        { f: featureId, e: development, c: context },
      );
      const answer = await evaluate(edge.url, "development", context);
      expect([context.targetingKey, answer.enabled]).toEqual([
        context.targetingKey,
        expected.previewEvaluation.enabled,
      ]);
      answers.push(answer.enabled);
    }
    // a 50 % rollout over 20 users: some in, some out
    expect(answers).toContain(true);
    expect(answers).toContain(false);
    expect((await evaluate(edge.url, "development", { targetingKey: "user-1", country: "US" })).enabled).toBe(false);
  });

  step('"test this flag" shows the decision trace', ["previewEvaluation"], async () => {
    await page.goto(state.featureUrl);
    await page.getByLabel("Environment", { exact: true }).selectOption({ label: "development" });
    await page.getByRole("button", { name: "Add attribute" }).click();
    await page.getByRole("textbox", { name: "Context attribute 2" }).fill("country");
    await page.getByRole("textbox", { name: "Context value 2" }).fill("NL");
    await page.getByRole("button", { name: "Evaluate" }).click();
    await page.locator(".trace__steps li").first().waitFor();
    expect(await page.locator(".trace__steps").textContent()).toContain("Rule 1: matches; rollout 50 %");
    await shoot(page, "feature-detail");
  });

  step("the kill switch turns the flag off at the edge", ["emergencyDisableFeature"], async () => {
    const onUser = await firstUserOn(edge!.url);
    await page.getByRole("button", { name: "Kill now" }).click();
    await page.getByText(/Engaged/).waitFor();
    await waitFor(
      async () => !(await evaluate(edge!.url, "development", { targetingKey: onUser, country: "NL" })).enabled,
    );
    await shoot(page, "feature-killed");
    await nav("Features");
    await page.getByRole("link", { name: FEATURE }).waitFor();
    await shoot(page, "features");
    await nav("Activity");
    await page
      .getByText(/Created feature/)
      .first()
      .waitFor();
    await shoot(page, "activity");
  });

  step("light and dark themes", [], async () => {
    await page.goto(state.featureUrl);
    await page.getByRole("heading", { name: FEATURE, level: 1 }).waitFor();
    const toggle = page.getByRole("button", { name: /Switch to (dark|light) theme/ });
    const before = await page.evaluate(() => document.documentElement.dataset.theme);
    await toggle.click();
    const after = await page.evaluate(() => document.documentElement.dataset.theme);
    expect(after).not.toBe(before);
    await shoot(page, `feature-detail-${after}`);
    await nav("Features");
    await shoot(page, `features-${after}`);
    await page.getByRole("button", { name: /Switch to (dark|light) theme/ }).click();
  });

  step(
    "a lost live connection says so, reconnects, and catches up",
    ["featureChanged"],
    async () => {
      await page.goto(state.featureUrl);
      await page.locator(".live-dot").waitFor();
      await backend.stop();
      await page.getByText("Live updates interrupted — reconnecting…").waitFor({ timeout: 60_000 });
      await shoot(page, "reconnecting");
      backend = await startBackend();
      await page.getByText("Live updates interrupted — reconnecting…").waitFor({ state: "detached", timeout: 120_000 });
      await page.locator(".live-dot").waitFor();
    },
    300_000,
  );
});

interface EdgeAnswer {
  enabled: boolean;
  variant?: string;
  reason: string;
}

async function evaluate(edgeUrl: string, environment: string, context: Record<string, string>): Promise<EdgeAnswer> {
  const response = await fetch(`${edgeUrl}/evaluate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      feature_key: FEATURE,
      environment_id: environment,
      context: Object.entries(context).map(([key, value]) => ({ key, value })),
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as EdgeAnswer;
}

async function firstUserOn(edgeUrl: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    if ((await evaluate(edgeUrl, "development", { targetingKey: `user-${i}`, country: "NL" })).enabled)
      return `user-${i}`;
  }
  throw new Error("no user of 50 is in the 50 % rollout");
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Bun.sleep(200);
  }
}
