/**
 * Allowed origins of Web clients. The edge compares them with the browser's `Origin` header byte for byte, so
 * they are stored the way browsers serialise an origin: lowercase `scheme://host[:port]`, default port dropped.
 */
import { badInput } from "../errors";

// scheme://authority with an optional single trailing slash: no path, query, fragment or credentials
const ORIGIN_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]+\/?$/i;
const MAX_ORIGINS = 50;
const MAX_LENGTH = 255;

export function origin(field: string, value: string): string {
  const raw = value.trim();
  if (raw.includes("*")) throw badInput(field, `${field}: wildcards are not allowed; list each origin`);
  const refuse = () =>
    badInput(field, `${field} must be an origin like https://app.example.com[:port], without a path (got '${raw}')`);
  if (raw.length > MAX_LENGTH || !ORIGIN_SHAPE.test(raw)) throw refuse();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse();
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw badInput(field, `${field} must use http or https (got '${url.protocol.slice(0, -1)}')`);
  }
  return url.origin;
}

/** Normalised, each at most once. */
export function origins(field: string, values: string[]): string[] {
  if (values.length > MAX_ORIGINS) throw badInput(field, `${field} holds at most ${MAX_ORIGINS} origins`);
  const seen = new Set<string>();
  return values.map((value, i) => {
    const normalised = origin(`${field}[${i}]`, value);
    if (seen.has(normalised)) throw badInput(`${field}[${i}]`, `${field}[${i}]: ${normalised} is listed twice`);
    seen.add(normalised);
    return normalised;
  });
}
