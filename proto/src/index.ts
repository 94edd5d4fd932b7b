/**
 * @fluxgate/proto: loads `fluxgate.proto` (package `featuretoggle`) and types the messages FluxGate uses.
 *
 * Loader options, fixed for every caller: field names as written (snake_case), int64 as JS numbers
 * (versions and epoch-ms stay far below 2^53), enums as their names, defaults filled in, and the
 * name of the set `oneof` member as a virtual field (`payload: "subscribe"`).
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

export * from "./exposure-detail.ts";
export * from "./messages.ts";

/** The .proto file; in a compiled binary (scripts/build-binaries.ts) the copy embedded in the executable. */
export const PROTO_PATH =
  (globalThis as { __FLUXGATE_EMBEDDED__?: { proto?: string } }).__FLUXGATE_EMBEDDED__?.proto ??
  new URL("../fluxgate.proto", import.meta.url).pathname;
export const SERVICE_NAME = "featuretoggle.FeatureEvaluation";

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface FluxgateProto {
  packageDefinition: protoLoader.PackageDefinition;
  /** The `FeatureEvaluation` service, for `server.addService` and client constructors. */
  service: grpc.ServiceDefinition;
  /** Client constructor of `FeatureEvaluation`. */
  Client: grpc.ServiceClientConstructor;
}

let loaded: FluxgateProto | undefined;

/** Loads the proto once per process. */
export function loadFluxgateProto(): FluxgateProto {
  if (loaded) return loaded;
  const packageDefinition = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
  const service = packageDefinition[SERVICE_NAME] as grpc.ServiceDefinition;
  const Client = grpc.makeGenericClientConstructor(service, "FeatureEvaluation");
  loaded = { packageDefinition, service, Client };
  return loaded;
}
