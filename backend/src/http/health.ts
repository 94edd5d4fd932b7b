/** `/health/live` (the process answers) and `/health` (ready: the database answers). */
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import type { AppDeps } from "../deps";

export function healthRoutes(deps: AppDeps): Hono {
  const routes = new Hono();
  routes.get("/health/live", (c) => c.json({ status: "ok" }));
  routes.get("/health", async (c) => {
    try {
      await deps.db.execute(sql`select 1`);
      return c.json({ status: "ok", database: deps.handle.kind });
    } catch (err) {
      deps.log.warn("health check: database unreachable", { error: err instanceof Error ? err.message : String(err) });
      return c.json({ status: "unavailable", database: deps.handle.kind }, 503);
    }
  });
  return routes;
}
