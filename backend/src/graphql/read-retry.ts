/**
 * A read that lost its database connection (Postgres restarted or failed over; the pool still held a socket to
 * the old server) is run once more on a fresh connection, so callers see a restart as a short delay rather than
 * an INTERNAL error. Only reads: a query operation, and the caller's authentication. A mutation is never re-run,
 * since its first attempt may have committed before the connection went.
 */
import { isConnectionLost } from "@fluxgate/drizzle";
import type { ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import { operationShape } from "./operation-access";

/** Gives the pool a moment to notice the dead sockets before the second attempt. */
const RETRY_DELAY_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `read`, and once more after a connection loss. */
export async function retryRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isConnectionLost(error)) throw error;
    await sleep(RETRY_DELAY_MS);
    return read();
  }
}

function lostConnection(result: unknown): boolean {
  const errors = (result as ExecutionResult | null)?.errors;
  return !!errors?.some((error) => isConnectionLost(error.originalError));
}

export function useReadRetry<Context extends object>(): Plugin<Context> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (operationShape(args.document, args.operationName)?.type !== "query") return;
      setExecuteFn(async (execArgs) => {
        const first = await executeFn(execArgs);
        if (!lostConnection(first)) return first;
        await sleep(RETRY_DELAY_MS);
        return executeFn(execArgs);
      });
    },
  };
}
