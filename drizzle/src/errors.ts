/** Errors `openDatabase` throws that start-up code prints as one line (`.message` says what to do). */

/** Another live process holds the PGlite data folder. */
export class DatabaseLockedError extends Error {
  override name = "DatabaseLockedError";

  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly lockPath: string,
  ) {
    const holder = pid === process.pid ? "this process already has it open" : `process ${pid} has it open`;
    super(
      `the PGlite data folder ${dataDir} is in use: ${holder}. ` +
        "Stop that process, or point FLUXGATE_DATA_DIR (or DATABASE_URL) elsewhere. " +
        `If no such process is running, delete ${lockPath}.`,
    );
  }
}

/** The Postgres server could not be reached or refused us. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // start-up prints `.message`; a stack here only points into postgres.js internals
    this.stack = `${this.name}: ${message}`;
  }
}
