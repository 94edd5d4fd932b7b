/**
 * Backend configuration: `config.toml` (path in `FLUXGATE_CONFIG`, else `./config.toml` when present), each key
 * overridable by an environment variable. Every problem is one `ConfigError` line naming the key and the fix.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse, TomlError } from "smol-toml";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface BackendConfig {
  /** Browser origins allowed by CORS (exact match). */
  allowedOrigins: string[];
  httpAddr: HostPort;
  grpcAddr: HostPort;
  jwtTtlMinutes: number;
  jwtIssuer: string;
  jwtAudience: string;
  logLevel: LogLevel;
  /** PGlite data folder (ignored when `databaseUrl` is set). */
  dataDir?: string;
  /** From `DATABASE_URL` (or `database_url`); set → PostgreSQL. */
  databaseUrl?: string;
  /** Take the client IP from the last `X-Forwarded-For` hop (only behind a proxy you run). */
  trustProxy: boolean;
  /** Largest accepted request body; larger → 413. */
  maxBodyBytes: number;
  /** Production hides introspection from anonymous callers. From `NODE_ENV=production` or `production = true`. */
  production: boolean;
  /** Days raw evaluation events are kept. */
  analyticsRawRetentionDays: number;
  /** Days per-minute rollups and the analytics cube (dashboards) are kept. */
  analyticsRollupRetentionDays: number;
}

export interface HostPort {
  host: string;
  port: number;
}

/** A configuration problem, printed as one line (no stack) by `main.ts`. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

interface KeySpec {
  env: string;
  parse(value: unknown, origin: string): unknown;
}

const DEFAULTS = {
  allowed_origin: ["http://localhost:5173"],
  http_addr: "127.0.0.1:8080",
  grpc_addr: "0.0.0.0:50051",
  jwt_ttl_minutes: 1440,
  jwt_issuer: "fluxgate",
  jwt_audience: "fluxgate",
  log_level: "info",
  trust_proxy: false,
  max_body_bytes: 1_048_576,
  production: false,
  analytics_raw_retention_days: 7,
  analytics_rollup_retention_days: 90,
} as const;

const KEYS: Record<string, KeySpec> = {
  allowed_origin: { env: "FLUXGATE_ALLOWED_ORIGIN", parse: parseOrigins },
  http_addr: { env: "FLUXGATE_HTTP_ADDR", parse: parseHostPort },
  grpc_addr: { env: "FLUXGATE_GRPC_ADDR", parse: parseHostPort },
  jwt_ttl_minutes: { env: "FLUXGATE_JWT_TTL_MINUTES", parse: positiveInteger(1, 60 * 24 * 365) },
  jwt_issuer: { env: "FLUXGATE_JWT_ISSUER", parse: nonEmptyString },
  jwt_audience: { env: "FLUXGATE_JWT_AUDIENCE", parse: nonEmptyString },
  log_level: { env: "FLUXGATE_LOG_LEVEL", parse: parseLogLevel },
  data_dir: { env: "FLUXGATE_DATA_DIR", parse: nonEmptyString },
  database_url: { env: "DATABASE_URL", parse: nonEmptyString },
  trust_proxy: { env: "FLUXGATE_TRUST_PROXY", parse: parseBoolean },
  max_body_bytes: { env: "FLUXGATE_MAX_BODY_BYTES", parse: positiveInteger(1024, 100 * 1024 * 1024) },
  production: { env: "FLUXGATE_PRODUCTION", parse: parseBoolean },
  analytics_raw_retention_days: { env: "FLUXGATE_ANALYTICS_RAW_RETENTION_DAYS", parse: positiveInteger(1, 3650) },
  analytics_rollup_retention_days: {
    env: "FLUXGATE_ANALYTICS_ROLLUP_RETENTION_DAYS",
    parse: positiveInteger(1, 3650),
  },
};

export interface LoadConfigOptions {
  env?: Env;
  /** Directory `./config.toml` is looked up in (default: the working directory). */
  cwd?: string;
}

