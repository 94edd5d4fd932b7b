import { describe, expect, test } from "bun:test";
import {
  murmur3_32,
  murmur3Continue,
  murmur3Prefix,
  ROLLOUT_SEED,
  rolloutBucket,
  VARIANT_SEED,
  variantBucket,
} from "../src/index.ts";
import vectors from "./bucketing-vectors.json";

const utf8 = new TextEncoder();

describe("bucketing vectors (bucketing.md)", () => {
  test("the vector file is the algorithm the engine implements", () => {
    expect(vectors.algorithm).toBe("fluxgate-bucketing-v1");
    expect([vectors.rollout_seed, vectors.variant_seed, vectors.rollout_scale]).toEqual([
      ROLLOUT_SEED,
      VARIANT_SEED,
      100000,
    ]);
  });

  test.each(vectors.raw_hashes.map((v) => [v.input, v]))("murmur3 of %p matches with both seeds", (_, v) => {
    expect(murmur3_32(v.input, v.seed)).toBe(v.hash);
    expect(murmur3_32(v.input, VARIANT_SEED)).toBe(v.hash_variant_seed);
    expect(murmur3_32(utf8.encode(v.input), v.seed)).toBe(v.hash);
  });

  test.each(vectors.cases.map((c) => [c.input, c]))("case %p gives its hashes and buckets", (_, c) => {
    expect(c.input).toBe(`${c.salt}:${c.value}`);
    expect(murmur3_32(c.input, ROLLOUT_SEED)).toBe(c.hash);
    expect(murmur3_32(c.input, VARIANT_SEED)).toBe(c.variant_hash);
    expect(rolloutBucket(c.salt, c.value)).toBe(c.rollout_bucket);
    expect(variantBucket(c.salt, c.value, 100000)).toBe(c.variant_bucket_w100000);
    expect(variantBucket(c.salt, c.value, 3)).toBe(c.variant_bucket_w3);
  });

  test.each(vectors.cases.map((c) => [c.input, c]))("case %p hashes the same from a cached salt prefix", (_, c) => {
    expect(murmur3Continue(murmur3Prefix(`${c.salt}:`, ROLLOUT_SEED), c.value)).toBe(c.hash);
    expect(murmur3Continue(murmur3Prefix(`${c.salt}:`, VARIANT_SEED), c.value)).toBe(c.variant_hash);
  });
});
