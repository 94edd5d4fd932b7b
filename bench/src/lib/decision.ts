/** Reading the benchmark flag's decision out of a reply body; undefined = not the expected shape. */

/** How a reply body becomes a decision: `evaluate` = FluxGate `/evaluate`, `unleash-proxy` = `POST /proxy`. */
export type ReplyShape = "evaluate" | "unleash-proxy";

interface EvaluateReply {
  enabled?: unknown;
  reason?: unknown;
  version?: unknown;
}

interface ProxyReply {
  toggles?: { name?: unknown; enabled?: unknown }[];
}

export function decisionOf(body: string, shape: ReplyShape, flag?: string): boolean | undefined {
  let reply: unknown;
  try {
    reply = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof reply !== "object" || reply === null) return undefined;
  if (shape === "evaluate") {
    const r = reply as EvaluateReply;
    const ok = typeof r.enabled === "boolean" && typeof r.reason === "string" && typeof r.version === "number";
    return ok ? (r.enabled as boolean) : undefined;
  }
  const toggle = (reply as ProxyReply).toggles?.[0];
  return toggle?.name === flag && typeof toggle?.enabled === "boolean" ? toggle.enabled : undefined;
}
