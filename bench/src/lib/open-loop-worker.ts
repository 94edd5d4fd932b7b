/**
 * The open-loop generator process (see `open-loop.ts`): `bun open-loop-worker.ts <plan.json> <result.json>`.
 * A busy loop (`setImmediate`) schedules request i at start + i/rate; a pool of raw keep-alive sockets sends them
 * in order as connections free up; latency = reply complete − scheduled time. The whole pinned core is the
 * generator's, so spinning costs the server nothing.
 */
import type { Socket } from "bun";
import { decisionOf } from "./decision.ts";
import { type Reply, ReplyReader, rawPost } from "./http-reply.ts";
import type { OpenLoopPlan, OpenLoopResult } from "./open-loop.ts";
import { quantileSorted } from "./stats.ts";

const DRAIN_MS = 2000;

interface Conn {
  socket: Socket<Conn> | undefined;
  reader: ReplyReader;
  /** The request on the wire: its scheduled time, sequence number and body index; undefined = idle. */
  busy: { at: number; seq: number; index: number; measured: boolean } | undefined;
  pendingWrite: Uint8Array | undefined;
}

const [planFile, resultFile] = process.argv.slice(2);
const plan = (await Bun.file(planFile).json()) as OpenLoopPlan;
const url = new URL(plan.url);
const requests = plan.bodies.map((body) => rawPost(url.host, plan.path, body, plan.headers));
const decide = (body: string) => decisionOf(body, plan.shape, plan.flag);

const interval = 1000 / plan.rate;
const measuredCount = Math.round(plan.rate * plan.seconds);
const warmupCount = Math.round(plan.rate * plan.warmupSeconds);
const total = warmupCount + measuredCount;
const latencies = new Float64Array(measuredCount);
/** How late each measured request was actually sent (only those sent). */
const sendLags = new Float64Array(measuredCount);
let sentMeasured = 0;
let completed = 0;
let timedOut = 0;
let badBodies = 0;
let badExample: string | undefined;
let socketErrors = 0;
const statuses: Record<string, number> = {};
const decisions = new Array<number>(plan.bodies.length).fill(-1);

/** Scheduled, not yet sent: parallel ring of (scheduled time, sequence number). */
const queue: { at: number; seq: number }[] = [];
let queueHead = 0;
const idle: Conn[] = [];

function onReply(conn: Conn, reply: Reply): void {
  const job = conn.busy!;
  conn.busy = undefined;
  const now = performance.now();
  if (job.measured) {
    latencies[completed++] = now - job.at;
    lastDone = now;
    statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
  }
  if (reply.status === 200) {
    const decision = decide(reply.body);
    if (decision === undefined) {
      badBodies++;
      badExample ??= reply.body.slice(0, 300);
    } else {
      const seen = decisions[job.index];
      const value = decision ? 1 : 0;
      decisions[job.index] = seen === -1 || seen === value ? value : -2;
    }
  }
  idle.push(conn);
}

async function connect(conn: Conn): Promise<void> {
  conn.reader.reset();
  conn.socket = await Bun.connect<Conn>({
    hostname: url.hostname,
    port: Number(url.port),
    data: conn,
    socket: {
      data(socket, chunk) {
        const reply = socket.data.reader.push(chunk);
        if (reply && socket.data.busy) {
          onReply(socket.data, reply);
          pump();
        }
      },
      drain(socket) {
        const rest = socket.data.pendingWrite;
        if (!rest) return;
        const written = socket.write(rest);
        socket.data.pendingWrite = written < rest.length ? rest.subarray(written) : undefined;
      },
      close(socket) {
        lost(socket.data);
      },
      error(socket) {
        lost(socket.data);
      },
    },
  });
}

/**
 * A dropped connection (e.g. a server's keep-alive timeout on an idle one) reopens; its request, if any, goes back
 * to the head of the queue with its scheduled time, so the delay still counts.
 */
function lost(conn: Conn): void {
  if (!conn.socket || finished) return;
  conn.socket = undefined;
  socketErrors++;
  const job = conn.busy;
  conn.busy = undefined;
  if (job) queue.splice(queueHead, 0, { at: job.at, seq: job.seq });
  reopen(conn);
}

function reopen(conn: Conn): void {
  connect(conn).then(
    () => {
      idle.push(conn);
      pump();
    },
    () => setTimeout(() => reopen(conn), 100),
  );
}

let seq = 0;
let start = 0;
let lastDone = 0;
let finished = false;

function send(conn: Conn, job: { at: number; seq: number }): void {
  const index = job.seq % requests.length;
  const measured = job.seq >= warmupCount;
  conn.busy = { at: job.at, seq: job.seq, index, measured };
  if (measured && sentMeasured < measuredCount) sendLags[sentMeasured++] = performance.now() - job.at;
  const bytes = requests[index];
  const written = conn.socket!.write(bytes);
  conn.pendingWrite = written < bytes.length ? bytes.subarray(written) : undefined;
}

/** Schedules everything due by now, then hands queued requests to idle connections in order. */
function pump(): void {
  const now = performance.now();
  while (seq < total && start + seq * interval <= now) {
    queue.push({ at: start + seq * interval, seq });
    seq++;
  }
  while (queueHead < queue.length && idle.length > 0) {
    const conn = idle.pop()!;
    if (!conn.socket || conn.busy) continue; // closed, or a stale second entry of a reopened connection
    send(conn, queue[queueHead++]);
  }
  if (queueHead > 65_536) {
    queue.splice(0, queueHead);
    queueHead = 0;
  }
}

const conns: Conn[] = Array.from({ length: plan.connections }, () => ({
  socket: undefined,
  reader: new ReplyReader(),
  busy: undefined,
  pendingWrite: undefined,
}));
await Promise.all(conns.map((c) => connect(c)));
idle.push(...conns);

start = performance.now() + 5;
const end = start + total * interval;
await new Promise<void>((resolve) => {
  const spin = () => {
    pump();
    const now = performance.now();
    const allSent = seq >= total && queueHead >= queue.length;
    const drained = allSent && conns.every((c) => !c.busy);
    if (drained || now > end + DRAIN_MS) resolve();
    else setImmediate(spin);
  };
  spin();
});

finished = true;
timedOut = measuredCount - completed;
// Answers that spill past the window stretch it: a server that falls behind does not look faster than it was.
const windowStart = start + warmupCount * interval;
const measuredSeconds = Math.max(plan.seconds, (lastDone - windowStart) / 1000);
const sorted = latencies.subarray(0, completed).sort();
// Unanswered requests count as slower than every answer: the percentiles they reach say "≥ drain".
const all = new Float64Array(measuredCount);
all.set(sorted);
all.fill(Number.POSITIVE_INFINITY, completed);
const lags = sendLags.subarray(0, sentMeasured).sort();
// Infinity (an unanswered request) becomes null in JSON.
const result: OpenLoopResult = {
  rate: plan.rate,
  seconds: plan.seconds,
  scheduled: measuredCount,
  completed,
  timedOut,
  achievedRps: completed / measuredSeconds,
  p50Ms: quantileSorted(all, 0.5),
  p90Ms: quantileSorted(all, 0.9),
  p99Ms: quantileSorted(all, 0.99),
  p999Ms: quantileSorted(all, 0.999),
  maxMs: all[all.length - 1],
  sendLagP99Ms: lags.length ? quantileSorted(lags, 0.99) : null,
  statuses,
  badBodies,
  badExample,
  decisions,
  socketErrors,
};
for (const conn of conns) conn.socket?.end();
await Bun.write(resultFile, JSON.stringify(result));
process.exit(0);
