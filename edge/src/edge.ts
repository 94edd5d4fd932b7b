/**
 * The edge's state and background work, without HTTP: team stores, known clients, backend links, sticky
 * assignments, analytics, the disk snapshot. The HTTP handlers read from it; `main.ts` starts and stops it.
 */
import { AnalyticsFlusher } from "./analytics/flusher.ts";
import { Recorder } from "./analytics/recorder.ts";
import type { AnalyticsBatch } from "./analytics/types.ts";
import { ClientDirectory, type ClientInfo, type EdgeClient, hashSecret } from "./auth/clients.ts";
import type { EdgeConfig } from "./config.ts";
import { errorText, type Logger } from "./log.ts";
import { HttpMetrics } from "./metrics/prometheus.ts";
import { StickyAssignments } from "./sticky/assignments.ts";
import { AssignmentFlusher } from "./sticky/flusher.ts";
import {
  DebouncedWriter,
  type EdgeSnapshotFile,
  readSnapshotFile,
  snapshotFileJson,
  type Tenant,
  TenantRegistry,
} from "./store/index.ts";
import { type Link, Links } from "./upstream/links.ts";
import type { Upstream } from "./upstream/types.ts";
import { UpstreamError } from "./upstream/types.ts";

/** Stores with this many flags get a full GC after they are installed (see collectSoon). */
const LARGE_STORE = 1000;

/** Team id used for a bare snapshot file that names none. */
const DEFAULT_TEAM = "default";

export interface HealthReport {
  status: "starting" | "ready" | "degraded";
  connected: boolean;
  version: number | null;
  flags: number;
  staleness_seconds: number | null;
  last_error?: string;
}

export class Edge {
  readonly tenants: TenantRegistry;
  readonly clients: ClientDirectory;
  readonly sticky: StickyAssignments;
  readonly recorder: Recorder;
  readonly analytics: AnalyticsFlusher;
  readonly assignments: AssignmentFlusher;
  readonly links: Links;
  readonly http = new HttpMetrics();
  readonly startedAtMs = Date.now();
  private readonly writer: DebouncedWriter | undefined;
  private own!: Link;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private infoRefresher: ReturnType<typeof setInterval> | undefined;
  private gcTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while the disk snapshot loads: those stores need no write-back. */
  private loading = false;

  constructor(
    readonly config: EdgeConfig,
    readonly log: Logger,
    upstream: Upstream,
  ) {
    this.tenants = new TenantRegistry(log);
    this.clients = new ClientDirectory(config.negativeCacheSecs * 1000);
    this.sticky = new StickyAssignments(config.stickyMaxEntries);
    this.recorder = new Recorder(config.eventBufferSize);
    this.analytics = new AnalyticsFlusher({
      recorder: this.recorder,
      send: (batch) => this.sendAnalytics(batch),
      intervalMs: config.evaluationFlushSecs * 1000,
      log,
    });
    this.links = new Links({
      upstream,
      clients: this.clients,
      tenants: this.tenants,
      sticky: this.sticky,
      log,
      credentialWaitMs: config.credentialWaitMs,
      maxClientStreams: config.maxClientStreams,
      clientIdleMs: config.clientIdleSecs * 1000,
      newCredentialsPerSec: config.newCredentialsPerSec,
      hasUndelivered: (clientId, lastUsedMs) => this.analytics.hasUndelivered(clientId, lastUsedMs),
      onClientChange: () => this.writer?.schedule(),
    });
    this.assignments = new AssignmentFlusher({
      sticky: this.sticky,
      connectionFor: (teamId) => this.links.forTeam(teamId)?.connection,
      intervalMs: config.assignmentFlushSecs * 1000,
      log,
    });
    if (config.snapshotPath !== null) {
      const path = config.snapshotPath;
      this.writer = new DebouncedWriter(
        path,
        config.snapshotWriteDebounceMs,
        () => this.fileContent(),
        (error) => log.error("could not write the snapshot file", { path, error: errorText(error) }),
      );
    }
    this.tenants.onChange((tenant, previous) => {
      this.sticky.reconcile(tenant, previous);
      if (!this.loading) this.writer?.schedule();
      log.info("store updated", { teamId: tenant.teamId, version: tenant.version, flags: tenant.store.flagCount });
    });
    // once a large store's flags are packed, the build garbage and the flag objects can go (see collectSoon)
    this.tenants.onPacked((tenant) => {
      if (tenant.store.flagCount >= LARGE_STORE) this.collectSoon();
    });
  }

  /** Loads the disk snapshot, opens the edge's own link and starts the background work. */
  async start(): Promise<void> {
    const provisional = await this.loadSnapshotFile();
    this.own = this.links.openOwn(
      { clientId: this.config.clientId, clientSecret: this.config.clientSecret },
      provisional,
    );
    this.analytics.start();
    this.assignments.start(() => {
      for (const tenant of this.tenants.all()) this.sticky.purgeDue(tenant);
    });
    this.sweeper = setInterval(() => this.links.closeIdle(), Math.min(30_000, this.config.clientIdleSecs * 1000));
    // Client info (web origins, environment binding, enabled) is cached: refreshed on every connect and this often.
    this.infoRefresher = setInterval(() => this.links.refreshClientInfo(), this.config.clientInfoRefreshSecs * 1000);
  }

