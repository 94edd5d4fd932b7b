/** Reading a request body as JSON within a size limit; bad input becomes an `HttpProblem`, never a throw of its own. */
import { HttpProblem } from "./respond.ts";

/**
 * The body as text, within `maxBytes`; throws HttpProblem 413. Not async on purpose: the usual request (with a
 * Content-Length) costs one promise, `req.text()`'s own.
 */
export function readBody(req: Request, maxBytes: number): Promise<string> {
  const length = req.headers.get("content-length");
  if (length !== null) {
    if (Number(length) > maxBytes) throw tooLarge(maxBytes);
    return req.text();
  }
  if (req.body === null) return Promise.resolve("");
  return readChunked(req.body, maxBytes);
}

/**
 * The body parsed as JSON, within `maxBytes`; `undefined` for an empty body. Throws (or rejects with) HttpProblem
 * 413 / 400 PARSE_ERROR. With a Content-Length, Bun parses the bytes itself (`req.json()`: no string of the body is
 * made, a few per cent of an evaluation's cost).
 */
export function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const length = req.headers.get("content-length");
  if (length === null) return readBody(req, maxBytes).then(parseJson);
  const bytes = Number(length);
  if (bytes > maxBytes) throw tooLarge(maxBytes);
  if (bytes === 0) return EMPTY;
  return req.json();
}

const EMPTY = Promise.resolve(undefined);

/** What `readJsonBody` threw or rejected with, as the HttpProblem to answer (a syntax error or a cut body is PARSE_ERROR). */
export function bodyProblem(error: unknown): unknown {
  if (error instanceof SyntaxError) {
    return new HttpProblem(400, "PARSE_ERROR", `body is not valid JSON: ${error.message}`);
  }
  // The caller closed the connection mid-body: its problem, not the edge's (no 500, no error log line).
  if (error instanceof DOMException && error.name === "AbortError") {
    return new HttpProblem(400, "PARSE_ERROR", "the connection closed before the body was complete");
  }
  return error;
}

/** JSON text → value; `undefined` for an empty body. Throws HttpProblem 400 PARSE_ERROR. */
export function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : "invalid JSON";
    throw new HttpProblem(400, "PARSE_ERROR", `body is not valid JSON: ${detail}`);
  }
}

/** No length (chunked): count while reading and stop at the limit. */
async function readChunked(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      void reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function tooLarge(maxBytes: number): HttpProblem {
  return new HttpProblem(413, "PAYLOAD_TOO_LARGE", `body is larger than ${maxBytes} bytes (EDGE_MAX_BODY_BYTES)`);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
