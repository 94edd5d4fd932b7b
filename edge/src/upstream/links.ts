/**
 * One backend link per client: the edge's own, and one for each other valid credential a request carries
 * (opened on first use, deduplicated by secret, closed when idle). A link feeds its team's store and knows
 * its client's info; `clientFor` is what the request path asks.
 */
import { type ClientDirectory, type ClientInfo, type EdgeClient, hashSecret } from "../auth/clients.ts";
import { errorText, type Logger } from "../log.ts";
import type { StickyAssignments } from "../sticky/assignments.ts";
import type { Snapshot, TenantRegistry } from "../store/index.ts";
import { type Connection, type Credentials, type Upstream, UpstreamError } from "./types.ts";

/** No issued secret is longer (`fgs_` + 40); longer ones are refused without a lookup (the backend's limit too). */
const MAX_SECRET_LENGTH = 256;

export interface Link {
  readonly credentials: Credentials;
  readonly secretHash: string;
  /** The edge's configured client (never idle-closed). */
  readonly own: boolean;
  connection: Connection;
  connected: boolean;
  lastError: UpstreamError | undefined;
  client: EdgeClient | undefined;
  /** The team whose store this link feeds, once a snapshot said (or the disk did). */
  teamId: string | undefined;
  /** A snapshot that arrived before the client's team was known. */
  parked: Snapshot | undefined;
  /** Epoch ms of the last message from the backend on this link. */
  lastHeardMs: number;
  disconnectedAtMs: number;
  ready: Deferred<EdgeClient>;
  openedAtMs: number;
}

/** Why a request's credentials cannot be served (yet). */
export interface AuthFailure {
  status: 401 | 403 | 429 | 503;
  code: "UNAUTHENTICATED" | "CLIENT_DISABLED" | "RATE_LIMITED" | "UNAVAILABLE";
  message: string;
}

export interface LinksOptions {
  upstream: Upstream;
  clients: ClientDirectory;
  tenants: TenantRegistry;
  sticky: StickyAssignments;
  log: Logger;
  credentialWaitMs: number;
  maxClientStreams: number;
  clientIdleMs: number;
  /** Budget of new-secret lookups per second (a flood of random secrets must not become a flood of subscribes). */
  newCredentialsPerSec: number;
  /** A client's info changed (the disk snapshot records clients). */
  onClientChange(): void;
  /** Whether the client still has analytics not delivered (its link must stay). */
  hasUndelivered(clientId: string, lastUsedMs: number): boolean;
}

export class Links {
  private readonly links = new Map<string, Link>();
  private readonly warmedTeams = new Set<string>();
  private stopped = false;
  private budget: number;
  private budgetAt = Date.now();

  constructor(private readonly o: LinksOptions) {
    this.budget = o.newCredentialsPerSec;
  }

  /** Opens the edge's own link. `provisional` stands in for its info until the backend answers. */
  openOwn(credentials: Credentials, provisional: ClientInfo): Link {
    const client = this.o.clients.upsert(provisional, credentials.clientSecret);
    return this.open(credentials, true, client);
  }

  /** Every open link. */
  all(): IterableIterator<Link> {
    return this.links.values();
  }

  get count(): number {
    return this.links.size;
  }

  forClient(clientId: string): Link | undefined {
    for (const link of this.links.values()) if (link.client?.info.id === clientId) return link;
    return undefined;
  }

  /** A connected link serving this team (to push its sticky assignments). */
  forTeam(teamId: string): Link | undefined {
    let fallback: Link | undefined;
    for (const link of this.links.values()) {
      if (link.client?.info.teamId !== teamId) continue;
      if (link.connected) return link;
      fallback ??= link;
    }
    return fallback;
  }

  /**
   * The client for a request's secret: known → at once; recently rejected → 401 at once; unknown → a link is opened
   * (or joined) with the secret alone (the backend finds the client by the secret's hash), and the answer comes once
   * its snapshot is in, within `credentialWaitMs`, else 503. New secrets beyond `newCredentialsPerSec` get 429 (a
   * flood of random secrets stays a trickle upstream, and is never a 5xx). A `clientId` must match the answer.
   */
  clientFor(
    secret: string,
    clientId: string | undefined,
  ): EdgeClient | AuthFailure | Promise<EdgeClient | AuthFailure> {
    if (secret.length > MAX_SECRET_LENGTH) return unauthenticated("unknown client credentials");
    const wanted = clientId?.toLowerCase();
    const known = this.o.clients.bySecretValue(secret);
    if (known !== undefined) {
      if (wanted !== undefined && wanted !== known.info.id.toLowerCase())
        return unauthenticated("client_id does not match the secret");
      if (!known.info.enabled) return { status: 403, code: "CLIENT_DISABLED", message: "this client is disabled" };
      if (this.o.tenants.get(known.info.teamId) !== undefined) {
        if (!this.links.has(known.secretHash)) this.reopen(known, secret);
        return known;
      }
    }
    if (this.o.clients.isRejected(secret)) return unauthenticated("unknown client credentials");
    // Resolved by the secret alone: a request naming the wrong client_id must not get a valid secret rejected
    // (negative-cached) for the callers that use it rightly; the id is checked against the backend's answer.
    const found = this.await(secret, known?.info.id ?? "");
    if (wanted === undefined) return found;
    return found.then((client) =>
      "status" in client || client.info.id.toLowerCase() === wanted
        ? client
        : unauthenticated("client_id does not match the secret"),
    );
  }

