/** Rollout and variant buckets, exactly as bucketing.md (fluxgate-bucketing-v1) defines them. */
import { murmur3Concat } from "./murmur3.ts";

export const BUCKETING_VERSION = "fluxgate-bucketing-v1";
export const ROLLOUT_SEED = 0;
export const VARIANT_SEED = 86028157;
/** Buckets per rollout: resolution 0.001 %. */
export const ROLLOUT_SCALE = 100_000;
export const MAX_SPLIT_TOTAL = 1_000_000;

const TWO_POW_32 = 4294967296;

/** `floor(hash * scale / 2^32)`: exact in doubles for scale ≤ 2^20 (bucketing.md, Rollout decision). */
export function bucketOf(hash: number, scale: number): number {
  return Math.floor((hash * scale) / TWO_POW_32);
}

/** Rollout bucket 0..99999 of `value` for a flag salted with `salt`. */
export function rolloutBucket(salt: string, value: string): number {
  return bucketOf(murmur3Concat(salt, ":", value, ROLLOUT_SEED), ROLLOUT_SCALE);
}

/** Variant bucket 0..totalWeight-1 of `value` for a flag salted with `salt`. */
export function variantBucket(salt: string, value: string, totalWeight: number): number {
  return bucketOf(murmur3Concat(salt, ":", value, VARIANT_SEED), totalWeight);
}

/** A rollout percentage (0..100, 3 decimals) as the bucket threshold `round(p * 1000)`. */
export function rolloutThreshold(percent: number): number {
  return Math.round(percent * 1000);
}

/** Index of the first cumulative weight greater than `bucket` (bucketing.md, Variant split). */
export function pickByCumulative(cumulative: ArrayLike<number>, start: number, end: number, bucket: number): number {
  for (let i = start; i < end; i++) if (cumulative[i] > bucket) return i;
  return end - 1; // unreachable for bucket < total; keeps the result in range
}
