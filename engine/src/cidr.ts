/** IPv4 and IPv6 addresses and CIDR blocks as 32-bit words, for `ip_in_cidr`. */

/** A parsed CIDR: `[family 4|6, prefix length, w0, w1, w2, w3]` (IPv4 uses w0 only). */
export type Cidr = Int32Array;

/** Where parseIp() leaves the address words. */
export const ipWords = new Int32Array(4);

const IPV4 =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** An IPv4 dotted quad (no leading zeros) as an int, or undefined. */
function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (m === null) return undefined;
  return (Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4]);
}

/** IPv6 text (with `::` and an optional dotted IPv4 tail) as 8 16-bit groups, or undefined. */
function parseIpv6Groups(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  const parts = halves.length === 2 ? tail : head;
  const last = parts[parts.length - 1];
  if (last?.includes(".")) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    parts.splice(parts.length - 1, 1, ((v4 >>> 16) & 0xffff).toString(16), (v4 & 0xffff).toString(16));
  }
  if (!head.concat(tail).every((g) => HEX_GROUP.test(g))) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail].map((g) =>
    Number.parseInt(g, 16),
  );
}

/**
 * Parses an IPv4 or IPv6 address into `ipWords` and returns its family (4 or 6), or 0 when invalid.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address, so it matches IPv4 blocks.
 */
export function parseIp(text: string): 0 | 4 | 6 {
  const v4 = text.includes(":") ? undefined : parseIpv4(text);
  if (v4 !== undefined) {
    ipWords[0] = v4;
    return 4;
  }
  const g = text.includes(":") ? parseIpv6Groups(text) : undefined;
  if (g === undefined) return 0;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    ipWords[0] = (g[6] << 16) | g[7];
    return 4;
  }
  for (let i = 0; i < 4; i++) ipWords[i] = (g[2 * i] << 16) | g[2 * i + 1];
  return 6;
}

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address (a single host); undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = parseIp(address);
  if (family === 0) return undefined;
  const max = family === 4 && !address.includes(":") ? 32 : 128;
  const bitsText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText) || Number(bitsText) > max) return undefined;
  // An IPv4-mapped block (`::ffff:10.0.0.0/104`) is the IPv4 block it maps.
  const bits = family === 4 && max === 128 ? Number(bitsText) - 96 : Number(bitsText);
  if (bits < 0) return undefined;
  return Int32Array.of(family, bits, ipWords[0], ipWords[1], ipWords[2], ipWords[3]);
}

/** Whether the address last parsed into `ipWords` (of `family`) lies in `cidr`. */
export function cidrContains(cidr: Cidr, family: number): boolean {
  if (cidr[0] !== family) return false;
  const words = family === 4 ? 1 : 4;
  for (let i = 0; i < words; i++) {
    const bits = Math.min(32, Math.max(0, cidr[1] - 32 * i));
    if (bits === 0) return true;
    const mask = bits === 32 ? -1 : ~(-1 >>> bits);
    if (((ipWords[i] ^ cidr[2 + i]) & mask) !== 0) return false;
  }
  return true;
}
