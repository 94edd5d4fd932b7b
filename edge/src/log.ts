/** A leveled logger writing one JSON line per entry to stderr. */
import type { LogLevel } from "./config.ts";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Lifecycle lines (listening, stopped): written at every level but `silent`, so supervisors can wait for them. */
  notice(message: string, fields?: Record<string, unknown>): void;
  /** Whether `debug` lines are written (the hot path builds per-request lines only then). */
  readonly debugEnabled: boolean;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
/** Fields named like a secret are written as "[redacted]" (secrets never belong in logs). */
const SECRET_FIELD = /pass(word|wd)?$|secret|token|authorization|cookie|api_?key|credential/i;
const replacer = (key: string, value: unknown) =>
  key && SECRET_FIELD.test(key) && value != null ? "[redacted]" : value instanceof Error ? value.message : value;

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const line = (name: Exclude<LogLevel, "silent">) => (message: string, fields?: Record<string, unknown>) => {
    const entry = { time: new Date().toISOString(), level: name, msg: message, ...fields };
    write(`${JSON.stringify(entry, replacer)}\n`);
  };
  const at = (name: Exclude<LogLevel, "silent">) => (RANK[name] < RANK[level] ? () => {} : line(name));
  const notice = level === "silent" ? () => {} : line("info");
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    notice,
    debugEnabled: RANK.debug >= RANK[level],
  };
}

/** The text of an unknown thrown value, for logs. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
