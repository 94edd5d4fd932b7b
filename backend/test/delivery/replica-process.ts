/** Spawns `replica-main.ts` with the running bun and waits for its port; optionally collects its stage timings. */
import type { Subprocess } from "bun";
import type { DeliveryTrace } from "../../src/delivery/index.ts";

export interface ReplicaProcess {
  /** gRPC port. */
  port: number;
  /** gRPC URL for sync clients. */
  url: string;
  /** `http://127.0.0.1:<port>` of GraphQL (with `http`). */
  httpUrl?: string;
  pid: number;
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  /** Receives the replica's stage timings (sets `DELIVERY_TRACE=1`). */
  onTrace?: (trace: DeliveryTrace) => void;
  /** Command prefix, e.g. `["taskset", "-c", "1"]` to pin the replica to a CPU. */
  wrap?: string[];
  /** A whole backend (GraphQL over HTTP too), not delivery alone. */
  http?: boolean;
}

export async function spawnReplica(databaseUrl: string, options: ReplicaOptions = {}): Promise<ReplicaProcess> {
  const proc: Subprocess<"ignore", "pipe", "inherit"> = Bun.spawn(
    [...(options.wrap ?? []), process.execPath, new URL("./replica-main.ts", import.meta.url).pathname],
    {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        DELIVERY_TRACE: options.onTrace ? "1" : "",
        REPLICA_HTTP: options.http ? "1" : "",
      },
      stdout: "pipe",
      stderr: "inherit",
    },
  );
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  // a whole backend imports a lot: on a loaded machine two starting at once took ~15 s
  const deadline = Date.now() + (options.http ? 90_000 : 20_000);
  while (!/PORT (\d+)\n/.test(text)) {
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error(`replica did not start: ${text}`);
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`replica exited: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  const port = Number(/PORT (\d+)/.exec(text)?.[1]);
  const httpPort = /HTTP (\d+)/.exec(text)?.[1];
  // keep draining stdout (a full pipe would block the replica), handing TRACE lines on
  let rest = text.slice(text.indexOf("\n", text.indexOf("PORT ")) + 1);
  const drained = (async () => {
    for (;;) {
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("TRACE ")) options.onTrace?.(JSON.parse(line.slice(6)) as DeliveryTrace);
        else if (line) console.log(line);
      }
      const { value, done } = await reader.read();
      if (done) return;
      rest += decoder.decode(value, { stream: true });
    }
  })();
  return {
    port,
    pid: proc.pid,
    url: `http://127.0.0.1:${port}`,
    httpUrl: httpPort ? `http://127.0.0.1:${httpPort}` : undefined,
    stop: async () => {
      proc.kill("SIGTERM");
      const killed = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await proc.exited;
      clearTimeout(killed);
      await drained.catch(() => {});
    },
  };
}
