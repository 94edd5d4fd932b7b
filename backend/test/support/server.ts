/** A backend in this process on a free loopback port, over a fresh migrated test database. */
import { createTestDatabase, type TestDatabase } from "@fluxgate/drizzle/testing";
import { type BackendConfig, parseConfig } from "../../src/config";
import { createLogger } from "../../src/log";
import { type RunningBackend, type StartOptions, startBackend } from "../../src/main";
import { type Gql, gqlClient } from "./gql";

export interface TestBackend {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>/graphql` */
  wsUrl: string;
  backend: RunningBackend;
  database: TestDatabase;
  gql: Gql;
  stop(): Promise<void>;
}

/** Defaults with quiet logs; `overrides` replace fields. */
export function testConfig(overrides: Partial<BackendConfig> = {}): BackendConfig {
  return { ...parseConfig("", { env: {} }), logLevel: "error", ...overrides };
}

export interface TestBackendOptions extends Omit<StartOptions, "config" | "handle"> {
  config?: Partial<BackendConfig>;
}

export async function startTestBackend(options: TestBackendOptions = {}): Promise<TestBackend> {
  const database = await createTestDatabase();
  const { config, ...rest } = options;
  try {
    const backend = await startBackend({
      log: createLogger(process.env.FLUXGATE_TEST_LOG === "1" ? "debug" : "silent"),
      delivery: false,
      hostname: "127.0.0.1",
      port: 0,
      ...rest,
      config: testConfig(config),
      handle: database.handle,
    });
    return {
      url: backend.url,
      wsUrl: `${backend.url.replace(/^http/, "ws")}/graphql`,
      backend,
      database,
      gql: gqlClient(`${backend.url}/graphql`),
      stop: async () => {
        await backend.stop();
        await database.cleanup();
      },
    };
  } catch (err) {
    await database.cleanup();
    throw err;
  }
}

/** Timeout for hooks that start a backend (the database template and Argon2 are slow on a busy machine). */
export const SETUP_TIMEOUT_MS = 60_000;
