/**
 * deploy/k8s without a cluster: every manifest parses and has apiVersion/kind/metadata; kustomization lists them
 * all; backend and edge run two replicas; selectors match pod labels; probes hit /health (readiness) and
 * /health/live (liveness) on a declared container port; containers run non-root with read-only root file systems,
 * resources and a grace period of at least 15 s; Services and the Ingress point at ports that exist.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { lastInstruction, ROOT, readDockerfile, readYamlDocs } from "./support.ts";

// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field below
type Manifest = Record<string, any>;

const DIR = join(ROOT, "deploy/k8s");
const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml"));
const manifests: (Manifest & { file: string })[] = files
  .filter((f) => f !== "kustomization.yaml")
  .flatMap((file) => readYamlDocs(join(DIR, file)).map((doc) => ({ ...doc, file })));
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string) => ofKind(kind).find((m) => m.metadata.name === name)!;
const stages = readDockerfile();

const COMPONENTS = { backend: 2, edge: 2, ui: 1 } as const;

describe("deploy/k8s", () => {
  test("every document has apiVersion, kind and metadata.name, in the fluxgate namespace", () => {
    expect(manifests.length).toBeGreaterThan(8);
    for (const m of manifests) {
      expect({ file: m.file, apiVersion: typeof m.apiVersion, kind: typeof m.kind }).toEqual({
        file: m.file,
        apiVersion: "string",
        kind: "string",
      });
      expect(m.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (m.kind !== "Namespace") expect(m.metadata.namespace).toBe("fluxgate");
    }
    expect(new Set(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).size).toBe(manifests.length);
  });

  test("kustomization.yaml lists every manifest file", () => {
    const [kustomization] = readYamlDocs(join(DIR, "kustomization.yaml"));
    expect((kustomization.resources as string[]).sort()).toEqual(
      files.filter((f) => f !== "kustomization.yaml").sort(),
    );
  });

  test("has the namespace, secret, deployments, services and ingress", () => {
    expect(named("Namespace", "fluxgate")).toBeDefined();
    expect(named("Secret", "fluxgate-secrets")).toBeDefined();
    for (const c of Object.keys(COMPONENTS)) {
      expect(named("Deployment", `fluxgate-${c}`)).toBeDefined();
      expect(named("Service", `fluxgate-${c}`)).toBeDefined();
    }
    expect(ofKind("Ingress")).toHaveLength(1);
  });

  test("the secret holds clearly marked placeholders only", () => {
    const secret = named("Secret", "fluxgate-secrets");
    const values = Object.values(secret.stringData as Record<string, string>);
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).toContain("CHANGE-ME");
    expect(secret.data).toBeUndefined();
  });

  for (const [component, replicas] of Object.entries(COMPONENTS)) {
    describe(component, () => {
      const deployment = named("Deployment", `fluxgate-${component}`);
      const pod = deployment.spec.template;
      const [container] = pod.spec.containers;
      const portNames = new Map<string, number>(
        container.ports.map((p: Manifest) => [p.name, p.containerPort] as [string, number]),
      );
      const portOf = (port: string | number) => (typeof port === "number" ? port : portNames.get(port));

      test(`runs ${replicas} replica(s) of the ${component} image`, () => {
        expect(deployment.spec.replicas).toBe(replicas);
        expect(pod.spec.containers).toHaveLength(1);
        expect(container.image).toMatch(new RegExp(`/fluxgate-${component}:[\\w.-]+$`));
      });

      test("selects its own pods", () => {
        const selector = deployment.spec.selector.matchLabels;
        expect(Object.keys(selector).length).toBeGreaterThan(0);
        for (const [key, value] of Object.entries(selector)) expect(pod.metadata.labels[key]).toBe(value);
        expect(selector["app.kubernetes.io/component"]).toBe(component);
      });

      test("listens on the port its image exposes", () => {
        const exposed = lastInstruction(stages, component, "EXPOSE")!.args.split(/\s+/).map(Number);
        expect([...portNames.values()].sort()).toEqual(exposed.sort());
      });

      test("is ready on /health and alive on /health/live, on a declared port", () => {
        expect(container.readinessProbe.httpGet.path).toBe("/health");
        expect(container.livenessProbe.httpGet.path).toBe("/health/live");
        for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
          if (probe) expect(portOf(probe.httpGet.port)).toBe(portNames.get("http")!);
        }
      });

      test("has resource requests and limits", () => {
        for (const kind of ["requests", "limits"]) {
          expect(container.resources[kind].cpu).toBeDefined();
          expect(container.resources[kind].memory).toBeDefined();
        }
      });

      test("runs non-root, read-only, without privileges, and gets at least 15 s to stop", () => {
        expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
        expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
        expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
        expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
        expect(container.securityContext.capabilities.drop).toEqual(["ALL"]);
        expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(15);
        // writable places are volumes that exist
        const volumes = new Set((pod.spec.volumes ?? []).map((v: Manifest) => v.name));
        for (const mount of container.volumeMounts ?? []) expect(volumes.has(mount.name)).toBe(true);
      });

      test("its Service selects its pods and targets a container port", () => {
        const service = named("Service", `fluxgate-${component}`);
        for (const [key, value] of Object.entries(service.spec.selector)) expect(pod.metadata.labels[key]).toBe(value);
        for (const port of service.spec.ports) expect(portOf(port.targetPort)).toBeDefined();
      });
    });
  }

  test("backend and edge read their settings and secrets from objects that exist", () => {
    const secret = named("Secret", "fluxgate-secrets");
    const configMaps = new Map(ofKind("ConfigMap").map((c) => [c.metadata.name, c]));
    for (const component of ["backend", "edge"]) {
      const [container] = named("Deployment", `fluxgate-${component}`).spec.template.spec.containers;
      for (const { valueFrom } of container.env ?? []) {
        if (valueFrom?.secretKeyRef) {
          expect(valueFrom.secretKeyRef.name).toBe(secret.metadata.name);
          expect(secret.stringData).toHaveProperty(valueFrom.secretKeyRef.key);
        }
        if (valueFrom?.configMapKeyRef) {
          expect(configMaps.get(valueFrom.configMapKeyRef.name)?.data).toHaveProperty(valueFrom.configMapKeyRef.key);
        }
      }
      for (const from of container.envFrom ?? []) expect(configMaps.has(from.configMapRef.name)).toBe(true);
    }
    const edgeEnv = named("Deployment", "fluxgate-edge").spec.template.spec.containers[0].env as Manifest[];
    for (const key of ["EDGE_CLIENT_ID", "EDGE_CLIENT_SECRET"]) {
      expect(edgeEnv.find((e) => e.name === key)?.valueFrom?.secretKeyRef).toBeDefined();
    }
    const backendEnv = named("Deployment", "fluxgate-backend").spec.template.spec.containers[0].env as Manifest[];
    expect(backendEnv.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toBeDefined();
  });

  test("the edge streams from the backend Service's gRPC port", () => {
    const grpc = new URL(named("ConfigMap", "fluxgate-config").data.EDGE_BACKEND_GRPC);
    const service = named("Service", grpc.hostname);
    expect(service.spec.ports.find((p: Manifest) => p.port === Number(grpc.port))?.targetPort).toBe("grpc");
  });

  test("the ingress routes to Service ports that exist, over TLS", () => {
    const [ingress] = ofKind("Ingress");
    expect(ingress.spec.tls.length).toBeGreaterThan(0);
    for (const rule of ingress.spec.rules) {
      expect(ingress.spec.tls.flatMap((t: Manifest) => t.hosts)).toContain(rule.host);
      for (const path of rule.http.paths) {
        const { name, port } = path.backend.service;
        const service = named("Service", name);
        expect(service).toBeDefined();
        expect(service.spec.ports.some((p: Manifest) => p.name === port.name || p.port === port.number)).toBe(true);
      }
    }
    const targets = ingress.spec.rules.flatMap((r: Manifest) =>
      r.http.paths.map((p: Manifest) => p.backend.service.name),
    );
    expect(new Set(targets)).toEqual(new Set(["fluxgate-backend", "fluxgate-ui", "fluxgate-edge"]));
  });

  test("PodDisruptionBudgets keep one backend and one edge up", () => {
    for (const component of ["backend", "edge"]) {
      const pdb = named("PodDisruptionBudget", `fluxgate-${component}`);
      expect(pdb.spec.minAvailable).toBe(1);
      expect(pdb.spec.selector.matchLabels["app.kubernetes.io/component"]).toBe(component);
    }
  });
});
