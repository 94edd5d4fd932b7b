/**
 * The clients this edge knows: by secret (a small map from the raw secret, filled on first use) and by the
 * secret's SHA-256 (what the disk snapshot keeps). Unknown or rejected secrets are remembered briefly so a
 * flood of bad secrets is answered locally instead of reaching the backend.
 */

export type ClientType = "Web" | "Backend";

/** What the backend says about a client (GetClientInfo). */
export interface ClientInfo {
  id: string;
  teamId: string;
  name: string;
  enabled: boolean;
  clientType: ClientType;
  webOrigins: string[];
  /** Environment the client is bound to; null = any environment of its team. */
  environmentId: string | null;
}

export interface EdgeClient {
  info: ClientInfo;
  /** Null for a client known only from the disk snapshot until someone presents its secret. */
  secret: string | null;
  secretHash: string;
  origins: ReadonlySet<string>;
  /** Epoch ms of the last request that used it (idle streams close). */
  lastUsedMs: number;
}

/** SHA-256 hex of a secret, as the backend stores it. */
export function hashSecret(secret: string): string {
  return new Bun.CryptoHasher("sha256").update(secret).digest("hex");
}

export function makeClient(info: ClientInfo, secret: string | null, secretHash = hashSecret(secret ?? "")): EdgeClient {
  return { info, secret, secretHash, origins: new Set(info.webOrigins), lastUsedMs: Date.now() };
}

const NEGATIVE_CACHE_MAX = 10_000;

export class ClientDirectory {
  private readonly bySecret = new Map<string, EdgeClient>();
  private readonly byHash = new Map<string, EdgeClient>();
  /** Secret hash → epoch ms until which it is answered 401 without asking the backend. */
  private readonly rejected = new Map<string, number>();

  constructor(private readonly negativeCacheMs: number) {}

  /** The client holding this secret, when known; hashes only on the first use of a secret. */
  bySecretValue(secret: string): EdgeClient | undefined {
    const hit = this.bySecret.get(secret);
    if (hit !== undefined) return hit;
    const client = this.byHash.get(hashSecret(secret));
    if (client === undefined) return undefined;
    client.secret = secret;
    this.bySecret.set(secret, client);
    return client;
  }

  byId(id: string): EdgeClient | undefined {
    for (const client of this.byHash.values()) if (client.info.id === id) return client;
    return undefined;
  }

  all(): IterableIterator<EdgeClient> {
    return this.byHash.values();
  }

  /** Adds or refreshes a client (new info from the backend replaces the old, same object kept). */
  upsert(info: ClientInfo, secret: string | null, secretHash?: string): EdgeClient {
    const hash = secretHash ?? hashSecret(secret ?? "");
    const known = this.byHash.get(hash);
    if (known) {
      known.info = info;
      known.origins = new Set(info.webOrigins);
      if (secret !== null) known.secret = secret;
      if (known.secret !== null) this.bySecret.set(known.secret, known);
      return known;
    }
    const client = makeClient(info, secret, hash);
    this.byHash.set(hash, client);
    if (secret !== null) this.bySecret.set(secret, client);
    this.rejected.delete(hash);
    return client;
  }

  /** Forgets a client (the backend rejected its secret). */
  remove(client: EdgeClient): void {
    this.byHash.delete(client.secretHash);
    if (client.secret !== null) this.bySecret.delete(client.secret);
  }

  /** Whether this secret was rejected recently. */
  isRejected(secret: string, now = Date.now()): boolean {
    if (this.rejected.size === 0) return false;
    const hash = hashSecret(secret);
    const until = this.rejected.get(hash);
    if (until === undefined) return false;
    if (until > now) return true;
    this.rejected.delete(hash);
    return false;
  }

  reject(secret: string, now = Date.now()): void {
    if (this.rejected.size >= NEGATIVE_CACHE_MAX) {
      // Oldest first (insertion order): drop a tenth rather than one per insert.
      let drop = NEGATIVE_CACHE_MAX / 10;
      for (const key of this.rejected.keys()) {
        this.rejected.delete(key);
        if (--drop === 0) break;
      }
    }
    this.rejected.set(hashSecret(secret), now + this.negativeCacheMs);
  }

  get rejectedCount(): number {
    return this.rejected.size;
  }
}
