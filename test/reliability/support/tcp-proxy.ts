/**
 * A tiny TCP proxy for fault tests, in front of one or more upstream ports:
 * - failover: each new connection goes to the first upstream (in list order) that accepts it — the edge takes
 *   one EDGE_BACKEND_GRPC, so two backend replicas sit behind this;
 * - pause(): a network partition — bytes stop flowing both ways (kept, as TCP would keep retransmitting) and new
 *   connections hang; resume() delivers what was held and carries on;
 * - resetAll(): cuts every open connection at once.
 */
import type { Socket, TCPSocketListener } from "bun";

interface Pipe {
  client: Socket<Conn>;
  upstream: Socket<Conn> | null;
  /** Upstream port in use. */
  port: number | null;
  closed: boolean;
}

interface Conn {
  pipe: Pipe;
  /** Bytes this socket still has to write (back-pressure). */
  queue: Uint8Array[];
  /** Bytes received while paused, to forward on resume. */
  held: Uint8Array[];
}

export interface TcpProxy {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Connections currently open, by upstream port. */
  connections(): Map<number | null, number>;
  /** Total connections accepted. */
  accepted(): number;
  pause(): void;
  resume(): void;
  resetAll(): void;
  close(): void;
}

export function startTcpProxy(upstreamPorts: number[], host = "127.0.0.1"): TcpProxy {
  const pipes = new Set<Pipe>();
  let paused = false;
  let acceptedCount = 0;

  const write = (socket: Socket<Conn>, chunk: Uint8Array) => {
    const conn = socket.data;
    if (conn.queue.length > 0) {
      conn.queue.push(chunk);
      return;
    }
    const written = socket.write(chunk);
    if (written < chunk.byteLength) conn.queue.push(chunk.subarray(Math.max(0, written)));
  };
  const flush = (socket: Socket<Conn>) => {
    const conn = socket.data;
    while (conn.queue.length > 0) {
      const chunk = conn.queue[0];
      const written = socket.write(chunk);
      if (written < chunk.byteLength) {
        conn.queue[0] = chunk.subarray(Math.max(0, written));
        return;
      }
      conn.queue.shift();
    }
  };
  const close = (pipe: Pipe) => {
    if (pipe.closed) return;
    pipe.closed = true;
    pipes.delete(pipe);
    pipe.client.end();
    pipe.upstream?.end();
  };
  const forward = (from: Socket<Conn>, to: Socket<Conn> | null, chunk: Uint8Array) => {
    const copy = new Uint8Array(chunk); // Bun reuses the buffer
    if (paused || !to) from.data.held.push(copy);
    else write(to, copy);
  };

  const connectUpstream = async (pipe: Pipe) => {
    for (const port of upstreamPorts) {
      if (pipe.closed) return;
      try {
        const upstream = await Bun.connect<Conn>({
          hostname: host,
          port,
          data: { pipe, queue: [], held: [] },
          socket: {
            data: (socket, chunk) => forward(socket, socket.data.pipe.client, chunk),
            drain: (socket) => flush(socket),
            close: (socket) => close(socket.data.pipe),
            error: (socket) => close(socket.data.pipe),
          },
        });
        if (pipe.closed) {
          upstream.end();
          return;
        }
        pipe.upstream = upstream;
        pipe.port = port;
        if (!paused) deliverHeld(pipe);
        return;
      } catch {
        // refused: try the next upstream
      }
    }
    close(pipe);
  };

  const deliverHeld = (pipe: Pipe) => {
    if (!pipe.upstream) return;
    for (const chunk of pipe.client.data.held.splice(0)) write(pipe.upstream, chunk);
    for (const chunk of pipe.upstream.data.held.splice(0)) write(pipe.client, chunk);
  };

  const listener: TCPSocketListener<Conn> = Bun.listen<Conn>({
    hostname: host,
    port: 0,
    socket: {
      open: (client) => {
        acceptedCount++;
        const pipe: Pipe = { client, upstream: null, port: null, closed: false };
        client.data = { pipe, queue: [], held: [] };
        pipes.add(pipe);
        if (!paused) void connectUpstream(pipe);
      },
      data: (client, chunk) => forward(client, client.data.pipe.upstream, chunk),
      drain: (client) => flush(client),
      close: (client) => close(client.data.pipe),
      error: (client) => close(client.data.pipe),
    },
  });

  return {
    port: listener.port,
    url: `http://${host}:${listener.port}`,
    accepted: () => acceptedCount,
    connections: () => {
      const counts = new Map<number | null, number>();
      for (const pipe of pipes) counts.set(pipe.port, (counts.get(pipe.port) ?? 0) + 1);
      return counts;
    },
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const pipe of [...pipes]) {
        if (pipe.upstream) deliverHeld(pipe);
        else void connectUpstream(pipe);
      }
    },
    resetAll: () => {
      for (const pipe of [...pipes]) {
        pipe.closed = true;
        pipes.delete(pipe);
        pipe.client.terminate();
        pipe.upstream?.terminate();
      }
    },
    close: () => {
      for (const pipe of [...pipes]) close(pipe);
      listener.stop(true);
    },
  };
}
