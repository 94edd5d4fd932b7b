/** Spawns `replica-main.ts` and waits for its port. */
import type { Subprocess } from "bun";

export interface ReplicaProcess {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function spawnReplica(databaseUrl: string): Promise<ReplicaProcess> {
  const proc: Subprocess<"ignore", "pipe", "inherit"> = Bun.spawn(
    ["bun", new URL("./replica-main.ts", import.meta.url).pathname],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdout: "pipe",
      stderr: "inherit",
    },
  );
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 20_000;
  while (!/PORT (\d+)/.test(text)) {
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error(`replica did not start: ${text}`);
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`replica exited: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const port = Number(/PORT (\d+)/.exec(text)?.[1]);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
