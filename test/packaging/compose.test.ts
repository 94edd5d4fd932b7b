/**
 * docker-compose.yml without a Docker engine: it parses, builds only targets the Dockerfile has, publishes the
 * ports the images listen on (README: backend 8080 + 50051, edge 8081, ui 3000), wires the backend to the postgres
 * service and the edge to the backend's gRPC port with client credentials from the environment.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { lastInstruction, ROOT, readDockerfile, readYamlDocs, stageEnv } from "./support.ts";

interface Service {
  image?: string;
  build?: { context: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
}

const [compose] = readYamlDocs(join(ROOT, "docker-compose.yml")) as unknown as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}[];
const services = compose.services;
const stages = readDockerfile();

/** `${VAR:-default}` as compose resolves it with VAR unset. */
const resolved = (value: string) => value.replace(/\$\{\w+:-([^}]*)\}/g, "$1");
const published = (service: Service) => (service.ports ?? []).map((p) => p.split(":").map(Number));

describe("docker-compose.yml", () => {
  test("has postgres, backend, edge and ui", () => {
    expect(Object.keys(services).sort()).toEqual(["backend", "edge", "postgres", "ui"]);
  });

  test("postgres 15 keeps its data in a named volume and has a health check", () => {
    const pg = services.postgres;
    expect(pg.image).toMatch(/^postgres:15(\.|-|$)/);
    const [volume, path] = pg.volumes![0].split(":");
    expect(compose.volumes).toHaveProperty(volume);
    expect(path).toBe("/var/lib/postgresql/data");
    expect(pg.healthcheck!.test.join(" ")).toContain("pg_isready");
  });

  test("services build Dockerfile targets that exist", () => {
    const names = stages.map((s) => s.name);
    for (const name of ["backend", "edge", "ui"]) {
      const build = services[name].build!;
      expect(build.context).toBe(".");
      expect(build.target).toBe(name);
      expect(names).toContain(build.target);
    }
  });

  test("published ports are the ports the images expose and listen on", () => {
    const expected = { backend: [8080, 50051], edge: [8081], ui: [3000] } as const;
    for (const [name, ports] of Object.entries(expected)) {
      const exposed = lastInstruction(stages, name, "EXPOSE")!.args.split(/\s+/).map(Number);
      expect(exposed).toEqual([...ports]);
      expect(published(services[name])).toEqual(ports.map((p) => [p, p]));
    }
    const env = (name: string) => ({ ...stageEnv(stages, name), ...services[name].environment });
    expect(env("backend").FLUXGATE_HTTP_ADDR).toBe("0.0.0.0:8080");
    expect(env("backend").FLUXGATE_GRPC_ADDR).toBe("0.0.0.0:50051");
    expect(env("edge").EDGE_HTTP_ADDR).toBe("0.0.0.0:8081");
    expect(env("ui").UI_ADDR).toBe("0.0.0.0:3000");
  });

  test("the backend uses the postgres service, whose credentials match", () => {
    const backend = services.backend;
    const pg = services.postgres.environment!;
    const url = new URL(resolved(backend.environment!.DATABASE_URL));
    expect(url.protocol).toBe("postgres:");
    expect(url.hostname).toBe("postgres");
    expect(url.port).toBe("5432");
    expect(url.username).toBe(pg.POSTGRES_USER);
    expect(url.password).toBe(resolved(pg.POSTGRES_PASSWORD));
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
    expect(backend.depends_on?.postgres.condition).toBe("service_healthy");
  });

  test("the edge streams from the backend's gRPC port with credentials from the environment", () => {
    const edge = services.edge;
    const env = edge.environment!;
    const grpc = new URL(env.EDGE_BACKEND_GRPC);
    expect(grpc.hostname).toBe("backend");
    expect(grpc.port).toBe(services.backend.environment!.FLUXGATE_GRPC_ADDR.split(":")[1]);
    expect(env.EDGE_CLIENT_ID).toBe(`\${EDGE_CLIENT_ID:-}`);
    expect(env.EDGE_CLIENT_SECRET).toBe(`\${EDGE_CLIENT_SECRET:-}`);
    expect(edge.depends_on?.backend.condition).toBe("service_healthy");
    // without them, the demo client the backend seeds (file on a shared volume) is used
    const demoFile = services.backend.environment!.FLUXGATE_DEMO_CLIENT_FILE;
    expect(env.FLUXGATE_DEMO_CLIENT_FILE).toBe(demoFile);
    const demoVolume = (s: Service) => s.volumes!.find((v) => v.startsWith("demo:"))!.split(":")[1];
    expect(demoFile.startsWith(`${demoVolume(services.backend)}/`)).toBe(true);
    expect(demoVolume(edge)).toBe(demoVolume(services.backend));
  });

  test("the edge's command wrapper and entry exist and are in the image", () => {
    const command = services.edge.command!;
    expect(command.slice(0, 2)).toEqual(["sh", "deploy/docker/with-demo-client.sh"]);
    expect(existsSync(join(ROOT, command[1]))).toBe(true);
    expect(command.slice(2)).toEqual(["bun", "edge/src/main.ts"]);
    expect(readFileSync(join(ROOT, "Dockerfile"), "utf8")).toContain("COPY deploy/docker deploy/docker");
  });

  test("the ui tells the browser where the backend is", () => {
    const env = services.ui.environment!;
    expect(env.BACKEND_HOST).toBe("localhost");
    expect(env.BACKEND_PORT).toBe(published(services.backend)[0][0].toString());
    expect(env.BACKEND_PROTOCOL).toBe("http");
    expect(env.WS_PROTOCOL).toBe("ws");
    // and the backend lets that origin in
    expect(services.backend.environment!.FLUXGATE_ALLOWED_ORIGIN.split(",")).toContain("http://localhost:3000");
  });

  test("stops give the processes their 10 s to drain", () => {
    for (const name of ["backend", "edge", "ui"]) {
      expect(Number.parseInt(services[name].stop_grace_period ?? "10", 10)).toBeGreaterThanOrEqual(15);
    }
  });
});
