/**
 * Pre-encoded `FeatureUpdate` frames. A change is encoded once and the same bytes are written to every
 * stream that should get it (the server's StreamUpdates serializer passes Buffers through). A frame is
 * the header fields concatenated with the `feature` field: protobuf merges concatenated encodings.
 */
import { deflateRawSync } from "node:zlib";
import { type FeatureFull, type FeatureUpdate, loadFluxgateProto, type Outgoing } from "@fluxgate/proto";

const serialize = loadFluxgateProto().service.StreamUpdates.responseSerialize as (
  value: Outgoing<FeatureUpdate>,
) => Buffer;

/** Encodes a whole update. */
export function frame(update: Outgoing<FeatureUpdate>): Buffer {
  return serialize(update);
}

/** The encoded `feature` field (field 3) alone, to be appended to headers. */
export function featureChunk(feature: FeatureFull): Buffer {
  return serialize({ feature });
}

/** The encoded `flags_json` field (field 12) alone: a compact snapshot chunk, to be appended to a SNAPSHOT header. */
export function flagsJsonField(json: string): Buffer {
  return serialize({ flags_json: json });
}

/** The encoded `flags_json_deflate` field (field 13) alone: a chunk's JSON, raw-deflated. */
export function flagsJsonDeflateField(json: string): Buffer {
  return serialize({ flags_json_deflate: deflateRawSync(json, { level: DEFLATE_LEVEL }) });
}

/** zlib level of snapshot chunks: ~10x smaller JSON for ~10 ms a megabyte, once per chunk (they are cached). */
const DEFLATE_LEVEL = 3;

/** UPSERT or SNAPSHOT of a pre-encoded feature. */
export function featureFrame(
  action: "UPSERT" | "SNAPSHOT",
  version: number,
  chunk: Buffer,
  moreFollows = false,
): Buffer {
  const header = serialize({ message_id: crypto.randomUUID(), action, version, more_follows: moreFollows });
  return Buffer.concat([header, chunk]);
}

export function deleteFrame(version: number, key: string, featureId: string, moreFollows = false): Buffer {
  return frame({
    message_id: crypto.randomUUID(),
    action: "DELETE",
    version,
    feature_key: key,
    feature_id: featureId,
    more_follows: moreFollows,
  });
}

export function heartbeatFrame(version: number): Buffer {
  return frame({ message_id: crypto.randomUUID(), action: "HEARTBEAT", version });
}
