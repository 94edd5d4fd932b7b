/**
 * A happy-dom window as the global DOM, for the console's component tests. Imported first by each UI test
 * file (not a global preload: the rest of the workspace tests run without a DOM). The root runs
 * `bun test --isolate`, so these globals stay in the file that imported them.
 *
 * Bun's own networking, streams, timers and crypto stay: the tests replace `fetch` themselves.
 */
import { Window } from "happy-dom";

const KEEP_BUN = new Set([
  "fetch",
  "Request",
  "Response",
  "Headers",
  "URL",
  "URLSearchParams",
  "AbortController",
  "AbortSignal",
  "ReadableStream",
  "TextEncoder",
  "TextDecoder",
  "TextDecoderStream",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "queueMicrotask",
  "crypto",
  "console",
  "performance",
  "structuredClone",
  "Blob",
  "FormData",
  "WebSocket",
]);

/** DOM classes that must be happy-dom's even where Bun has its own (events are dispatched through the DOM). */
const TAKE_DOM = new Set(["Event", "EventTarget", "CustomEvent", "MessageEvent", "ErrorEvent", "DOMException"]);

export const window = new Window({ url: "http://localhost/", width: 1280, height: 800 });
const globals = globalThis as unknown as Record<string, unknown>;
const source = window as unknown as Record<string, unknown>;

for (const key of Object.getOwnPropertyNames(window)) {
  if (KEEP_BUN.has(key) || key === "undefined" || key === "NaN" || key === "Infinity") continue;
  if (globals[key] !== undefined && !TAKE_DOM.has(key)) continue;
  try {
    Object.defineProperty(globalThis, key, { value: source[key], configurable: true, writable: true });
  } catch {
    // a non-configurable global of Bun: keep it
  }
}
globals.window = window;
globals.document = window.document;
globals.navigator = window.navigator;
globals.location = window.location;
globals.localStorage = window.localStorage;
globals.history = window.history;
globals.matchMedia = window.matchMedia.bind(window);
globals.getComputedStyle = window.getComputedStyle.bind(window);
globals.requestAnimationFrame = (cb: (t: number) => void) => setTimeout(() => cb(performance.now()), 0);
globals.cancelAnimationFrame = (id: number) => clearTimeout(id);
