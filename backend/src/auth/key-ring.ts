/**
 * The JWT signing key ring, stored in the database so every replica shares it. One key is active (signs new
 * tokens); a retired key keeps verifying the tokens it signed until `verify_until` (= retirement + token TTL),
 * so rotation logs nobody out. Verification keys are cached briefly; an unknown `kid` triggers a reload.
 */
import { randomBytes } from "node:crypto";
import type { Db, Executor } from "@fluxgate/drizzle";
import * as repo from "./repository";

const CACHE_SECONDS = 30;
/** At most one reload per second caused by unknown `kid`s (forged tokens must not hammer the database). */
const MISS_RELOAD_SECONDS = 1;

interface CachedKey {
  secret: Uint8Array;
  isActive: boolean;
  verifyUntil: Date | null;
}

export const newSecret = (): string => randomBytes(32).toString("base64");
const keyBytes = (secret: string): Uint8Array => new Uint8Array(Buffer.from(secret, "base64"));

export class KeyRing {
  private cache = new Map<string, CachedKey>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  /** Creates the first active key when there is none (race-safe across replicas). */
  async ensureActiveKey(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await repo.lockKeyRing(tx);
      if (!(await repo.activeSigningKey(tx))) await repo.insertSigningKey(tx, newSecret(), null);
    });
  }

  /** The active key, read from the database (signing is rare; a stale cached key must never sign). */
  async signingKey(ex: Executor): Promise<{ id: string; secret: Uint8Array }> {
    let key = await repo.activeSigningKey(ex);
    if (!key) {
      await this.ensureActiveKey();
      key = await repo.activeSigningKey(this.db);
    }
    if (!key) throw new Error("no active JWT signing key after creating one");
    return { id: key.id, secret: keyBytes(key.secret) };
  }

  /** Secret that verifies tokens carrying `kid` at `now`, or undefined (unknown, or retired past its grace). */
  async verificationKey(kid: string, now: Date): Promise<Uint8Array | undefined> {
    const age = (Date.now() - this.loadedAt) / 1000;
    if (age > CACHE_SECONDS || (!this.cache.has(kid) && age > MISS_RELOAD_SECONDS)) await this.reload(now);
    const key = this.cache.get(kid);
    if (!key) return undefined;
    return key.isActive || (key.verifyUntil !== null && key.verifyUntil > now) ? key.secret : undefined;
  }

  /** Retires the active key (verifying for `graceSeconds` more) and activates a new one. Call inside a transaction. */
  async rotate(tx: Executor, createdBy: string | null, now: Date, graceSeconds: number): Promise<repo.SigningKeyRow> {
    await repo.lockKeyRing(tx);
    await repo.retireActiveKey(tx, now, new Date(now.getTime() + graceSeconds * 1000));
    const key = await repo.insertSigningKey(tx, newSecret(), createdBy);
    this.invalidate();
    return key;
  }

  /** Forget cached keys (after a change made by this process). */
  invalidate(): void {
    this.loadedAt = 0;
  }

  private reload(now: Date): Promise<void> {
    this.loading ??= repo
      .verifyingKeys(this.db, now)
      .then((rows) => {
        this.cache = new Map(
          rows.map((r) => [r.id, { secret: keyBytes(r.secret), isActive: r.isActive, verifyUntil: r.verifyUntil }]),
        );
        this.loadedAt = Date.now();
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
