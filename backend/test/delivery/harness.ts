/** A delivery server on a test database, and sync clients that record what they receive. */

import { createTestDatabase, type TestDatabase } from "@fluxgate/drizzle/testing";
import type { Flag, Snapshot } from "@fluxgate/engine";
import { createBackendClient } from "../../../edge/src/sync/channel.ts";
import {
  createSyncClient,
  type SyncClient,
  type SyncClientOptions,
  type SyncError,
} from "../../../edge/src/sync/index.ts";
import { callUnary } from "../../../edge/src/sync/unary.ts";
import { type Delivery, type DeliveryOptions, startDelivery } from "../../src/delivery/index.ts";

export const FAST: DeliveryOptions = { pollMs: 200, heartbeatMs: 500, authCacheMs: 200, holeTimeoutMs: 1_000 };

export interface Backend {
  database: TestDatabase;
  delivery: Delivery;
  url: string;
  stop(): Promise<void>;
}

export async function startBackend(options: DeliveryOptions = FAST): Promise<Backend> {
  const database = await createTestDatabase();
  const delivery = await startDelivery({
    db: database.db,
    handle: database.handle,
    config: { grpc_addr: "127.0.0.1:0" },
    options,
  });
  return {
    database,
    delivery,
    url: `http://127.0.0.1:${delivery.port}`,
    stop: async () => {
      await delivery.stop();
      await database.cleanup();
    },
  };
}

/** A sync client that records snapshots, deltas and state changes. */
export class Recorder {
  readonly snapshots: Snapshot[] = [];
  readonly deltas: { upserts: Flag[]; deletes: string[]; version: number }[] = [];
  readonly states: { connected: boolean; error?: SyncError }[] = [];
  readonly flags = new Map<string, Flag>();
  readonly client: SyncClient;

  constructor(url: string, creds: { id: string; secret: string }, extra: Partial<SyncClientOptions> = {}) {
    this.client = createSyncClient({
      backendUrl: url,
      clientId: creds.id,
      clientSecret: creds.secret,
      heartbeatMs: 500,
      backoff: { initialMs: 50, maxMs: 1_000 },
      ...extra,
      onSnapshot: (s) => {
        this.snapshots.push(s);
        this.flags.clear();
        for (const f of s.flags) this.flags.set(f.key, f);
      },
      onDelta: (upserts, deletes, version) => {
        this.deltas.push({ upserts, deletes, version });
        for (const key of deletes) this.flags.delete(key);
        for (const f of upserts) this.flags.set(f.key, f);
      },
      onStateChange: (connected, error) => this.states.push({ connected, error }),
    });
  }

  start(): this {
    this.client.start();
    return this;
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}

/** Polls until `check` holds (or throws after `timeoutMs`). */
export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/** A plain generic gRPC client of the backend, for calling rpcs directly (each call with a `deadlineMs` deadline). */
export function rawClient(
  url: string,
  deadlineMs = 10_000,
): {
  call<T = Record<string, unknown>>(method: string, request: object): Promise<T>;
  close(): void;
} {
  const client = createBackendClient(url);
  return {
    call: <T>(method: string, request: object) =>
      callUnary<object, T>(client, method, request, new Date(Date.now() + deadlineMs)),
    close: () => client.close(),
  };
}

/** The gRPC status code a promise rejected with. */
export async function statusOf(promise: Promise<unknown>): Promise<number | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as { code: number }).code;
  }
}
