/**
 * A levelled logger writing one JSON line per event to stderr: `{"time","level","msg","request_id"?,…fields}`.
 * Lines logged while an HTTP request is handled carry its id (`requestScope`, set in main.ts). Fields whose name
 * looks like a secret (password, secret, token, authorization, cookie, api key) are written as "[redacted]"; still,
 * never pass secrets or raw SQL parameters.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { LogLevel } from "./config";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The HTTP request the current code runs for; its id goes on every log line. */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

const ORDER: Record<LogLevel | "silent", number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
const SECRET_FIELD = /pass(word|wd)?$|secret|token|authorization|cookie|api_?key|credential/i;

export function createLogger(
  level: LogLevel | "silent",
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const at = (name: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[name] < ORDER[level]) return;
    const requestId = requestScope.getStore()?.requestId;
    const entry = { time: new Date().toISOString(), level: name, msg: message, request_id: requestId, ...fields };
    write(`${JSON.stringify(entry, redact)}\n`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function redact(key: string, value: unknown): unknown {
  if (key !== "" && SECRET_FIELD.test(key) && value !== undefined && value !== null) return "[redacted]";
  return value instanceof Error ? value.message : value;
}
