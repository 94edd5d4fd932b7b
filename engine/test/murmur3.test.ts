import { describe, expect, test } from "bun:test";
import { murmur3_32, murmur3Continue, murmur3Prefix } from "../src/index.ts";

const utf8 = new TextEncoder();

/** A random string mixing ASCII, 2- and 3-byte chars, surrogate pairs and lone surrogates. */
function randomText(random: () => number): string {
  const pools = [
    () => String.fromCharCode(32 + Math.floor(random() * 95)),
    () => String.fromCharCode(0x80 + Math.floor(random() * 0x780)),
    () => String.fromCharCode(0x800 + Math.floor(random() * 0xd000)),
    () => String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff)),
    () => String.fromCharCode(0xd800 + Math.floor(random() * 0x800)),
  ];
  let s = "";
  const length = Math.floor(random() * 24);
  for (let i = 0; i < length; i++) s += pools[random() < 0.6 ? 0 : Math.floor(random() * pools.length)]();
  return s;
}

function seeded(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    return (seed >>> 0) / 4294967296;
  };
}

describe("murmur3_32", () => {
  test("hashing a string equals hashing its TextEncoder bytes, lone surrogates included", () => {
    const random = seeded(7);
    for (let i = 0; i < 20000; i++) {
      const s = randomText(random);
      const seed = i % 3 === 0 ? 0 : (random() * 2 ** 32) >>> 0;
      expect(murmur3_32(s, seed)).toBe(murmur3_32(utf8.encode(s), seed));
    }
  });

  test("a lone surrogate hashes as U+FFFD", () => {
    expect(murmur3_32("a\ud800b")).toBe(murmur3_32("a\ufffdb"));
    expect(murmur3_32("\udc00")).toBe(murmur3_32("\ufffd"));
    expect(murmur3_32("x\ud83d")).toBe(murmur3_32("x\ufffd"));
  });

  test("continuing from a prefix state equals hashing the whole string", () => {
    const random = seeded(11);
    for (let i = 0; i < 5000; i++) {
      // Ends with ":" like `salt + ":"`, so no surrogate pair straddles the split.
      const prefix = `${randomText(random)}:`;
      const suffix = randomText(random);
      expect(murmur3Continue(murmur3Prefix(prefix, 86028157), suffix)).toBe(murmur3_32(prefix + suffix, 86028157));
    }
  });

  test("the result is an unsigned 32-bit integer", () => {
    expect(murmur3_32("ceQdGm")).toBe(4294967295);
    expect(murmur3_32("ejOoVL")).toBe(0);
  });
});
