/** The gRPC client of the backend, shared by the update stream and the unary calls of one sync client. */

import { loadFluxgateProto } from "@fluxgate/proto";
import * as grpc from "@grpc/grpc-js";

export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.max_receive_message_length": 64 * 1024 * 1024,
  // a 10,000-flag snapshot is ~9 MB: a 16 MB window lets it stream without waiting on window updates
  "grpc-node.flow_control_window": 16 * 1024 * 1024,
  "grpc.max_send_message_length": 8 * 1024 * 1024,
  "grpc.initial_reconnect_backoff_ms": 1_000,
  "grpc.max_reconnect_backoff_ms": 30_000,
};

/** `http://host:port` (plaintext), `https://host:port` (TLS) or bare `host:port`. */
export function createBackendClient(backendUrl: string, options: grpc.ChannelOptions = {}): grpc.Client {
  const tls = backendUrl.startsWith("https://");
  const target = backendUrl.replace(/^https?:\/\//, "").replace(/\/+$/, "");
  const credentials = tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
  const { Client } = loadFluxgateProto();
  return new Client(target, credentials, { ...CHANNEL_OPTIONS, ...options });
}
