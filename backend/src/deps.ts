/** What services get: the database, configuration and the process-wide helpers. Built once per backend. */
import type { DatabaseHandle, Db } from "@fluxgate/drizzle";
import { KeyRing } from "./auth/key-ring";
import { LoginLimiter, type LoginLimits } from "./auth/rate-limit";
import type { TokenSettings } from "./auth/tokens";
import type { BackendConfig } from "./config";
import { createLogger, type Logger } from "./log";
import { createPubSub, type PubSub } from "./pubsub";

export interface AppDeps {
  db: Db;
  handle: DatabaseHandle;
  config: BackendConfig;
  log: Logger;
  /** LISTEN/NOTIFY fan-out for subscriptions. */
  pubsub: PubSub;
  keys: KeyRing;
  tokens: TokenSettings;
  loginLimiter: LoginLimiter;
}

export interface DepsOptions {
  handle: DatabaseHandle;
  config: BackendConfig;
  log?: Logger;
  loginLimits?: LoginLimits;
  /** Token lifetime in seconds; default `config.jwtTtlMinutes * 60` (tests use a few seconds). */
  tokenTtlSeconds?: number;
}

export function createDeps(options: DepsOptions): AppDeps {
  const { handle, config } = options;
  return {
    db: handle.db,
    handle,
    config,
    log: options.log ?? createLogger(config.logLevel),
    pubsub: createPubSub(handle),
    keys: new KeyRing(handle.db),
    tokens: {
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ttlSeconds: options.tokenTtlSeconds ?? config.jwtTtlMinutes * 60,
    },
    loginLimiter: new LoginLimiter(options.loginLimits),
  };
}
