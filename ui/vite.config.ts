import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

/** Where `vite` (dev) sends /graphql and /config.js; the backend listens on 8080 by default. */
const backend = process.env.FLUXGATE_BACKEND_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [preact({ prerender: { enabled: false } })],
  server: {
    port: 5173,
    proxy: {
      "/graphql": { target: backend, changeOrigin: true, ws: true },
      "/config.js": { target: backend, changeOrigin: true },
    },
  },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
});
