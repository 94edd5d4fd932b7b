/**
 * Edge configuration from `EDGE_*` environment variables, validated once at start (edge/README.md).
 * A bad value stops the edge with one line naming the variable and how to fix it.
 */

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface EdgeConfig {
  /** Backend gRPC URL, `http(s)://host:port` (always with the port: https 443 and http 80 when not given). */
  backendGrpc: string;
  httpHost: string;
  /** 0 = an ephemeral port (tests). */
  httpPort: number;
  clientId: string;
  clientSecret: string;
  assignmentFlushSecs: number;
  evaluationFlushSecs: number;
  /** Where the last good snapshot is written; null = never written nor read. */
  snapshotPath: string | null;
  snapshotWriteDebounceMs: number;
  /** Environment (id or name) for clients not bound to one when the request names none. */
  defaultEnvironment: string | null;
  eventBufferSize: number;
  credentialWaitMs: number;
  logLevel: LogLevel;
  maxBodyBytes: number;
  /**
   * Seconds an idle keep-alive connection is kept. Longer than the pools of common clients (Go keeps idle
   * connections 90 s): a connection closed by the server just as a client reuses it is a failed request there.
   */
  httpIdleSecs: number;
  stickyMaxEntries: number;
  /** Streams opened for request credentials close after this long unused. */
  clientIdleSecs: number;
  /** How long an unknown or rejected secret is answered 401 without asking the backend again. */
  negativeCacheSecs: number;
  /** Most streams open at once for request credentials (the edge's own client not counted). */
  maxClientStreams: number;
  /** New (unknown) secrets looked up at the backend per second, at most; beyond it 503 + Retry-After. */
  newCredentialsPerSec: number;
  /** How often cached client info (origins, binding, enabled) is asked again while connected. */
  clientInfoRefreshSecs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws `ConfigError` naming the first bad variable. */
export function loadConfig(env: Env = process.env): EdgeConfig {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const [httpHost, httpPort] = parseAddr("EDGE_HTTP_ADDR", read("EDGE_HTTP_ADDR") ?? "0.0.0.0:8081");
  const snapshotPath = read("EDGE_SNAPSHOT_PATH") ?? "./.fluxgate/edge-snapshot.json";
  return {
    backendGrpc: parseBackendUrl(read("EDGE_BACKEND_GRPC") ?? "http://127.0.0.1:50051"),
    httpHost,
    httpPort,
    clientId: required("EDGE_CLIENT_ID", read("EDGE_CLIENT_ID"), "the id of this edge's client (console → Clients)"),
    clientSecret: required(
      "EDGE_CLIENT_SECRET",
      read("EDGE_CLIENT_SECRET"),
      "the secret shown when the client was created",
    ),
    assignmentFlushSecs: positive("EDGE_ASSIGNMENT_FLUSH_SECS", read("EDGE_ASSIGNMENT_FLUSH_SECS"), 10),
    evaluationFlushSecs: positive("EDGE_EVALUATION_FLUSH_SECS", read("EDGE_EVALUATION_FLUSH_SECS"), 30),
    snapshotPath: snapshotPath === "off" ? null : snapshotPath,
    snapshotWriteDebounceMs: integer(
      "EDGE_SNAPSHOT_WRITE_DEBOUNCE_MS",
      read("EDGE_SNAPSHOT_WRITE_DEBOUNCE_MS"),
      1000,
      0,
    ),
    defaultEnvironment: read("EDGE_ENVIRONMENT") ?? null,
    // The backend takes at most 50,000 events per batch (delivery ingest limit).
    eventBufferSize: integer("EDGE_EVENT_BUFFER_SIZE", read("EDGE_EVENT_BUFFER_SIZE"), 10_000, 1, 50_000),
    credentialWaitMs: integer("EDGE_CREDENTIAL_WAIT_MS", read("EDGE_CREDENTIAL_WAIT_MS"), 2000, 0),
    logLevel: parseLogLevel(read("EDGE_LOG_LEVEL") ?? "info"),
    maxBodyBytes: integer("EDGE_MAX_BODY_BYTES", read("EDGE_MAX_BODY_BYTES"), 65_536, 256),
    // Bun.serve takes at most 255 s.
    httpIdleSecs: integer("EDGE_HTTP_IDLE_SECS", read("EDGE_HTTP_IDLE_SECS"), 120, 1, 255),
    stickyMaxEntries: integer("EDGE_STICKY_MAX_ENTRIES", read("EDGE_STICKY_MAX_ENTRIES"), 100_000, 0),
    clientIdleSecs: positive("EDGE_CLIENT_IDLE_SECS", read("EDGE_CLIENT_IDLE_SECS"), 300),
    negativeCacheSecs: positive("EDGE_NEGATIVE_CACHE_SECS", read("EDGE_NEGATIVE_CACHE_SECS"), 30),
    maxClientStreams: integer("EDGE_MAX_CLIENT_STREAMS", read("EDGE_MAX_CLIENT_STREAMS"), 64, 0),
    newCredentialsPerSec: positive("EDGE_NEW_CREDENTIALS_PER_SEC", read("EDGE_NEW_CREDENTIALS_PER_SEC"), 20),
    clientInfoRefreshSecs: positive("EDGE_CLIENT_INFO_REFRESH_SECS", read("EDGE_CLIENT_INFO_REFRESH_SECS"), 60),
  };
}

function required(name: string, value: string | undefined, what: string): string {
  if (value === undefined) throw new ConfigError(name, `is not set; set it to ${what}`);
  return value;
}

function parseAddr(name: string, value: string): [string, number] {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : -1;
  if (!match || port > 65_535) {
    throw new ConfigError(name, `"${value}" is not host:port; use e.g. 0.0.0.0:8081 (port 0 picks a free one)`);
  }
  return [match[1].replace(/^\[(.*)\]$/, "$1"), port];
}

/**
 * `http(s)://host[:port]` or bare `host:port` (taken as http) → `scheme://host:port`. A URL without a port gets its
 * scheme's (https 443, http 80): grpc-js would otherwise pick 443 for a bare host even in plaintext.
 */
function parseBackendUrl(value: string): string {
  const fix = "use e.g. http://127.0.0.1:50051 or https://backend.example.com";
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  let url: URL;
  try {
    url = new URL(hasScheme ? value : `http://${value}`);
  } catch {
    throw new ConfigError("EDGE_BACKEND_GRPC", `"${value}" is not a URL; ${fix}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError("EDGE_BACKEND_GRPC", `"${value}" must use http:// or https://; ${fix}`);
  }
  if (url.hostname === "" || url.username !== "" || url.password !== "") {
    throw new ConfigError("EDGE_BACKEND_GRPC", `"${value}" needs a host and no user:password; ${fix}`);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw new ConfigError("EDGE_BACKEND_GRPC", `"${value}" must be only scheme, host and port (no path); ${fix}`);
  }
  // A bare `host` (no scheme, no port) is ambiguous (the backend listens on 50051): ask for the port.
  const explicitPort = /:\d+\/?$/.test(value);
  if (!hasScheme && !explicitPort) {
    throw new ConfigError("EDGE_BACKEND_GRPC", `"${value}" needs a port or a scheme; ${fix}`);
  }
  // URL leaves the scheme's default port out of `port` ("https://h:443" → ""), so it is put back here.
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
  if (Number(port) === 0) throw new ConfigError("EDGE_BACKEND_GRPC", `"${value}" has port 0; ${fix}`);
  return `${url.protocol}//${url.hostname}:${port}`;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(name, `"${value}" is not a positive number`);
  return n;
}

function integer(name: string, value: string | undefined, fallback: number, min: number, max = Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `≥ ${min}` : `in ${min}..${max}`;
    throw new ConfigError(name, `"${value}" is not an integer ${range}`);
  }
  return n;
}

function parseLogLevel(value: string): LogLevel {
  const level = value.toLowerCase();
  if (level === "debug" || level === "info" || level === "warn" || level === "error" || level === "silent")
    return level;
  throw new ConfigError("EDGE_LOG_LEVEL", `"${value}" is not one of debug, info, warn, error, silent`);
}
