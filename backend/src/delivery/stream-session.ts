/**
 * One open StreamUpdates call: an ordered queue of encoded frames written with back-pressure. A stream
 * that falls too far behind is ended with RESOURCE_EXHAUSTED; the edge resubscribes with its version
 * and catches up from the change log, rather than the backend buffering without bound.
 */
import type * as grpc from "@grpc/grpc-js";
import type { ClientRecord } from "./auth.ts";
import type { DeliveryErrorCode } from "./errors.ts";
import { toGrpcStatus } from "./status.ts";
import type { SnapshotForm } from "./team-state.ts";

export class StreamSession {
  closed = false;
  private queue: Buffer[] = [];
  private head = 0;
  private waitingForDrain = false;
  /** Frames allowed to wait on top of the last snapshot's size. */
  private allowance: number;

  constructor(
    private readonly call: grpc.ServerDuplexStream<unknown, Buffer>,
    readonly client: ClientRecord,
    /** Kept to re-check the credentials while the stream is open. */
    readonly secret: string,
    private readonly maxQueued: number,
    /** How the client asked for snapshots. */
    readonly form: SnapshotForm,
    private readonly onClose: (session: StreamSession) => void,
  ) {
    this.allowance = maxQueued;
  }

  /** Environment the client is bound to: it only ever receives that stage. */
  get environmentId(): string | null {
    return this.client.environmentId;
  }

  /** Queues frames; ends the stream when the client cannot keep up. */
  send(frames: Buffer | Buffer[]): void {
    if (this.closed) return;
    if (Array.isArray(frames)) for (const f of frames) this.queue.push(f);
    else this.queue.push(frames);
    if (this.queue.length - this.head > this.allowance) {
      this.fail("RESOURCE_EXHAUSTED", "stream lagged behind; resubscribe with since_version");
      return;
    }
    this.pump();
  }

  /** Queues a snapshot, which may legitimately exceed the live backlog limit by its own size. */
  sendSnapshot(frames: Buffer[]): void {
    this.allowance = this.maxQueued + frames.length;
    this.send(frames);
  }

  /** Ends the call with an error status. */
  fail(code: DeliveryErrorCode, message: string): void {
    if (this.closed) return;
    this.release();
    this.call.emit("error", { code: toGrpcStatus(code), details: message });
  }

  /** Ends the call normally (the client half-closed). */
  end(): void {
    if (this.closed) return;
    this.release();
    this.call.end();
  }

  /** The call went away (cancelled, errored): stop writing. */
  detach(): void {
    if (!this.closed) this.release();
  }

  private release(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.onClose(this);
  }

  private pump(): void {
    if (this.waitingForDrain) return;
    while (this.head < this.queue.length && !this.closed) {
      const ok = this.call.write(this.queue[this.head++]);
      if (!ok) {
        this.waitingForDrain = true;
        this.call.once("drain", () => {
          this.waitingForDrain = false;
          this.pump();
        });
        break;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
