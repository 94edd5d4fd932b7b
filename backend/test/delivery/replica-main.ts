/**
 * One delivery replica as its own process (multi-replica tests and the propagation bench):
 * `DATABASE_URL=… bun replica-main.ts` prints `PORT <n>` once serving and stops on SIGTERM.
 */
import { openDatabase } from "@fluxgate/drizzle";
import { startDelivery } from "../../src/delivery/index.ts";

const handle = await openDatabase({ url: process.env.DATABASE_URL, migrate: false });
const delivery = await startDelivery({
  db: handle.db,
  handle,
  config: { grpc_addr: "127.0.0.1:0" },
  options: { pollMs: 500, heartbeatMs: 1_000 },
});
console.log(`PORT ${delivery.port}`);
process.on("SIGTERM", async () => {
  await delivery.stop();
  await handle.close();
  process.exit(0);
});