  /** Closes request links unused for `clientIdleMs` whose analytics are delivered. */
  closeIdle(now = Date.now()): void {
    for (const link of [...this.links.values()]) {
      if (link.own || !link.client) continue;
      const used = link.client.lastUsedMs;
      if (now - used < this.o.clientIdleMs || this.o.hasUndelivered(link.client.info.id, used)) continue;
      this.o.log.info("closing idle client stream", { clientId: link.client.info.id });
      this.close(link);
      this.forgetClient(link.client);
    }
  }

  /** Asks the backend again about every connected client (origins, binding, enabled may have changed). */
  refreshClientInfo(): void {
    for (const link of this.links.values()) if (link.connected) void this.fetchClientInfo(link);
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.links.values()].map((l) => l.connection.stop().catch(() => {})));
    this.links.clear();
  }

  private async await(secret: string, clientId: string): Promise<EdgeClient | AuthFailure> {
    const hash = hashSecret(secret);
    let link = this.links.get(hash);
    if (!link) {
      if (!this.takeBudget()) {
        return { status: 429, code: "RATE_LIMITED", message: "too many new credentials at once; retry shortly" };
      }
      if (this.requestLinkCount() >= this.o.maxClientStreams) {
        this.closeIdle();
        if (this.requestLinkCount() >= this.o.maxClientStreams) return unavailable("too many client streams open");
      }
      link = this.open({ clientId, clientSecret: secret }, false);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<AuthFailure>((resolve) => {
      timer = setTimeout(
        () => resolve(unavailable("waiting for this client's flags from the backend")),
        this.o.credentialWaitMs,
      );
    });
    try {
      return await Promise.race([link.ready.promise, timeout]);
    } catch (error) {
      if (error instanceof UpstreamError && error.kind === "PERMISSION_DENIED") {
        return { status: 403, code: "CLIENT_DISABLED", message: error.message };
      }
      if (error instanceof UpstreamError && error.kind === "INVALID_ARGUMENT") {
        // e.g. a client_id that is not a UUID
        return unauthenticated(`the backend refused these credentials: ${error.message}`);
      }
      return unauthenticated("unknown client credentials");
    } finally {
      clearTimeout(timer);
    }
  }

  /** Token bucket: `newCredentialsPerSec` tokens per second, as many in reserve. */
  private takeBudget(now = Date.now()): boolean {
    const rate = this.o.newCredentialsPerSec;
    this.budget = Math.min(rate, this.budget + ((now - this.budgetAt) / 1000) * rate);
    this.budgetAt = now;
    if (this.budget < 1) return false;
    this.budget -= 1;
    return true;
  }

  private requestLinkCount(): number {
    let n = 0;
    for (const link of this.links.values()) if (!link.own) n++;
    return n;
  }

  /** A client known (from disk or an idle-closed link) but not streaming: stream again in the background. */
  private reopen(client: EdgeClient, secret: string): void {
    if (this.stopped || this.requestLinkCount() >= this.o.maxClientStreams) return;
    const link = this.open({ clientId: client.info.id, clientSecret: secret }, false, client);
    link.ready.resolve(client);
  }

  private open(credentials: Credentials, own: boolean, known?: EdgeClient): Link {
    const secretHash = hashSecret(credentials.clientSecret);
    const knownTeam = known?.info.teamId;
    const held = knownTeam === undefined ? undefined : this.o.tenants.get(knownTeam);
    const link: Link = {
      credentials,
      secretHash,
      own,
      connection: undefined as unknown as Connection,
      connected: false,
      lastError: undefined,
      client: known,
      teamId: held ? knownTeam : undefined,
      parked: undefined,
      lastHeardMs: 0,
      disconnectedAtMs: Date.now(),
      ready: deferred<EdgeClient>(),
      openedAtMs: Date.now(),
    };
    link.ready.promise.catch(() => {}); // rejections are read by waiters; none waiting is fine
    link.connection = this.o.upstream.connect(
      credentials,
      {
        onSnapshot: (snapshot) => this.onSnapshot(link, snapshot),
        onDelta: (delta) => {
          link.lastHeardMs = Date.now();
          const teamId = link.teamId ?? link.client?.info.teamId;
          if (teamId !== undefined) this.o.tenants.applyDelta(teamId, delta);
        },
        onStateChange: (connected, error) => this.onState(link, connected, error),
      },
      held?.version ?? 0,
    );
    this.links.set(secretHash, link);
    link.connection.start();
    return link;
  }

  private close(link: Link): void {
    this.links.delete(link.secretHash);
    void link.connection.stop().catch(() => {});
  }

  /** Drops a client and, when no other client uses its team, the team's store. */
  private forgetClient(client: EdgeClient): void {
    this.o.clients.remove(client);
    for (const other of this.o.clients.all()) if (other.info.teamId === client.info.teamId) return;
    this.o.tenants.remove(client.info.teamId);
    this.warmedTeams.delete(client.info.teamId);
  }

  private onSnapshot(link: Link, snapshot: Snapshot): void {
    link.lastHeardMs = Date.now();
    const teamId = snapshot.teamId ?? link.client?.info.teamId;
    if (teamId === undefined) {
      link.parked = snapshot;
      return;
    }
    link.teamId = teamId;
    const client = link.client;
    if (client && client.info.teamId !== teamId) {
      // The stream carries the credentials' own team: it corrects a provisional (or outdated) client entry.
      client.info = { ...client.info, teamId };
      this.o.onClientChange();
    }
    this.o.tenants.applySnapshot(teamId, snapshot);
    this.settle(link);
  }

  private onState(link: Link, connected: boolean, error: UpstreamError | undefined): void {
    link.connected = connected;
    link.lastError = error;
    if (connected) {
      link.lastHeardMs = Date.now();
      void this.fetchClientInfo(link);
      return;
    }
    link.disconnectedAtMs = Date.now();
    if (error?.rejectsCredentials) this.rejected(link, error);
    else if (error) this.o.log.warn("backend stream down", { clientId: clientIdOf(link), error: error.message });
  }

  private async fetchClientInfo(link: Link): Promise<void> {
    try {
      const info = await link.connection.getClientInfo();
      if (!this.links.has(link.secretHash)) return;
      link.client = this.o.clients.upsert(info, link.credentials.clientSecret);
      this.o.onClientChange();
      if (link.parked) {
        const parked = link.parked;
        link.parked = undefined;
        link.teamId = info.teamId;
        this.o.tenants.applySnapshot(info.teamId, { ...parked, teamId: info.teamId });
      }
      this.settle(link);
    } catch (error) {
      if (error instanceof UpstreamError && error.rejectsCredentials) this.rejected(link, error);
      else this.o.log.warn("GetClientInfo failed; asked again later", { error: errorText(error) });
    }
  }

  /** Resolves waiters once the client is known and its team's store is in; warms sticky assignments once. */
  private settle(link: Link): void {
    const client = link.client;
    if (!client || !this.o.tenants.get(client.info.teamId)) return;
    link.ready.resolve(client);
    if (!this.warmedTeams.has(client.info.teamId)) {
      this.warmedTeams.add(client.info.teamId);
      void this.warm(link, client.info.teamId);
    }
  }

  private async warm(link: Link, teamId: string): Promise<void> {
    try {
      const rows = await link.connection.listUserAssignments();
      const tenant = this.o.tenants.get(teamId);
      if (tenant) {
        const loaded = this.o.sticky.warm(tenant, rows);
        this.o.log.info("sticky assignments loaded", { teamId, loaded });
      }
    } catch (error) {
      this.warmedTeams.delete(teamId); // try again after the next snapshot
      this.o.log.warn("ListUserAssignments failed", { teamId, error: errorText(error) });
    }
  }

  private rejected(link: Link, error: UpstreamError): void {
    if (link.own) {
      this.o.log.error("the backend rejected this edge's own credentials (EDGE_CLIENT_ID/EDGE_CLIENT_SECRET)", {
        error: error.message,
      });
      return;
    }
    this.o.clients.reject(link.credentials.clientSecret);
    link.ready.reject(error);
    this.close(link);
    if (link.client) this.forgetClient(link.client);
  }
}

/** The link's client id for logs: the backend's answer for a bare secret (never the secret itself). */
function clientIdOf(link: Link): string {
  return link.client?.info.id ?? (link.credentials.clientId || "(bare secret, not yet resolved)");
}

function unauthenticated(message: string): AuthFailure {
  return { status: 401, code: "UNAUTHENTICATED", message };
}

function unavailable(message: string): AuthFailure {
  return { status: 503, code: "UNAVAILABLE", message };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  const { promise, resolve, reject } = Promise.withResolvers<T>();
  return { promise, resolve, reject };
}
