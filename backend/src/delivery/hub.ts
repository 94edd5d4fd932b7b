/**
 * Fan-out of the change feed to the StreamUpdates calls of this process, team by team.
 *
 * Every state change (a change batch applied, a team loaded, a stream subscribed, an idle team dropped)
 * runs as one task on a serial queue, so a stream registered by a task has received exactly the state
 * of its team as of that task, and every later change reaches it through the fan-out — nothing is
 * lost or reordered between the snapshot (or catch-up) and the live feed.
 */
import type { Db } from "@fluxgate/drizzle";
import type * as grpc from "@grpc/grpc-js";
import type { ClientAuthenticator, ClientRecord } from "./auth.ts";
import type { ChangeRead } from "./change-feed.ts";
import { type ChangeRow, featuresUsingContexts, logBounds, teamChangesAfter } from "./change-repository.ts";
import { DeliveryError } from "./errors.ts";
import type { FlagRecord } from "./flag-assembly.ts";
import { deleteFrame, featureFrame, heartbeatFrame } from "./frames.ts";
import { loadFlagRecords, loadTeamRecords } from "./snapshot-repository.ts";
import { StreamSession } from "./stream-session.ts";
import { type SnapshotForm, TeamState } from "./team-state.ts";
import { type TraceObserver, traceNow } from "./trace.ts";

export interface HubOptions {
  heartbeatMs: number;
  /** Frames a stream may have waiting (beyond a snapshot) before it is ended as lagging. */
  maxQueued: number;
  /** A team without streams is dropped from memory after this long unused. */
  idleTeamMs: number;
  /** More changed flags than this since the client's version: send a snapshot instead. */
  maxCatchUpChanges: number;
  /** Stage timings, when observed. */
  trace?: TraceObserver;
}

type Update = { kind: "upsert"; record: FlagRecord } | { kind: "delete"; key: string; id: string };

/** What a change set touches. */
interface Touched {
  featureIds: Set<string>;
  /** Last key the log recorded per feature, for DELETEs of flags no longer stored. */
  keys: Map<string, string>;
  contextIds: Set<string>;
  clientIds: Set<string>;
  /** Environments or the team itself changed: a full snapshot is simplest and always right. */
  resnapshot: boolean;
  version: number;
}

