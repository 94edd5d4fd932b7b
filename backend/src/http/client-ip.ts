/** The caller's IP: from the socket, or the last `X-Forwarded-For` hop when a trusted proxy sits in front. */
import type { Server } from "bun";

export function clientIp(request: Request, server: Server<unknown> | undefined, trustProxy: boolean): string | null {
  if (trustProxy) {
    const hops = request.headers
      .get("x-forwarded-for")
      ?.split(",")
      .map((h) => h.trim())
      .filter(Boolean);
    // the last hop is the one our proxy appended; earlier ones are whatever the client claimed
    if (hops?.length) return hops[hops.length - 1];
  }
  return server?.requestIP(request)?.address ?? null;
}
