/** Maps delivery errors to gRPC statuses; anything unexpected becomes INTERNAL without details. */
import * as grpc from "@grpc/grpc-js";
import { DeliveryError, type DeliveryErrorCode } from "./errors.ts";

const STATUS: Record<DeliveryErrorCode, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  NOT_FOUND: grpc.status.NOT_FOUND,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
};

export function toGrpcStatus(code: DeliveryErrorCode): grpc.status {
  return STATUS[code];
}

/** The `ServiceError` to hand grpc-js for any thrown value. */
export function toServiceError(error: unknown): Partial<grpc.StatusObject> {
  if (error instanceof DeliveryError) return { code: STATUS[error.code], details: error.message };
  console.error("delivery: unexpected error", error);
  return { code: grpc.status.INTERNAL, details: "internal error" };
}
