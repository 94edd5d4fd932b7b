/**
 * Client authentication for every rpc: id + secret, the secret compared as SHA-256 hex in constant time.
 * A few-second cache (with in-flight de-duplication, so a burst of calls is one query) is invalidated
 * by client changes on the change feed.
 */
import { timingSafeEqual } from "node:crypto";
import { type Db, hashClientSecret } from "@fluxgate/drizzle";
import { type ClientRecord, findClient } from "./client-repository.ts";
import { DeliveryError, invalid, isUuid } from "./errors.ts";

export type { ClientRecord } from "./client-repository.ts";

interface Entry {
  client: Promise<ClientRecord | null>;
  expiresAt: number;
}

export class ClientAuthenticator {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
  ) {}

  /** The client these credentials belong to; throws INVALID_ARGUMENT, UNAUTHENTICATED or PERMISSION_DENIED. */
  async authenticate(clientId: string, secret: string): Promise<ClientRecord> {
    if (!clientId) throw invalid("client_id is required");
    if (!secret) throw invalid("client_secret is required");
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
  }

  private lookup(clientId: string): Promise<ClientRecord | null> {
    const now = Date.now();
    const hit = this.cache.get(clientId);
    if (hit && hit.expiresAt > now) return hit.client;
    const client = findClient(this.db, clientId);
    const entry = { client, expiresAt: now + this.ttlMs };
    this.cache.set(clientId, entry);
    client.catch(() => {
      if (this.cache.get(clientId) === entry) this.cache.delete(clientId);
    });
    if (this.cache.size > 10_000) this.evictExpired(now);
    return client;
  }

  private evictExpired(now: number): void {
    for (const [id, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(id);
  }
}

/** SHA-256 hex of a client secret, as stored in `clients.secret_hash`. */
export const hashSecret: (secret: string) => string = hashClientSecret;

function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), "utf8");
  const stored = Buffer.from(storedHash.toLowerCase(), "utf8");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
