/**
 * Delivery: the gRPC server edges talk to, fed by the Postgres change log.
 *
 * `startDelivery` wires the change feed (LISTEN on `CONFIG_CHANNEL` + poll over `config_changes`), the per-team fan-out hub,
 * client authentication and the gRPC transport, and binds `config.grpc_addr`.
 */
import type { DatabaseHandle, Db } from "@fluxgate/drizzle";
import * as grpc from "@grpc/grpc-js";
import { ClientAuthenticator } from "./auth.ts";
import { ChangeFeed } from "./change-feed.ts";
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from "./events-service.ts";
import { createGrpcServer } from "./grpc.ts";
import { DeliveryHub } from "./hub.ts";
import type { TraceObserver } from "./trace.ts";

export { hashSecret } from "./auth.ts";
export { toFeatureFull } from "./feature-full.ts";
export {
  buildFlag,
  type FlagRecord,
  loadFlagRecords,
  loadTeamRecords,
  loadTeamSnapshot,
  type TeamSnapshot,
  toEngineSnapshot,
} from "./snapshot-repository.ts";
export type { DeliveryTrace, TraceObserver } from "./trace.ts";

export interface DeliveryConfig {
  /** `host:port` to bind, e.g. `0.0.0.0:50051`; port 0 picks a free one. */
  grpc_addr: string;
  /** Seconds between server heartbeats on update streams (default 15). */
  grpc_heartbeat_secs?: number;
}

/** Tuning, mostly for tests and benches; defaults suit production. */
export interface DeliveryOptions {
  heartbeatMs?: number;
  /** Safety-net poll of the change log (default 2 s); NOTIFY wakes it sooner. */
  pollMs?: number;
  /** How long a missing version is waited for before it counts as rolled back (default 5 s). */
  holeTimeoutMs?: number;
  /** Client credential cache (default 5 s). */
  authCacheMs?: number;
  /** Frames a stream may have waiting beyond a snapshot before it is ended as lagging (default 20,000). */
  maxQueued?: number;
  idleTeamMs?: number;
  maxCatchUpChanges?: number;
  subscribeTimeoutMs?: number;
  ingestLimits?: IngestLimits;
  /** Stage timings of change fan-out, team loads, snapshots and ingest (benches, diagnostics). */
  trace?: TraceObserver;
}

export interface Delivery {
  /** The bound gRPC port. */
  port: number;
  /** Ends streams (UNAVAILABLE), stops listening and polling. */
  stop(): Promise<void>;
  /** Resolves once every change visible in the log now has been fanned out (tests, benches). */
  settle(): Promise<void>;
  /** Open update streams. */
  streamCount(): number;
}

export async function startDelivery(args: {
  db: Db;
  handle: Pick<DatabaseHandle, "listen">;
  config: DeliveryConfig;
  options?: DeliveryOptions;
}): Promise<Delivery> {
  const { db, handle, config } = args;
  const o = args.options ?? {};
  const auth = new ClientAuthenticator(db, o.authCacheMs ?? 5_000);
  let feed: ChangeFeed | undefined;
  const hub = new DeliveryHub(db, auth, () => feed?.stable ?? 0, {
    heartbeatMs: o.heartbeatMs ?? (config.grpc_heartbeat_secs ?? 15) * 1000,
    maxQueued: o.maxQueued ?? 20_000,
    idleTeamMs: o.idleTeamMs ?? 120_000,
    maxCatchUpChanges: o.maxCatchUpChanges ?? 5_000,
    trace: o.trace,
  });
  feed = new ChangeFeed(db, handle, (rows, read) => hub.handleChanges(rows, read), {
    pollMs: o.pollMs ?? 2_000,
    holeTimeoutMs: o.holeTimeoutMs ?? 5_000,
    loadedTeams: () => hub.loadedTeams(),
  });
  await feed.start();
  hub.start();
  const server = createGrpcServer({
    db,
    auth,
    hub,
    ingestLimits: o.ingestLimits ?? DEFAULT_INGEST_LIMITS,
    subscribeTimeoutMs: o.subscribeTimeoutMs ?? 10_000,
    trace: o.trace,
  });
  let port: number;
  try {
    port = await bind(server, config.grpc_addr);
  } catch (error) {
    await feed.stop();
    await hub.stop();
    throw error;
  }
  const changeFeed = feed;
  let stopping: Promise<void> | undefined;
  return {
    port,
    streamCount: () => hub.streamCount,
    settle: () => changeFeed.settle(),
    stop: () => {
      stopping ??= (async () => {
        await changeFeed.stop();
        await hub.stop();
        await shutdown(server);
      })();
      return stopping;
    },
  };
}

function bind(server: grpc.Server, addr: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error) reject(new Error(`gRPC cannot listen on ${addr}: ${error.message}`));
      else resolve(port);
    });
  });
}

/** Graceful shutdown, forced after 2 s. */
function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 2_000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
