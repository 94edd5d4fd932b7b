/** The machine a bench ran on, as BENCHMARKS.md quotes it. */
import { availableParallelism, loadavg, release, totalmem } from "node:os";

export interface Machine {
  nproc: number;
  cpu: string;
  ramGb: number;
  bun: string;
  node: string | null;
  kernel: string;
  commit: string;
  /** 1-minute load average at the start and end of the run: how shared the machine was. */
  loadAtStart: number;
  loadAtEnd?: number;
}

export async function describeMachine(): Promise<Machine> {
  const cpuinfo = await Bun.file("/proc/cpuinfo")
    .text()
    .catch(() => "");
  const node = Bun.which("node") ? (await Bun.$`node --version`.nothrow().text()).trim() : null;
  const commit = (await Bun.$`git rev-parse --short HEAD`.nothrow().quiet().text()).trim();
  const dirty = (await Bun.$`git status --porcelain --untracked-files=no`.nothrow().quiet().text()).trim();
  return {
    nproc: availableParallelism(),
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    bun: Bun.version,
    node,
    kernel: release(),
    commit: `${commit || "unknown"}${dirty ? " (with uncommitted changes in the tree)" : ""}`,
    loadAtStart: loadavg()[0],
  };
}

export function machineLine(m: Machine): string {
  const load = `load ${m.loadAtStart.toFixed(1)}${m.loadAtEnd === undefined ? "" : ` → ${m.loadAtEnd.toFixed(1)}`}`;
  return (
    `${m.nproc} CPUs (${m.cpu}), ${m.ramGb} GB RAM, Linux ${m.kernel}, Bun ${m.bun}` +
    `${m.node ? `, Node ${m.node}` : ""}; commit ${m.commit}; ${load}`
  );
}
