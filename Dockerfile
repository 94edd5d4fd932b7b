# FluxGate images: one Dockerfile, three targets (README.md, "Deploying").
#
#   docker build --target backend -t fluxgate-backend .   # GraphQL + console on 8080, gRPC for edges on 50051
#   docker build --target edge    -t fluxgate-edge .      # /evaluate, OFREP, health, metrics on 8081
#   docker build --target ui      -t fluxgate-ui .        # the console alone (static) on 3000
#
# Every image runs as the non-root user `bun` (uid 1000) with NODE_ENV=production, so the backend and edge refuse
# unsafe settings at start (FLUXGATE_ALLOW_INSECURE=1 overrides; see README). Writable state lives under /data.
# test/packaging checks this file: targets, entry files, ports, health checks, users.

ARG BUN_VERSION=1.4.5

# ---- every dependency (dev included), to build the console --------------------------------------------------
FROM oven/bun:${BUN_VERSION} AS deps
WORKDIR /app
COPY package.json bun.lock ./
COPY engine/package.json engine/
COPY proto/package.json proto/
COPY drizzle/package.json drizzle/
COPY backend/package.json backend/
COPY edge/package.json edge/
COPY ui/package.json ui/
COPY bench/package.json bench/
RUN bun install --frozen-lockfile

# ---- the console: ui/dist -------------------------------------------------------------------------------------
FROM deps AS ui-build
COPY tsconfig.json ./
COPY engine engine
COPY ui ui
RUN bun run build:ui

# ---- production dependencies only (no vite, drizzle-kit, test tooling or the bun npm package) -----------------
FROM oven/bun:${BUN_VERSION} AS prod-deps
WORKDIR /app
COPY package.json bun.lock ./
COPY engine/package.json engine/
COPY proto/package.json proto/
COPY drizzle/package.json drizzle/
COPY backend/package.json backend/
COPY edge/package.json edge/
COPY ui/package.json ui/
COPY bench/package.json bench/
RUN bun install --frozen-lockfile --production

# ---- what backend and edge share: runtime, production node_modules, the libraries they run from source ---------
FROM oven/bun:${BUN_VERSION}-slim AS runtime
WORKDIR /app
# no transpiler cache writes (read-only root file systems), production checks on
ENV NODE_ENV=production BUN_RUNTIME_TRANSPILER_CACHE_PATH=0
COPY --from=prod-deps /app /app
COPY tsconfig.json ./
COPY engine engine
COPY proto proto
COPY drizzle drizzle
COPY deploy/docker deploy/docker
RUN mkdir -p /data/demo && chown -R bun:bun /data

# ---- backend: GraphQL, console, gRPC delivery ------------------------------------------------------------------
FROM runtime AS backend
COPY backend backend
COPY --from=ui-build /app/ui/dist ui/dist
ENV FLUXGATE_HTTP_ADDR=0.0.0.0:8080 FLUXGATE_GRPC_ADDR=0.0.0.0:50051 FLUXGATE_DATA_DIR=/data/pglite
USER bun
EXPOSE 8080 50051
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bun", "deploy/docker/healthcheck.ts", "http://127.0.0.1:8080/health"]
STOPSIGNAL SIGTERM
CMD ["bun", "backend/src/main.ts"]

# ---- edge: the data plane --------------------------------------------------------------------------------------
FROM runtime AS edge
COPY edge edge
ENV EDGE_HTTP_ADDR=0.0.0.0:8081 EDGE_SNAPSHOT_PATH=/data/edge-snapshot.json
USER bun
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bun", "deploy/docker/healthcheck.ts", "http://127.0.0.1:8081/health"]
STOPSIGNAL SIGTERM
CMD ["bun", "edge/src/main.ts"]

# ---- ui: the console as static files, /config.js from BACKEND_* at start ---------------------------------------
FROM oven/bun:${BUN_VERSION}-slim AS ui
WORKDIR /app
ENV NODE_ENV=production BUN_RUNTIME_TRANSPILER_CACHE_PATH=0 UI_ADDR=0.0.0.0:3000 UI_DIR=/app/ui/dist
COPY deploy/docker deploy/docker
COPY deploy/ui deploy/ui
COPY --from=ui-build /app/ui/dist ui/dist
USER bun
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["bun", "deploy/docker/healthcheck.ts", "http://127.0.0.1:3000/health"]
STOPSIGNAL SIGTERM
CMD ["bun", "deploy/ui/serve.ts"]
