/** The whole FluxGate data model. */
export * from "./analytics";
export * from "./audit";
export * from "./auth";
export * from "./clients";
export * from "./delivery";
export * from "./environments";
export * from "./features";
export * from "./organisation";
export * from "./targeting";