export class DeliveryHub {
  private readonly teams = new Map<string, TeamState>();
  /** Teams being loaded outside the queue, with the changes handled meanwhile. */
  private readonly loading = new Map<string, { promise: Promise<TeamState | undefined>; pending: Touched[] }>();
  private tail: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly db: Db,
    private readonly auth: ClientAuthenticator,
    /** The change feed's `stable` watermark. */
    private readonly stableVersion: () => number,
    private readonly options: HubOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.heartbeatMs);
    this.timer.unref?.();
  }

  /** Ends every stream (UNAVAILABLE: the edge reconnects elsewhere). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.tail;
    for (const team of this.teams.values()) {
      for (const session of [...team.sessions]) session.fail("UNAVAILABLE", "server shutting down");
    }
    this.teams.clear();
  }

  /** Applies a batch of changes (the change feed's handler). */
  handleChanges(rows: ChangeRow[], read?: ChangeRead): Promise<void> {
    return this.serial(async () => {
      const trace = this.options.trace;
      let builtAt = 0;
      let streams = 0;
      for (const [teamId, teamRows] of groupByTeam(rows)) {
        const touched = touchedBy(teamRows);
        for (const id of touched.clientIds) this.auth.invalidate(id);
        const team = this.teams.get(teamId);
        if (team) {
          const sent = await this.applyToTeam(team, touched, read);
          if (trace && sent) {
            builtAt = Math.max(builtAt, sent.builtAt);
            streams += sent.streams;
          }
        } else this.loading.get(teamId)?.pending.push(touched);
      }
      if (trace && read && streams > 0) {
        trace({
          kind: "changes",
          versions: rows.map((r) => Number(r.version)),
          notifiedAt: read.notifiedAt,
          queriedAt: read.sentAt,
          readAt: read.readAt,
          builtAt,
          sentAt: traceNow(),
          streams,
        });
      }
    });
  }

  /** The team's state, loaded on first use (Evaluate, GetFeatureByKey). */
  async team(teamId: string): Promise<TeamState> {
    const loaded = this.installed(teamId) ?? (await this.loadOutside(teamId));
    return loaded ?? this.serial(() => this.ensureTeam(teamId));
  }

  /** Registers a stream and queues its initial sync: deltas since `sinceVersion` when the log has them, else a snapshot. */
  subscribe(
    call: grpc.ServerDuplexStream<unknown, Buffer>,
    client: ClientRecord,
    secret: string,
    sinceVersion: number,
    form: SnapshotForm = "full",
  ): Promise<StreamSession | null> {
    // a team not held yet is read outside the queue: its load must not hold up other teams' changes
    const loading = this.installed(client.teamId) ? null : this.loadOutside(client.teamId);
    return (loading ?? Promise.resolve()).then(() =>
      this.serial(() => this.register(call, client, secret, sinceVersion, form)),
    );
  }

  /** In the queue: the stream joins the team and gets its catch-up or snapshot before any later change. */
  private async register(
    call: grpc.ServerDuplexStream<unknown, Buffer>,
    client: ClientRecord,
    secret: string,
    sinceVersion: number,
    form: SnapshotForm,
  ): Promise<StreamSession | null> {
    const team = await this.ensureTeam(client.teamId);
    const session = new StreamSession(call, client, secret, this.options.maxQueued, form, (s) =>
      team.sessions.delete(s),
    );
    const catchUp = sinceVersion > 0 ? await this.catchUp(team, session.environmentId, sinceVersion) : null;
    if (call.cancelled || call.writableEnded || call.destroyed) return null;
    team.sessions.add(session);
    if (catchUp) session.send(catchUp);
    else this.sendSnapshot(team, session);
    return session;
  }

  /** HEARTBEAT with the team's current version, e.g. in reply to the edge's heartbeat. */
  heartbeat(session: StreamSession): void {
    const team = this.teams.get(session.client.teamId);
    if (team) session.send(heartbeatFrame(team.version));
  }

  /** Ids of the teams held in memory. */
  loadedTeams(): string[] {
    return [...this.teams.keys()];
  }

  /** Number of open streams (metrics, tests). */
  get streamCount(): number {
    let n = 0;
    for (const team of this.teams.values()) n += team.sessions.size;
    return n;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => {});
    return run;
  }

  private installed(teamId: string): TeamState | undefined {
    const team = this.teams.get(teamId);
    if (team) team.lastUsed = Date.now();
    return team;
  }

  /** Inside the queue: the team, loaded there if it is not held (e.g. evicted since `loadOutside`). */
  private async ensureTeam(teamId: string): Promise<TeamState> {
    let team = this.installed(teamId);
    if (!team) {
      team = new TeamState(teamId);
      await this.loadTeam(team);
      this.teams.set(teamId, team);
    }
    return team;
  }

  /**
   * Loads a team outside the queue (callers of one team share the load) and installs it with a queued task, which
   * then rebuilds the flags of the changes handled meanwhile: the load may predate them. Resolves with the team
   * (undefined if it failed to load: the caller then loads it in the queue and reports that error).
   */
  private loadOutside(teamId: string): Promise<TeamState | undefined> {
    let entry = this.loading.get(teamId);
    if (!entry) {
      const pending: Touched[] = [];
      const promise = (async () => {
        const started = performance.now();
        const snapshot = await loadTeamRecords(this.db, teamId);
        return this.serial(async () => {
          this.loading.delete(teamId);
          const held = this.installed(teamId);
          if (held) return held; // loaded in the queue meanwhile, after these changes
          const team = new TeamState(teamId);
          team.load(snapshot);
          this.traceLoad(team, started);
          this.teams.set(teamId, team);
          if (pending.length > 0) await this.applyToTeam(team, mergeTouched(pending));
          return team;
        });
      })().catch(() => {
        this.loading.delete(teamId);
        return undefined;
      });
      entry = { promise, pending };
      this.loading.set(teamId, entry);
    }
    return entry.promise;
  }

  private async loadTeam(team: TeamState): Promise<void> {
    const started = performance.now();
    team.load(await loadTeamRecords(this.db, team.teamId));
    this.traceLoad(team, started);
  }

  private traceLoad(team: TeamState, started: number): void {
    this.options.trace?.({
      kind: "team-load",
      teamId: team.teamId,
      flags: team.flagCount,
      loadMs: performance.now() - started,
    });
  }

  /** Queues the team's snapshot for a stream, built once per version and binding (and timed when traced). */
  private sendSnapshot(team: TeamState, session: StreamSession): void {
    const trace = this.options.trace;
    const started = trace ? performance.now() : 0;
    const cached = trace ? team.hasSnapshot(session.environmentId, session.form) : false;
    const frames = team.snapshotFrames(session.environmentId, session.form);
    session.sendSnapshot(frames);
    trace?.({
      kind: "snapshot",
      teamId: team.teamId,
      flags: team.flagCount,
      form: session.form,
      framesMs: performance.now() - started,
      bytes: frames.reduce((n, f) => n + f.length, 0),
      cached,
    });
  }

  /** Applies a change set to a loaded team; returns when its flags were rebuilt and how many streams got it. */
  private async applyToTeam(
    team: TeamState,
    touched: Touched,
    read?: ChangeRead,
  ): Promise<{ builtAt: number; streams: number } | null> {
    let sent: { builtAt: number; streams: number } | null = null;
    if (touched.resnapshot) {
      await this.loadTeam(team);
      team.version = Math.max(team.version, touched.version);
      sent = { builtAt: traceNow(), streams: team.sessions.size };
      for (const session of team.sessions) this.sendSnapshot(team, session);
    } else {
      const updates = await this.rebuild(team, touched, read);
      // the version moves only with a message carrying it, so heartbeats never announce a gap that is
      // not one (a client edit or an unused context list changes nothing an edge holds)
      if (updates.length > 0) {
        team.version = Math.max(team.version, touched.version);
        team.invalidateSnapshots();
        sent = { builtAt: traceNow(), streams: team.sessions.size };
        this.broadcast(team, updates);
      }
    }
    if (touched.clientIds.size > 0) await this.recheckClients(team, touched.clientIds);
    return sent;
  }

  /**
   * Rebuilds the touched flags once and stores them in the team state. Flags read along with the changes are
   * used when they cannot be older than the team's state (it was loaded before that read was sent); context
   * changes and anything else read the flags now.
   */
  private async rebuild(team: TeamState, touched: Touched, read?: ChangeRead): Promise<Update[]> {
    const ids = new Set(touched.featureIds);
    let records: Iterable<FlagRecord>;
    if (read && touched.contextIds.size === 0 && team.loadedAt < read.sentAt) records = read.flags.values();
    else {
      for (const id of await featuresUsingContexts(this.db, team.teamId, [...touched.contextIds])) ids.add(id);
      records = await loadFlagRecords(this.db, { featureIds: [...ids] });
    }
    const found = new Map<string, FlagRecord>();
    for (const r of records) if (r.teamId === team.teamId) found.set(r.flag.id as string, r);
    const updates: Update[] = [];
    for (const id of ids) {
      const record = found.get(id);
      if (record) {
        team.upsert(record);
        updates.push({ kind: "upsert", record });
      } else {
        const key = team.remove(id)?.flag.key ?? touched.keys.get(id);
        if (key) updates.push({ kind: "delete", key, id });
      }
    }
    return updates;
  }

  /** Sends a change set to every stream of the team, encoded once per environment binding. */
  private broadcast(team: TeamState, updates: Update[]): void {
    const framesByEnv = new Map<string | null, Buffer[]>();
    for (const session of team.sessions) {
      const env = session.environmentId;
      let frames = framesByEnv.get(env);
      if (!frames) {
        frames = this.encode(team, updates, env);
        framesByEnv.set(env, frames);
      }
      session.send(frames);
    }
  }

  private encode(team: TeamState, updates: Update[], env: string | null): Buffer[] {
    return updates.map((u, i) => {
      const more = i < updates.length - 1;
      return u.kind === "upsert"
        ? featureFrame("UPSERT", team.version, team.chunk(u.record, env), more)
        : deleteFrame(team.version, u.key, u.id, more);
    });
  }

  /**
   * Frames bringing a client from `since` to the team's current state, or null when only a snapshot
   * can: the log was truncated after `since`, `since` is unknown here, environments changed, or the
   * change set is large enough that a snapshot is cheaper.
   */
  private async catchUp(team: TeamState, env: string | null, since: number): Promise<Buffer[] | null> {
    const { low, high } = await logBounds(this.db);
    if (since > high || since < low - 1) return null;
    // versions committed out of order below the stable mark may be newer than `since` in commit order
    const rows = await teamChangesAfter(this.db, team.teamId, Math.min(since, this.stableVersion()));
    const touched = touchedBy(rows);
    if (touched.resnapshot || touched.featureIds.size + touched.contextIds.size > this.options.maxCatchUpChanges) {
      return null;
    }
    const ids = new Set(touched.featureIds);
    for (const id of await featuresUsingContexts(this.db, team.teamId, [...touched.contextIds])) ids.add(id);
    const updates: Update[] = [];
    for (const id of ids) {
      const record = team.byId(id);
      const key = touched.keys.get(id);
      if (record) updates.push({ kind: "upsert", record });
      else if (key) updates.push({ kind: "delete", key, id });
    }
    const frames = this.encode(team, updates, env);
    frames.push(heartbeatFrame(team.version));
    return frames;
  }

  /** Ends the streams of clients that were deleted, disabled, re-keyed or re-bound. */
  private async recheckClients(team: TeamState, clientIds: Set<string>): Promise<void> {
    for (const clientId of clientIds) {
      const sessions = [...team.sessions].filter((s) => s.client.id === clientId);
      if (sessions.length === 0) continue;
      const now = await this.auth.reload(clientId);
      const reason = cutOffReason(sessions[0].client, now);
      if (reason) for (const session of sessions) session.fail(reason.code, reason.message);
    }
  }

  /** Heartbeats, credential re-checks (a safety net for missed client changes) and idle-team eviction. */
  private tick(): void {
    for (const team of this.teams.values()) {
      if (team.sessions.size === 0) continue;
      const frame = heartbeatFrame(team.version);
      for (const session of team.sessions) {
        session.send(frame);
        this.auth.authenticate(session.client.id, session.secret).catch((error: unknown) => {
          if (error instanceof DeliveryError) session.fail(error.code, error.message);
        });
      }
    }
    void this.serial(async () => {
      const now = Date.now();
      for (const [id, team] of this.teams) {
        if (team.sessions.size === 0 && now - team.lastUsed > this.options.idleTeamMs) this.teams.delete(id);
      }
    });
  }
}

