/**
 * Client authentication for every rpc: id + secret, the secret compared as SHA-256 hex in constant time; or a bare
 * secret (empty client_id: an edge serving a request that carried only `Authorization: Bearer <secret>`), looked up
 * by its hash (`secret_hash` is unique). Few-second caches (with in-flight de-duplication, so a burst of calls is
 * one query), by id and by secret hash, negative answers included, bounded, invalidated by client changes on the
 * change feed.
 */
import { timingSafeEqual } from "node:crypto";
import { type Db, hashClientSecret } from "@fluxgate/drizzle";
import { type ClientRecord, findClient, findClientBySecretHash } from "./client-repository.ts";
import { DeliveryError, invalid, isUuid } from "./errors.ts";

export type { ClientRecord } from "./client-repository.ts";

interface Entry {
  client: Promise<ClientRecord | null>;
  expiresAt: number;
}

/** Most entries each cache holds by default (a flood of random secrets must not grow it without bound). */
const CACHE_MAX = 10_000;
/** No issued secret is longer (`fgs_` + 40); longer ones are refused without hashing or a query. */
const MAX_SECRET_LENGTH = 256;

export class ClientAuthenticator {
  private readonly cache = new Map<string, Entry>();
  /** Secret hash → the client holding it (null: none), for bare-secret calls. */
  private readonly bySecretHash = new Map<string, Entry>();
  /** Client id → the secret hash it was last found under (to invalidate that entry on a client change). */
  private readonly hashOfClient = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = CACHE_MAX,
  ) {}

  /** Entries held, by id and by secret hash (tests). */
  get cacheSizes(): { byId: number; bySecretHash: number } {
    return { byId: this.cache.size, bySecretHash: this.bySecretHash.size };
  }

  /** The client these credentials belong to; throws INVALID_ARGUMENT, UNAUTHENTICATED or PERMISSION_DENIED. */
  async authenticate(clientId: string, secret: string): Promise<ClientRecord> {
    if (!secret) throw invalid("client_secret is required");
    if (!clientId) return this.authenticateSecret(secret);
    if (!isUuid(clientId)) throw invalid("client_id must be a UUID");
    const client = await this.lookup(clientId.toLowerCase());
    // one message for unknown id and wrong secret: never tell which
    if (!client || !secretMatches(secret, client.secretHash)) {
      throw new DeliveryError("UNAUTHENTICATED", "invalid client credentials");
    }
    if (!client.enabled) throw new DeliveryError("PERMISSION_DENIED", "client is disabled");
    return client;
  }

  /** The client as stored now (cache bypassed and refreshed). */
  async reload(clientId: string): Promise<ClientRecord | null> {
    this.invalidate(clientId);
    return this.lookup(clientId);
  }

  invalidate(clientId: string): void {
    this.cache.delete(clientId);
    const hash = this.hashOfClient.get(clientId);
    if (hash !== undefined) {
      this.hashOfClient.delete(clientId);
      this.bySecretHash.delete(hash);
    }
  }

  /** A bare secret: the client is found by the secret's hash; unknown and wrong look the same (UNAUTHENTICATED). */
  private async authenticateSecret(secret: string): Promise<ClientRecord> {
    const client = secret.length > MAX_SECRET_LENGTH ? null : await this.lookupSecret(hashSecret(secret));
    if (!client || !secretMatches(secret, client.secretHash)) {
      throw new DeliveryError("UNAUTHENTICATED", "invalid client credentials");
    }
    if (!client.enabled) throw new DeliveryError("PERMISSION_DENIED", "client is disabled");
    return client;
  }

  private lookup(clientId: string): Promise<ClientRecord | null> {
    return cached(this.cache, clientId, this.ttlMs, this.maxEntries, () => findClient(this.db, clientId));
  }

  private lookupSecret(hash: string): Promise<ClientRecord | null> {
    return cached(this.bySecretHash, hash, this.ttlMs, this.maxEntries, () =>
      findClientBySecretHash(this.db, hash).then((client) => {
        if (client) this.hashOfClient.set(client.id, hash);
        return client;
      }),
    );
  }
}

/** The cached answer for `key`, else `load()` (shared by concurrent callers; failures are not cached). */
function cached(
  cache: Map<string, Entry>,
  key: string,
  ttlMs: number,
  maxEntries: number,
  load: () => Promise<ClientRecord | null>,
): Promise<ClientRecord | null> {
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expiresAt > now) return hit.client;
  if (hit) cache.delete(key); // re-inserted below: insertion order stays age order
  const client = load();
  const entry = { client, expiresAt: now + ttlMs };
  if (cache.size >= maxEntries) evict(cache, now, maxEntries);
  cache.set(key, entry);
  client.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return client;
}

/** Drops expired entries, then the oldest (insertion order = age) until a tenth is free: amortised O(1) per insert. */
function evict(cache: Map<string, Entry>, now: number, maxEntries: number): void {
  for (const [key, entry] of cache) if (entry.expiresAt <= now) cache.delete(key);
  const target = maxEntries - Math.ceil(maxEntries / 10);
  for (const key of cache.keys()) {
    if (cache.size <= target) break;
    cache.delete(key);
  }
}

/** SHA-256 hex of a client secret, as stored in `clients.secret_hash`. */
export const hashSecret: (secret: string) => string = hashClientSecret;

function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), "utf8");
  const stored = Buffer.from(storedHash.toLowerCase(), "utf8");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
