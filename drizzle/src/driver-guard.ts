/**
 * postgres.js 3.4 on Bun: when Postgres drops a connection while a write is scheduled, the driver's
 * setImmediate callback writes to a socket it has already cleared (`socket.write` on null) and throws outside
 * any promise, which would end the process. The connection is gone either way and the pool reconnects, so
 * that one error is reported and swallowed; anything else stays fatal as usual.
 */
const DRIVER_FILE = /[\\/]postgres[\\/]src[\\/]connection\.js/;

/** Whether `error` is the driver's write on a connection that was closed under it. */
export function isClosedSocketWrite(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /socket\.write|null is not an object|Cannot read properties of null/.test(error.message) &&
    DRIVER_FILE.test(error.stack ?? "")
  );
}

/** Installs the guard for a server process (call once, from the process entry point only). */
export function guardDriverCrashes(warn: (message: string) => void): void {
  process.on("uncaughtException", (error) => {
    if (isClosedSocketWrite(error)) {
      warn("database connection closed during a write; the pool reconnects");
      return;
    }
    console.error(error);
    process.exit(1);
  });
}