  /** The edge's configured client (its info is provisional until the backend answers). */
  get ownClient(): EdgeClient {
    return this.own.client!;
  }

  /** The store the edge's own client reads, once there is one. */
  get ownTenant(): Tenant | undefined {
    return this.tenants.get(this.ownClient.info.teamId);
  }

  get connected(): boolean {
    return this.own?.connected ?? false;
  }

  health(now = Date.now()): HealthReport {
    const tenant = this.ownTenant;
    const connected = this.connected;
    const lastError = this.own.lastError?.message;
    if (!tenant) {
      return { status: "starting", connected, version: null, flags: 0, staleness_seconds: null, last_error: lastError };
    }
    const report: HealthReport = {
      status: connected ? "ready" : "degraded",
      connected,
      version: tenant.version,
      flags: tenant.store.flagCount,
      staleness_seconds: connected ? 0 : this.stalenessSeconds(tenant, now),
    };
    if (!connected && lastError) report.last_error = lastError;
    return report;
  }

  /** Seconds since the store was last known current (the last word from the backend, or the file's age). */
  stalenessSeconds(tenant: Tenant, now = Date.now()): number {
    const link = this.links.forTeam(tenant.teamId);
    if (link?.connected) return 0;
    const since = Math.max(tenant.updatedAt, link?.lastHeardMs ?? 0);
    return Math.max(0, Math.round((now - since) / 100) / 10);
  }

  /**
   * A large recompile leaves tens of MB of parse and build garbage (and, once packed, the flag objects); one full
   * collection shortly after gives the memory back to the system at once instead of whenever the heap next fills
   * (RSS stays near the live size).
   */
  private collectSoon(): void {
    this.gcTimer ??= setTimeout(() => {
      this.gcTimer = undefined;
      Bun.gc(true);
    }, 100);
    this.gcTimer.unref?.();
  }

  /** Stops background work, delivers what it can within `deadlineMs`, writes the snapshot. */
  async stop(deadlineMs = 8000): Promise<void> {
    clearInterval(this.sweeper);
    clearInterval(this.infoRefresher);
    clearTimeout(this.gcTimer);
    this.analytics.stop();
    this.assignments.stop();
    const finalWork = Promise.allSettled([this.analytics.flush(), this.assignments.flush(), this.writer?.flush()]);
    const timedOut = await Promise.race([finalWork.then(() => false), Bun.sleep(deadlineMs).then(() => true)]);
    if (timedOut) this.log.warn("final flush did not finish in time", { deadlineMs });
    await this.links.stopAll();
  }

  /** Writes the snapshot file now (tests, shutdown). */
  async writeSnapshot(): Promise<void> {
    this.writer?.schedule();
    await this.writer?.flush();
  }

  private async sendAnalytics(batch: AnalyticsBatch): Promise<void> {
    const link = this.links.forClient(batch.clientId);
    if (!link) throw new UpstreamError("INVALID_ARGUMENT", `no credentials for client ${batch.clientId}`);
    await link.connection.pushEvaluationEvents(batch);
  }

  /** Loads the disk snapshot when there is one; returns the own client's info (provisional when not in it). */
  private async loadSnapshotFile(): Promise<ClientInfo> {
    const ownHash = hashSecret(this.config.clientSecret);
    let file: EdgeSnapshotFile | undefined;
    if (this.config.snapshotPath !== null) {
      try {
        file = await readSnapshotFile(this.config.snapshotPath);
      } catch (error) {
        this.log.error("ignoring an unreadable snapshot file", { error: errorText(error) });
      }
    }
    let ownInfo: ClientInfo | undefined;
    for (const stored of file?.clients ?? []) {
      const { secretSha256, ...info } = stored;
      if (secretSha256 === ownHash) ownInfo = info;
      else this.clients.upsert(info, null, secretSha256);
    }
    this.loading = true;
    for (const snapshot of file?.teams ?? []) {
      const teamId = snapshot.teamId ?? ownInfo?.teamId ?? DEFAULT_TEAM;
      this.tenants.applySnapshot(teamId, snapshot, file!.savedAtMs);
    }
    this.loading = false;
    if (file) this.log.info("serving from the snapshot file until the backend answers", { teams: file.teams.length });
    return ownInfo ?? provisionalInfo(this.config.clientId, file?.teams[0]?.teamId ?? DEFAULT_TEAM);
  }

  private fileContent(): string {
    const clients = [...this.clients.all()].map((c) => ({ ...c.info, secretSha256: c.secretHash }));
    const teams = new Set(clients.map((c) => c.teamId));
    const snapshots = [...this.tenants.all()].filter((t) => teams.has(t.teamId)).map((t) => t.snapshotJson());
    return snapshotFileJson(Date.now(), clients, snapshots);
  }
}

/** Stands in for the edge's own client until GetClientInfo answers: a backend client of the file's team. */
function provisionalInfo(clientId: string, teamId: string): ClientInfo {
  return {
    id: clientId,
    teamId,
    name: "edge",
    enabled: true,
    clientType: "Backend",
    webOrigins: [],
    environmentId: null,
  };
}
