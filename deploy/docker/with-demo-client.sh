#!/bin/sh
# docker compose only: when EDGE_CLIENT_ID is not set, take the edge's credentials from the demo client file the
# backend writes on first start (FLUXGATE_DEMO_SEED=1), then run the command. Real deployments set the variables.
set -eu
file="${FLUXGATE_DEMO_CLIENT_FILE:-/data/demo/demo-client.env}"
if [ -z "${EDGE_CLIENT_ID:-}" ] && [ -f "$file" ]; then
  set -a
  . "$file"
  set +a
fi
exec "$@"
