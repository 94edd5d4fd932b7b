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
    backend = await spawnService(
      "backend",
      "backend/src/main.ts",
      {
        FLUXGATE_HTTP_ADDR: `127.0.0.1:${httpPort}`,
        FLUXGATE_GRPC_ADDR: `127.0.0.1:${grpcPort}`,
        FLUXGATE_DATA_DIR: join(data.path, "backend"),
        FLUXGATE_LOG_LEVEL: "warn",
      },
      `http://127.0.0.1:${httpPort}/health`,
      180_000,
    );
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
});
