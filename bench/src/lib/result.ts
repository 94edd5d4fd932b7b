/**
 * What one run of a scenario reports to the orchestrator (`bench/src/run.ts`): figures, the checks of its answers
 * made while it measured, and notes. Every scenario is a script `bun scenarios/<id>.ts [--quick] --json <file>`.
 */

/** One figure of one run. `baseline` names the figure of the same run it is compared with (its ratio). */
export interface Metric {
  /** Row label, unique within the scenario, e.g. "edge, 100 flags: req/s". */
  name: string;
  unit: string;
  /** null = unbounded: a latency percentile reached by requests never answered (counts as +∞ in medians). */
  value: number | null;
  better: "higher" | "lower";
  baseline?: string;
}

/** A check of the answers; a failed one fails the run (a benchmark of wrong answers is worthless). */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioRun {
  metrics: Metric[];
  checks: Check[];
  notes: string[];
  /** Set when the scenario could not run here; the reason goes in the table. */
  skipped?: string;
}

export interface ScenarioOptions {
  quick: boolean;
  /** Where to write the `ScenarioRun` JSON; none = print it. */
  json: string | undefined;
}

export function parseArgs(argv: readonly string[] = process.argv): ScenarioOptions {
  const at = argv.indexOf("--json");
  return { quick: argv.includes("--quick"), json: at > 0 ? argv[at + 1] : undefined };
}

/** Collects a run's figures and checks. */
export class RunRecorder {
  readonly metrics: Metric[] = [];
  readonly checks: Check[] = [];
  readonly notes: string[] = [];

  metric(name: string, unit: string, value: number | null, better: Metric["better"], baseline?: string): void {
    // NaN (a figure that could not be read) would turn into null in JSON, i.e. "unbounded": leave it out instead.
    if (Number.isNaN(value)) {
      this.note(`figure missing: ${name}`);
      return;
    }
    this.metrics.push({ name, unit, value, better, ...(baseline ? { baseline } : {}) });
  }

  check(name: string, ok: boolean, detail: string): boolean {
    this.checks.push({ name, ok, detail });
    if (!ok) console.error(`CHECK FAILED  ${name}: ${detail}`);
    return ok;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  result(): ScenarioRun {
    return { metrics: this.metrics, checks: this.checks, notes: this.notes };
  }
}

/**
 * Runs a scenario body and writes its result; a failed check or a throw exits non-zero (after the JSON is written,
 * so the orchestrator can say which check failed).
 */
export async function runScenario(body: (options: ScenarioOptions) => Promise<ScenarioRun>): Promise<void> {
  const options = parseArgs();
  let result: ScenarioRun;
  try {
    result = await body(options);
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(detail);
    result = { metrics: [], checks: [{ name: "scenario ran to the end", ok: false, detail }], notes: [] };
  }
  const text = JSON.stringify(result, null, 2);
  if (options.json) await Bun.write(options.json, text);
  else console.log(text);
  process.exit(result.checks.every((c) => c.ok) ? 0 : 1);
}

export function skipped(reason: string): ScenarioRun {
  return { metrics: [], checks: [], notes: [], skipped: reason };
}
