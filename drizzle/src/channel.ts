/** LISTEN/NOTIFY channel names, checked once so both drivers agree on them. */

/**
 * Channels are case-sensitive and quoted on both drivers (postgres.js quotes them; PGlite lowercases an
 * unquoted name, so we quote for it). A double quote would need escaping that PGlite does not do.
 */
export function checkChannel(channel: string): string {
  if (channel.length === 0 || channel.length > 63 || channel.includes('"')) {
    throw new Error(`invalid LISTEN channel ${JSON.stringify(channel)}: 1-63 characters, no double quote`);
  }
  return channel;
}
