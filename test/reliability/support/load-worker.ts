/**
 * Open-loop load (load.ts) in a Worker thread, so a high rate does not starve the event loop of the code that
 * makes and checks changes meanwhile. Messages: start {urls, keys, rate, envName}, snapshot, stop.
 */
import { type RunningLoad, startLoad } from "./load.ts";
import { evaluateTarget } from "./world.ts";

declare const self: Worker;

let running: RunningLoad | undefined;

self.onmessage = async (event: MessageEvent) => {
  const message = event.data as
    | { type: "start"; urls: string[]; keys: string[]; rate: number; envName: string }
    | { type: "snapshot" }
    | { type: "stop" };
  if (message.type === "start") {
    const keys = message.keys;
    running = startLoad(
      evaluateTarget(message.urls, () => keys, message.envName),
      { rate: message.rate },
    );
  } else if (message.type === "snapshot") {
    self.postMessage({ type: "snapshot", stats: running?.snapshot() });
  } else {
    self.postMessage({ type: "stopped", stats: await running?.stop() });
  }
};
