/** Prometheus text exposition (format 0.0.4): a small writer, and HTTP request counters with a latency histogram. */

export type Labels = Record<string, string>;

/** Builds exposition text metric by metric: HELP and TYPE once, then samples. */
export class PromWriter {
  private readonly lines: string[] = [];

  metric(name: string, type: "counter" | "gauge" | "histogram", help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels?: Labels): this {
    this.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  text(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

function formatLabels(labels: Labels | undefined): string {
  if (!labels) return "";
  const parts: string[] = [];
  for (const key in labels) parts.push(`${key}="${escapeLabel(labels[key])}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** Routes with their own series; anything else counts as `other`. */
export const ROUTES = [
  "evaluate",
  "ofrep_flag",
  "ofrep_bulk",
  "preflight",
  "health",
  "health_live",
  "metrics",
  "docs",
  "openapi",
  "other",
] as const;
export type Route = (typeof ROUTES)[number];
export const ROUTE: { [K in Route]: number } = Object.fromEntries(ROUTES.map((r, i) => [r, i])) as never;

/** Latency bucket bounds in seconds: the hot path lives in the first few. */
const BOUNDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export class HttpMetrics {
  private readonly statuses = ROUTES.map(() => new Map<number, number>());
  /** Per route: one count per bound plus +Inf (not cumulative; summed when rendered). */
  private readonly buckets = ROUTES.map(() => new Float64Array(BOUNDS.length + 1));
  private readonly sums = new Float64Array(ROUTES.length);

  /** Records one request: route index (ROUTE), status, duration in seconds. */
  observe(route: number, status: number, seconds: number): void {
    const statuses = this.statuses[route];
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    let b = 0;
    while (b < BOUNDS.length && seconds > BOUNDS[b]) b++;
    this.buckets[route][b]++;
    this.sums[route] += seconds;
  }

  write(w: PromWriter): void {
    w.metric("fluxgate_edge_http_requests_total", "counter", "HTTP requests by route and status.");
    ROUTES.forEach((route, i) => {
      for (const [status, count] of this.statuses[i]) {
        w.sample("fluxgate_edge_http_requests_total", count, { route, status: String(status) });
      }
    });
    const name = "fluxgate_edge_http_request_duration_seconds";
    w.metric(name, "histogram", "HTTP request latency by route, from handler start to response.");
    ROUTES.forEach((route, i) => {
      const counts = this.buckets[i];
      let cumulative = 0;
      for (let b = 0; b < BOUNDS.length; b++) {
        cumulative += counts[b];
        w.sample(`${name}_bucket`, cumulative, { route, le: String(BOUNDS[b]) });
      }
      cumulative += counts[BOUNDS.length];
      w.sample(`${name}_bucket`, cumulative, { route, le: "+Inf" });
      w.sample(`${name}_sum`, this.sums[i], { route });
      w.sample(`${name}_count`, cumulative, { route });
    });
  }
}
