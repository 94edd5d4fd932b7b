/**
 * MurmurHash3 x86_32 over the UTF-8 bytes of a string (bucketing.md, Hash), without allocating:
 * bytes are produced from char codes on the fly and fed straight into the 4-byte block mixer.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Murmur state after some bytes: `[h1, pending bytes (little-endian), pending count 0..3, byte length]`. */
export type MurmurState = Int32Array;

// feed() leaves its state here, so the hot path returns four ints without an allocation.
const scratch = new Int32Array(4);

/** Mixes one full 4-byte block `k` into `h`. */
function mix(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, C2);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Continues the state `(h, k, n, len)` over the UTF-8 bytes of `s` from `start`; the new state lands in `scratch`. */
function feed(h: number, k: number, n: number, len: number, s: string, start: number): void {
  const end = s.length;
  let i = start;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (n === 0 && i + 4 <= end) {
        // ASCII fast path: four chars are one block, no byte shuffling.
        const c1 = s.charCodeAt(i + 1);
        const c2 = s.charCodeAt(i + 2);
        const c3 = s.charCodeAt(i + 3);
        if ((c1 | c2 | c3) < 0x80) {
          h = mix(h, c | (c1 << 8) | (c2 << 16) | (c3 << 24));
          i += 4;
          len += 4;
          continue;
        }
      }
      // One ASCII byte into a partial block (after a prefix whose length is not a multiple of 4).
      k |= c << (n << 3);
      i++;
      len++;
      if (++n === 4) {
        h = mix(h, k);
        k = 0;
        n = 0;
      }
      continue;
    }
    i++;
    let bytes: number; // up to 4 UTF-8 bytes packed little-endian
    let count: number;
    if (c < 0x800) {
      bytes = 0xc0 | (c >> 6) | ((0x80 | (c & 63)) << 8);
      count = 2;
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i < end ? s.charCodeAt(i) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          i++;
          const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          bytes =
            0xf0 |
            (cp >> 18) |
            ((0x80 | ((cp >> 12) & 63)) << 8) |
            ((0x80 | ((cp >> 6) & 63)) << 16) |
            ((0x80 | (cp & 63)) << 24);
          count = 4;
        } else {
          // Lone surrogate: U+FFFD, as TextEncoder does.
          bytes = 0xef | (0xbf << 8) | (0xbd << 16);
          count = 3;
        }
      } else {
        bytes = 0xe0 | (c >> 12) | ((0x80 | ((c >> 6) & 63)) << 8) | ((0x80 | (c & 63)) << 16);
        count = 3;
      }
    }
    len += count;
    for (let b = 0; b < count; b++) {
      k |= ((bytes >>> (b * 8)) & 0xff) << (n * 8);
      if (++n === 4) {
        h = mix(h, k);
        k = 0;
        n = 0;
      }
    }
  }
  scratch[0] = h;
  scratch[1] = k;
  scratch[2] = n;
  scratch[3] = len;
}

/** Finalises the state in `scratch` into an unsigned 32-bit hash. */
function finish(): number {
  return finalize(scratch[0], scratch[1], scratch[2], scratch[3]);
}

/** Finalises the state `(h, k, n, len)` into an unsigned 32-bit hash. */
function finalize(h: number, k: number, n: number, len: number): number {
  if (n > 0) {
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 x86_32 of a string's UTF-8 bytes (or of raw bytes), as an unsigned integer. */
export function murmur3_32(input: string | Uint8Array, seed = 0): number {
  if (typeof input === "string") {
    feed(seed | 0, 0, 0, 0, input, 0);
    return finish();
  }
  let h = seed | 0;
  const blocks = input.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    h = mix(h, input[i] | (input[i + 1] << 8) | (input[i + 2] << 16) | (input[i + 3] << 24));
  }
  let k = 0;
  for (let i = blocks; i < input.length; i++) k |= input[i] << ((i - blocks) * 8);
  scratch[0] = h;
  scratch[1] = k;
  scratch[2] = input.length - blocks;
  scratch[3] = input.length;
  return finish();
}

/** The state after hashing `prefix` with `seed`, to continue over many suffixes (e.g. `salt + ":"`). */
export function murmur3Prefix(prefix: string, seed = 0): MurmurState {
  feed(seed | 0, 0, 0, 0, prefix, 0);
  return scratch.slice();
}

/** murmur3Prefix written into `states[offset..offset+3]` (the store's table) instead of a new array. */
export function murmur3PrefixInto(states: MurmurState, offset: number, prefix: string, seed: number): void {
  feed(seed | 0, 0, 0, 0, prefix, 0);
  states.set(scratch, offset);
}

/**
 * Hash of `prefix + suffix` from the prefix state stored at `states[offset..offset+3]`. The store's hot path:
 * ASCII in local variables (feed's loop without its calls and `scratch`), the rest handed to feed.
 */
export function murmur3Continue(states: MurmurState, suffix: string, offset = 0): number {
  let h = states[offset];
  let k = states[offset + 1];
  let n = states[offset + 2];
  const end = suffix.length;
  let i = 0;
  while (i < end) {
    const c = suffix.charCodeAt(i);
    if (c >= 0x80) {
      feed(h, k, n, states[offset + 3] + i, suffix, i);
      return finish();
    }
    if (n === 0 && i + 4 <= end) {
      const c1 = suffix.charCodeAt(i + 1);
      const c2 = suffix.charCodeAt(i + 2);
      const c3 = suffix.charCodeAt(i + 3);
      if ((c1 | c2 | c3) < 0x80) {
        h = mix(h, c | (c1 << 8) | (c2 << 16) | (c3 << 24));
        i += 4;
        continue;
      }
    }
    k |= c << (n << 3);
    i++;
    if (++n === 4) {
      h = mix(h, k);
      k = 0;
      n = 0;
    }
  }
  return finalize(h, k, n, states[offset + 3] + end);
}

/** Hash of `a + b + c` without building the concatenated string. */
export function murmur3Concat(a: string, b: string, c: string, seed = 0): number {
  feed(seed | 0, 0, 0, 0, a, 0);
  feed(scratch[0], scratch[1], scratch[2], scratch[3], b, 0);
  feed(scratch[0], scratch[1], scratch[2], scratch[3], c, 0);
  return finish();
}
