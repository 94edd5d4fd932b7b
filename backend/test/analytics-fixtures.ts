/**
 * Shared setup of the analytics tests: one backend, the organisation of fixtures.ts with an environment and a
 * client per team, and events stored through delivery's real ingest (`ingestEvaluations`), never written by hand.
 */
import { executeRows } from "@fluxgate/drizzle";
import type { EvaluationCounter, FeatureEvaluationEvent } from "@fluxgate/proto";
import type { SQL } from "drizzle-orm";
import { compactOnce, sealOnce } from "../src/analytics/compaction";
import type { ClientRecord } from "../src/delivery/auth";
import { ingestEvaluations } from "../src/delivery/events-service";
import { createOrganisation, type Organisation, unique } from "./support/fixtures";
import { dataOf, type Gql } from "./support/gql";
import { startTestBackend, type TestBackend, type TestBackendOptions } from "./support/server";

export interface AnalyticsWorld extends Organisation {
  server: TestBackend;
  gql: Gql;
  /** Team A: two environments and two clients. */
  envA1: string;
  envA2: string;
  clientA1: ClientRecord;
  clientA2: ClientRecord;
  envB: string;
  clientB: ClientRecord;
}

export async function startAnalyticsWorld(options: TestBackendOptions = {}): Promise<AnalyticsWorld> {
  // compaction is run by hand (compactAll): the background job would hold its lock and make that stop short
  const server = await startTestBackend({ analyticsJobs: false, ...options });
  const org = await createOrganisation(server.gql);
  const env = async (teamId: string, token: string) =>
    dataOf(
      await server.gql(
        `mutation($teamId: ID!, $input: CreateEnvironmentInput!) { createEnvironment(teamId: $teamId, input: $input) { id } }`,
        { teamId, input: { name: unique("env"), active: true } },
        token,
      ),
    ).createEnvironment.id as string;
  const client = async (teamId: string, token: string) => {
    const created = dataOf(
      await server.gql(
        `mutation($teamId: ID!, $input: CreateClientInput!) { createClient(teamId: $teamId, input: $input) { client { id } } }`,
        { teamId, input: { name: unique("client"), clientType: "BACKEND" } },
        token,
      ),
    ).createClient.client.id as string;
    // ingest reads only the id and the team of the authenticated client
    return { id: created, teamId } as ClientRecord;
  };
  const a = org.teamA.id;
  const b = org.teamB.id;
  const [envA1, envA2, envB] = await Promise.all([
    env(a, org.teamAdmin.token),
    env(a, org.teamAdmin.token),
    env(b, org.outsider.token),
  ]);
  const [clientA1, clientA2, clientB] = await Promise.all([
    client(a, org.teamAdmin.token),
    client(a, org.teamAdmin.token),
    client(b, org.outsider.token),
  ]);
  return { ...org, server, gql: server.gql, envA1, envA2, clientA1, clientA2, envB, clientB };
}

/** One evaluation as an edge reports it. */
export interface Ev {
  key: string;
  env: string;
  /** Epoch ms. */
  at: number;
  result: boolean;
  prior: boolean;
  user: string | null;
}

const toEvent = (e: Ev): FeatureEvaluationEvent => ({
  feature_key: e.key,
  environment_id: e.env,
  client_id: "",
  client_secret: "",
  evaluation_result: e.result,
  evaluation_context: e.user ? [{ key: "userId", value: e.user }] : [],
  user_context: e.user ?? "",
  evaluated_at_unix_ms: e.at,
  prior_assignment: e.prior,
  variant: e.result ? "on" : "off",
});

/** Stores `events` through delivery's ingest, `batchSize` per batch (plus `counters` in the last batch). */
export async function ingest(
  world: AnalyticsWorld,
  client: ClientRecord,
  events: Ev[],
  options: { batchSize?: number; counters?: EvaluationCounter[] } = {},
): Promise<void> {
  const size = options.batchSize ?? 500;
  for (let i = 0; i < Math.max(events.length, 1); i += size) {
    const last = i + size >= events.length;
    await ingestEvaluations(world.server.backend.deps.db, client, {
      batchId: crypto.randomUUID(),
      events: events.slice(i, i + size).map(toEvent),
      counters: last ? (options.counters ?? []) : [],
    });
  }
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` events spread over `[from, to)`, flags, environments and a pool of users (some anonymous). */
export function randomEvents(
  seed: number,
  n: number,
  spec: { keys: string[]; envs: string[]; from: number; to: number; users: number },
): Ev[] {
  const next = random(seed);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  return Array.from({ length: n }, () => ({
    key: pick(spec.keys),
    env: pick(spec.envs),
    at: Math.floor(spec.from + next() * (spec.to - spec.from)),
    result: next() < 0.6,
    prior: next() < 0.3,
    user: next() < 0.1 ? null : `user-${Math.floor(next() * spec.users)}`,
  }));
}

/** Rows of a plain SQL query on the test database. */
export const rawRows = <T>(world: AnalyticsWorld, query: SQL): Promise<T[]> =>
  executeRows<T>(world.server.backend.deps.db, query);

/** Folds every pending delta into the cube and seals every finished hour and day (as the background job does). */
export async function compactAll(world: AnalyticsWorld): Promise<void> {
  const db = world.server.backend.deps.db;
  while ((await compactOnce(db)) > 0) {}
  while (await sealOnce(db)) {}
}
