/**
 * Container health check: `bun deploy/docker/healthcheck.ts <url>` exits 0 when the URL answers 2xx within
 * 3 s, else 1. Used by the Dockerfile's HEALTHCHECK (the images carry no curl or wget).
 */
export {};

const url = process.argv[2];
if (!url) {
  console.error("usage: bun deploy/docker/healthcheck.ts <url>");
  process.exit(2);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
