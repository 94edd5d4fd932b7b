/**
 * One backend replica as its own process (multi-replica tests and the propagation bench):
 * `DATABASE_URL=… bun replica-main.ts` prints `PORT <grpc port>` once serving and stops on SIGTERM.
 * With `REPLICA_HTTP=1` it is a whole backend (GraphQL over HTTP as `startBackend` serves it, plus delivery as
 * `startBackend` wires it) and prints `HTTP <port>` first. With `DELIVERY_TRACE=1` it also prints every stage
 * timing of delivery as `TRACE <json>` (see `DeliveryTrace`).
 */
import { openDatabase } from "@fluxgate/drizzle";
import { parseConfig } from "../../src/config.ts";
import { type DeliveryTrace, startDelivery } from "../../src/delivery/index.ts";
import { startBackend } from "../../src/main.ts";

const handle = await openDatabase({ url: process.env.DATABASE_URL, migrate: false });
const trace =
  process.env.DELIVERY_TRACE === "1" ? (t: DeliveryTrace) => console.log(`TRACE ${JSON.stringify(t)}`) : undefined;
const backend =
  process.env.REPLICA_HTTP === "1"
    ? await startBackend({
        handle,
        config: { ...parseConfig("", { env: {} }), databaseUrl: process.env.DATABASE_URL, logLevel: "error" },
        hostname: "127.0.0.1",
        port: 0,
        // delivery started below, on the same database handle, with the trace observer
        delivery: false,
      })
    : undefined;
if (backend) console.log(`HTTP ${backend.port}`);
const delivery = await startDelivery({
  db: handle.db,
  handle,
  config: { grpc_addr: "127.0.0.1:0" },
  options: backend ? { trace } : { pollMs: 500, heartbeatMs: 1_000, trace },
});
console.log(`PORT ${delivery.port}`);
process.on("SIGTERM", async () => {
  setTimeout(() => process.exit(0), 5_000).unref();
  await delivery.stop();
  await backend?.stop();
  await handle.close();
  process.exit(0);
});