/** Reads `config.toml` (if any) and the environment. Throws `ConfigError`. */
export function loadConfig(options: LoadConfigOptions = {}): BackendConfig {
  const env = options.env ?? process.env;
  const explicit = env.FLUXGATE_CONFIG;
  const path = explicit ? resolve(explicit) : resolve(options.cwd ?? process.cwd(), "config.toml");
  if (explicit && !existsSync(path)) {
    throw new ConfigError(`FLUXGATE_CONFIG points to ${path}, which does not exist; fix the path or unset it`);
  }
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  return parseConfig(text, { env, source: explicit ? path : "config.toml" });
}

/** Parses TOML text plus environment overrides into a validated config. Throws `ConfigError`. */
export function parseConfig(text: string, options: { env?: Env; source?: string } = {}): BackendConfig {
  const env = options.env ?? {};
  const source = options.source ?? "config.toml";
  const file = parseToml(text, source);
  const values: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(file)) {
    const spec = KEYS[key];
    if (!spec) {
      throw new ConfigError(`${source}: unknown key '${key}'; known keys: ${Object.keys(KEYS).join(", ")}`);
    }
    values[key] = spec.parse(value, `${source}: ${key}`);
  }
  for (const [key, spec] of Object.entries(KEYS)) {
    const raw = env[spec.env];
    if (raw !== undefined && raw !== "") values[key] = spec.parse(raw, `${spec.env} (${key})`);
  }
  if (env.NODE_ENV === "production" && file.production === undefined && !env.FLUXGATE_PRODUCTION) {
    values.production = true;
  }
  return {
    allowedOrigins: values.allowed_origin as string[],
    httpAddr: asHostPort(values.http_addr),
    grpcAddr: asHostPort(values.grpc_addr),
    jwtTtlMinutes: values.jwt_ttl_minutes as number,
    jwtIssuer: values.jwt_issuer as string,
    jwtAudience: values.jwt_audience as string,
    logLevel: values.log_level as LogLevel,
    dataDir: values.data_dir as string | undefined,
    databaseUrl: values.database_url as string | undefined,
    trustProxy: values.trust_proxy as boolean,
    maxBodyBytes: values.max_body_bytes as number,
    production: values.production as boolean,
    analyticsRawRetentionDays: values.analytics_raw_retention_days as number,
    analyticsRollupRetentionDays: values.analytics_rollup_retention_days as number,
  };
}

/** `host:port` as printed in URLs (`[::1]:8080` for IPv6). */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function parseToml(text: string, source: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
      throw new ConfigError(`${source} line ${err.line}: ${reason}`);
    }
    throw err;
  }
}

function asHostPort(value: unknown): HostPort {
  return typeof value === "string" ? (parseHostPort(value, "default") as HostPort) : (value as HostPort);
}

function nonEmptyString(value: unknown, origin: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new ConfigError(`${origin} must be a non-empty string`);
  return value.trim();
}

function parseOrigins(value: unknown, origin: string): string[] {
  const list = typeof value === "string" ? value.split(",").map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(`${origin} must be an origin like "http://localhost:5173" or a list of them`);
  }
  return list.map((item) => {
    if (typeof item !== "string") throw new ConfigError(`${origin} must contain only strings`);
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new ConfigError(`${origin}: '${item}' is not an origin; write it like "http://localhost:5173"`);
    }
    if (url.origin !== item.replace(/\/$/, "") || !/^https?:$/.test(url.protocol)) {
      throw new ConfigError(`${origin}: '${item}' is not an origin; write scheme://host[:port] with no path`);
    }
    return url.origin;
  });
}

function parseHostPort(value: unknown, origin: string): HostPort {
  const text = typeof value === "string" ? value.trim() : "";
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new ConfigError(`${origin} must be host:port, e.g. "127.0.0.1:8080" (got ${JSON.stringify(value)})`);
  }
  return { host: match[1] ?? match[2], port };
}

function positiveInteger(min: number, max: number) {
  return (value: unknown, origin: string): number => {
    const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`${origin} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
    }
    return n;
  };
}

function parseLogLevel(value: unknown, origin: string): LogLevel {
  if (value === "debug" || value === "info" || value === "warn" || value === "error") return value;
  throw new ConfigError(`${origin} must be one of debug, info, warn, error (got ${JSON.stringify(value)})`);
}

function parseBoolean(value: unknown, origin: string): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new ConfigError(`${origin} must be true or false (got ${JSON.stringify(value)})`);
}
