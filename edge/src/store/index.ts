/** The edge's flag stores: engine adapter, per-team partition, disk snapshot. */
export * from "./engine.ts";
export * from "./snapshot-file.ts";
export * from "./tenants.ts";
