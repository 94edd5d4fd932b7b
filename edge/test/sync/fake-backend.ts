/** A scripted FeatureEvaluation server: records subscribes and lets a test push updates or fail calls. */
import {
  type FeatureUpdate,
  loadFluxgateProto,
  type Outgoing,
  type StreamRequest,
  type SubscribeRequest,
} from "@fluxgate/proto";
import * as grpc from "@grpc/grpc-js";

export class FakeBackend {
  readonly subscribes: SubscribeRequest[] = [];
  readonly streams: grpc.ServerDuplexStream<StreamRequest, Outgoing<FeatureUpdate>>[] = [];
  unaryCalls = 0;
  /** What the next unary calls fail with (shifted per call); empty = succeed. */
  unaryFailures: grpc.status[] = [];
  /** Reply to a subscribe (default: an empty snapshot at version 1). */
  onSubscribe: (call: grpc.ServerDuplexStream<StreamRequest, Outgoing<FeatureUpdate>>, req: SubscribeRequest) => void =
    (call) => sendSnapshot(call, 1, []);
  private readonly server = new grpc.Server({ "grpc.max_concurrent_streams": 1000 });
  port = 0;

  async start(): Promise<this> {
    const { service } = loadFluxgateProto();
    this.server.addService(service, {
      StreamUpdates: (call: grpc.ServerDuplexStream<StreamRequest, Outgoing<FeatureUpdate>>) => {
        call.on("data", (m: StreamRequest) => {
          if (m.payload !== "subscribe" || !m.subscribe) return;
          this.subscribes.push(m.subscribe);
          this.streams.push(call);
          this.onSubscribe(call, m.subscribe);
        });
        call.on("error", () => {});
      },
      GetClientInfo: (_call: unknown, cb: grpc.sendUnaryData<object>) => {
        this.unaryCalls++;
        const failure = this.unaryFailures.shift();
        if (failure !== undefined) cb({ code: failure, details: "scripted" });
        else cb(null, { id: "c", team_id: "t", client_type: "Backend", enabled: true });
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

export function flagFeature(key: string, extra: Record<string, unknown> = {}) {
  const flag = {
    key,
    id: `id-${key}`,
    salt: key,
    valueType: "boolean",
    variants: [],
    killed: false,
    dependencies: [],
    stages: [],
    ...extra,
  };
  return { id: flag.id, key, flag_json: JSON.stringify(flag) };
}

export function sendSnapshot(
  call: grpc.ServerDuplexStream<StreamRequest, Outgoing<FeatureUpdate>>,
  version: number,
  keys: string[],
): void {
  call.write({
    action: "SNAPSHOT_BEGIN",
    version,
    team_id: "t",
    environments: [{ id: "e1", name: "prod" }],
    snapshot_size: keys.length,
  });
  for (const key of keys) call.write({ action: "SNAPSHOT", version, feature: flagFeature(key) });
  call.write({ action: "SNAPSHOT_END", version });
}
