# Multi-stage image for FluxGate. Targets: backend (serves the console too), edge.
# Build: docker build --target backend -t fluxgate-backend .   /   --target edge -t fluxgate-edge .
FROM oven/bun:1.3 AS deps
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

FROM deps AS build
COPY . .
RUN bun run build:ui || true

FROM oven/bun:1.3-slim AS backend
WORKDIR /app
COPY --from=build /app /app
USER bun
ENV FLUXGATE_HTTP_ADDR=0.0.0.0:8080 FLUXGATE_GRPC_ADDR=0.0.0.0:50051
EXPOSE 8080 50051
HEALTHCHECK CMD bun -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["bun", "backend/src/main.ts"]

FROM oven/bun:1.3-slim AS edge
WORKDIR /app
COPY --from=build /app /app
USER bun
ENV EDGE_HTTP_ADDR=0.0.0.0:8081
EXPOSE 8081
HEALTHCHECK CMD bun -e "fetch('http://127.0.0.1:8081/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["bun", "edge/src/main.ts"]
