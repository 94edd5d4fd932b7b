/**
 * Unary calls to the backend with a deadline per attempt, retrying only UNAVAILABLE and
 * DEADLINE_EXCEEDED with capped, jittered exponential backoff (never the original's base^n).
 */
import * as grpc from "@grpc/grpc-js";
import { type BackoffPolicy, jitteredDelay } from "./backoff.ts";

export interface RetryPolicy extends BackoffPolicy {
  /** Attempts in total, the first included. */
  attempts: number;
  /** Deadline of each attempt. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, initialMs: 250, maxMs: 5_000, timeoutMs: 5_000 };

const RETRYABLE = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);

export function isRetryable(error: unknown): boolean {
  return RETRYABLE.has((error as grpc.ServiceError)?.code);
}

/** One attempt of an rpc, as a promise; `start` issues the call with the deadline it is given. */
export type Attempt<T> = (deadline: Date) => Promise<T>;

export async function withRetry<T>(attempt: Attempt<T>, policy: RetryPolicy, isStopped: () => boolean): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(new Date(Date.now() + policy.timeoutMs));
    } catch (error) {
      if (!isRetryable(error) || n + 1 >= policy.attempts || isStopped()) throw error;
      await Bun.sleep(jitteredDelay(policy, n));
    }
  }
}

/** Calls a unary method of a generic client. */
export function callUnary<Req, Res>(client: grpc.Client, method: string, request: Req, deadline: Date): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method];
    fn.call(client, request, { deadline }, (error: grpc.ServiceError | null, response: Res) => {
      if (error) reject(error);
      else resolve(response);
    });
  });
}

/** Calls a client-streaming method: writes every message, then half-closes. */
export function callClientStream<Req, Res>(
  client: grpc.Client,
  method: string,
  messages: Req[],
  deadline: Date,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method];
    const call = fn.call(client, { deadline }, (error: grpc.ServiceError | null, response: Res) => {
      if (error) reject(error);
      else resolve(response);
    }) as grpc.ClientWritableStream<Req>;
    for (const m of messages) call.write(m);
    call.end();
  });
}