function cutOffReason(
  before: ClientRecord,
  now: ClientRecord | null,
): { code: "UNAUTHENTICATED" | "PERMISSION_DENIED" | "UNAVAILABLE"; message: string } | null {
  if (!now) return { code: "UNAUTHENTICATED", message: "client was deleted" };
  if (!now.enabled) return { code: "PERMISSION_DENIED", message: "client is disabled" };
  if (now.secretHash !== before.secretHash) return { code: "UNAUTHENTICATED", message: "client secret was rotated" };
  if (now.teamId !== before.teamId || now.environmentId !== before.environmentId) {
    return { code: "UNAVAILABLE", message: "client binding changed; resubscribe" };
  }
  return null;
}

function groupByTeam(rows: ChangeRow[]): Map<string, ChangeRow[]> {
  const out = new Map<string, ChangeRow[]>();
  for (const row of rows) {
    const list = out.get(row.teamId);
    if (list) list.push(row);
    else out.set(row.teamId, [row]);
  }
  return out;
}

/** One change set touching everything the given ones touch. */
function mergeTouched(list: Touched[]): Touched {
  const merged = touchedBy([]);
  for (const t of list) {
    for (const id of t.featureIds) merged.featureIds.add(id);
    for (const [id, key] of t.keys) merged.keys.set(id, key);
    for (const id of t.contextIds) merged.contextIds.add(id);
    for (const id of t.clientIds) merged.clientIds.add(id);
    merged.resnapshot ||= t.resnapshot;
    merged.version = Math.max(merged.version, t.version);
  }
  return merged;
}

function touchedBy(rows: ChangeRow[]): Touched {
  const touched: Touched = {
    featureIds: new Set(),
    keys: new Map(),
    contextIds: new Set(),
    clientIds: new Set(),
    resnapshot: false,
    version: 0,
  };
  for (const row of rows) {
    touched.version = Math.max(touched.version, Number(row.version));
    switch (row.entity) {
      case "feature":
        touched.featureIds.add(row.entityId);
        touched.keys.set(row.entityId, row.key);
        break;
      case "context":
        touched.contextIds.add(row.entityId);
        break;
      case "client":
        touched.clientIds.add(row.entityId);
        break;
      case "environment":
      case "team":
        touched.resnapshot = true;
        break;
    }
  }
  return touched;
}
