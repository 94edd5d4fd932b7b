import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, parseConfig } from "../src/config";

const fails = (text: string, env: Record<string, string> = {}) => {
  try {
    parseConfig(text, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("backend config", () => {
  test("defaults apply when there is no file and no environment", () => {
    const config = parseConfig("", { env: {} });
    expect(config.allowedOrigins).toEqual(["http://localhost:5173"]);
    expect(config.httpAddr).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(config.grpcAddr).toEqual({ host: "0.0.0.0", port: 50051 });
    expect(config.jwtTtlMinutes).toBe(1440);
    expect(config.logLevel).toBe("info");
    expect(config.production).toBe(false);
    expect(config.databaseUrl).toBeUndefined();
  });

  test("file values are read and the environment overrides them", () => {
    const text = `
      allowed_origin = ["https://console.example.com", "http://localhost:5173"]
      http_addr = "0.0.0.0:9000"
      jwt_ttl_minutes = 60
      log_level = "warn"
      data_dir = "/var/lib/fluxgate"
    `;
    const config = parseConfig(text, {
      env: { FLUXGATE_HTTP_ADDR: "[::1]:7000", DATABASE_URL: "postgres://db/fluxgate", FLUXGATE_JWT_TTL_MINUTES: "5" },
    });
    expect(config.allowedOrigins).toEqual(["https://console.example.com", "http://localhost:5173"]);
    expect(config.httpAddr).toEqual({ host: "::1", port: 7000 });
    expect(config.jwtTtlMinutes).toBe(5);
    expect(config.logLevel).toBe("warn");
    expect(config.dataDir).toBe("/var/lib/fluxgate");
    expect(config.databaseUrl).toBe("postgres://db/fluxgate");
  });

  test("a single allowed origin may be a string, and the env form is comma-separated", () => {
    expect(parseConfig(`allowed_origin = "https://a.example.com"`).allowedOrigins).toEqual(["https://a.example.com"]);
    const config = parseConfig("", {
      env: { FLUXGATE_ALLOWED_ORIGIN: "https://a.example.com, https://b.example.com" },
    });
    expect(config.allowedOrigins).toEqual(["https://a.example.com", "https://b.example.com"]);
  });

  test("NODE_ENV=production turns production mode on", () => {
    expect(parseConfig("", { env: { NODE_ENV: "production" } }).production).toBe(true);
  });

  test("malformed TOML is reported with its line number and no stack", () => {
    expect(fails(`http_addr = "127.0.0.1:8080"\njwt_ttl_minutes = \n`)).toMatch(/^config\.toml line 2: /);
  });

  test.each([
    [`http_addr = "localhost"`, "http_addr must be host:port"],
    [`http_addr = "127.0.0.1:99999"`, "http_addr must be host:port"],
    [`jwt_ttl_minutes = 0`, "jwt_ttl_minutes must be a whole number from 1"],
    [`jwt_ttl_minutes = "ten"`, "jwt_ttl_minutes must be a whole number"],
    [`log_level = "loud"`, "log_level must be one of debug, info, warn, error"],
    [`allowed_origin = "localhost:5173"`, "is not an origin"],
    [`allowed_origin = "http://localhost:5173/app"`, "is not an origin"],
    [`allowed_origin = []`, "allowed_origin must be an origin"],
    [`trust_proxy = "yes"`, "trust_proxy must be true or false"],
    [`colour = "blue"`, "unknown key 'colour'"],
  ])("%s is refused naming the key", (text, message) => {
    expect(fails(text)).toContain(message);
  });

  test("a bad environment override names the variable", () => {
    expect(fails("", { FLUXGATE_GRPC_ADDR: "nope" })).toContain("FLUXGATE_GRPC_ADDR (grpc_addr) must be host:port");
  });

  test("loadConfig reads FLUXGATE_CONFIG, else ./config.toml when present", () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxgate-config-"));
    writeFileSync(join(dir, "config.toml"), `http_addr = "127.0.0.1:1234"\n`);
    writeFileSync(join(dir, "other.toml"), `http_addr = "127.0.0.1:4321"\n`);
    expect(loadConfig({ env: {}, cwd: dir }).httpAddr.port).toBe(1234);
    expect(loadConfig({ env: { FLUXGATE_CONFIG: join(dir, "other.toml") }, cwd: dir }).httpAddr.port).toBe(4321);
    expect(loadConfig({ env: {}, cwd: `${tmpdir()}/nonexistent-dir` }).httpAddr.port).toBe(8080);
  });

  test("a FLUXGATE_CONFIG that does not exist is an error naming the path", () => {
    expect(() => loadConfig({ env: { FLUXGATE_CONFIG: "/nope/config.toml" } })).toThrow(
      "FLUXGATE_CONFIG points to /nope/config.toml, which does not exist",
    );
  });
});
