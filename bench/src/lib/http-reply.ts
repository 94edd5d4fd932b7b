/**
 * A minimal HTTP/1.1 response reader for the open-loop generator's raw sockets: status, and a body framed by
 * `Content-Length` or chunked encoding. Replies here are small JSON (ASCII), so text offsets are byte offsets.
 */

export interface Reply {
  status: number;
  body: string;
}

/** Accumulates a connection's bytes and yields complete replies (no pipelining: at most one is pending). */
export class ReplyReader {
  private buffer = "";
  private readonly decoder = new TextDecoder("latin1");

  /** Adds bytes; returns the reply once it is complete, else undefined. */
  push(chunk: Uint8Array): Reply | undefined {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const headEnd = this.buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) return undefined;
    const head = this.buffer.slice(0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const bodyStart = headEnd + 4;
    if (length) {
      const end = bodyStart + Number(length[1]);
      if (this.buffer.length < end) return undefined;
      const body = this.buffer.slice(bodyStart, end);
      this.buffer = this.buffer.slice(end);
      return { status, body };
    }
    if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return this.chunked(status, bodyStart);
    // No framing: a reply without a body (204/304) or one ended by close; neither is expected here.
    this.buffer = this.buffer.slice(bodyStart);
    return { status, body: "" };
  }

  private chunked(status: number, start: number): Reply | undefined {
    let at = start;
    let body = "";
    for (;;) {
      const lineEnd = this.buffer.indexOf("\r\n", at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(this.buffer.slice(at, lineEnd), 16);
      if (size === 0) {
        const end = this.buffer.indexOf("\r\n", lineEnd + 2);
        if (end < 0) return undefined;
        this.buffer = this.buffer.slice(end + 2);
        return { status, body };
      }
      if (this.buffer.length < lineEnd + 2 + size + 2) return undefined;
      body += this.buffer.slice(lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }

  reset(): void {
    this.buffer = "";
  }
}

/** A raw HTTP/1.1 keep-alive POST with a JSON body. */
export function rawPost(host: string, path: string, body: string, headers: Record<string, string> = {}): Uint8Array {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const bytes = Buffer.byteLength(body);
  return new TextEncoder().encode(
    `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n${extra}\r\n${body}`,
  );
}
