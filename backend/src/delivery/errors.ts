/** The one error class delivery services throw; `grpc.ts` maps `code` to a gRPC status. */
export type DeliveryErrorCode =
  | "INVALID_ARGUMENT"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "RESOURCE_EXHAUSTED"
  | "UNAVAILABLE";

export class DeliveryError extends Error {
  override name = "DeliveryError";

  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const invalid = (message: string) => new DeliveryError("INVALID_ARGUMENT", message);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
