/** Reading a request body as JSON within a size limit; bad input becomes an `HttpProblem`, never a throw of its own. */
import { HttpProblem } from "./respond.ts";

/** The parsed JSON body; `undefined` for an empty body. Throws HttpProblem 413 / 400 PARSE_ERROR. */
export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const text = await readText(req, maxBytes);
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : "invalid JSON";
    throw new HttpProblem(400, "PARSE_ERROR", `body is not valid JSON: ${detail}`);
  }
}

async function readText(req: Request, maxBytes: number): Promise<string> {
  const length = req.headers.get("content-length");
  if (length !== null) {
    if (Number(length) > maxBytes) throw tooLarge(maxBytes);
    return req.text();
  }
  if (req.body === null) return "";
  // No length (chunked): count while reading and stop at the limit.
  const reader = req.body.getReader();
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
