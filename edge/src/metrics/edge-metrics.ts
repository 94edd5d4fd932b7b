/** `/metrics`: the edge's Prometheus text, assembled from its state when scraped (nothing extra on the hot path). */
import type { Edge } from "../edge.ts";
import { PromWriter } from "./prometheus.ts";

export function renderMetrics(edge: Edge, now = Date.now()): string {
  const w = new PromWriter();
  edge.http.write(w);
  writeStores(w, edge, now);
  writeStreams(w, edge);
  writeAnalytics(w, edge);
  writeSticky(w, edge);
  return w.text();
}

function writeStores(w: PromWriter, edge: Edge, now: number): void {
  const tenants = [...edge.tenants.all()];
  w.metric("fluxgate_edge_store_version", "gauge", "config_version of each team's store.");
  for (const t of tenants) w.sample("fluxgate_edge_store_version", t.version, { team: t.teamId });
  w.metric("fluxgate_edge_store_flags", "gauge", "Flags in each team's store.");
  for (const t of tenants) w.sample("fluxgate_edge_store_flags", t.store.flagCount, { team: t.teamId });
  w.metric("fluxgate_edge_store_staleness_seconds", "gauge", "Seconds since each store was last known current.");
  for (const t of tenants)
    w.sample("fluxgate_edge_store_staleness_seconds", edge.stalenessSeconds(t, now), { team: t.teamId });
  w.metric("fluxgate_edge_evaluations_total", "counter", "Evaluations by client, environment and flag.");
  for (const row of edge.recorder.totals().values()) {
    w.sample("fluxgate_edge_evaluations_total", row.count, {
      client: row.clientId,
      environment: row.environmentId,
      flag: row.flagKey,
    });
  }
}

function writeStreams(w: PromWriter, edge: Edge): void {
  w.metric("fluxgate_edge_stream_connected", "gauge", "1 when the update stream of a client is open.");
  for (const link of edge.links.all()) {
    const client = link.client?.info.id ?? link.credentials.clientId;
    w.sample("fluxgate_edge_stream_connected", link.connected ? 1 : 0, { client, own: String(link.own) });
  }
  w.metric("fluxgate_edge_streams", "gauge", "Update streams open (the edge's own and those for request credentials).");
  w.sample("fluxgate_edge_streams", edge.links.count);
  w.metric("fluxgate_edge_rejected_secrets", "gauge", "Secrets answered 401 locally (negative cache).");
  w.sample("fluxgate_edge_rejected_secrets", edge.clients.rejectedCount);
}

function writeAnalytics(w: PromWriter, edge: Edge): void {
  const r = edge.recorder;
  const a = edge.analytics;
  w.metric("fluxgate_edge_event_buffer_size", "gauge", "Exposure events buffered for the next batch.");
  w.sample("fluxgate_edge_event_buffer_size", r.bufferFill);
  w.metric("fluxgate_edge_event_buffer_capacity", "gauge", "Exposure buffer capacity (EDGE_EVENT_BUFFER_SIZE).");
  w.sample("fluxgate_edge_event_buffer_capacity", r.capacity);
  w.metric("fluxgate_edge_events_dropped_total", "counter", "Exposure details dropped on a full buffer (counts kept).");
  w.sample("fluxgate_edge_events_dropped_total", r.droppedTotal);
  w.metric("fluxgate_edge_analytics_batches_pending", "gauge", "Analytics batches waiting for the backend.");
  w.sample("fluxgate_edge_analytics_batches_pending", a.pendingBatches);
  w.metric("fluxgate_edge_analytics_batches_delivered_total", "counter", "Analytics batches the backend accepted.");
  w.sample("fluxgate_edge_analytics_batches_delivered_total", a.deliveredBatches);
  w.metric("fluxgate_edge_analytics_flush_failures_total", "counter", "Failed analytics batch sends (retried).");
  w.sample("fluxgate_edge_analytics_flush_failures_total", a.failedAttempts);
  w.metric("fluxgate_edge_analytics_batches_discarded_total", "counter", "Batches the backend refused for good.");
  w.sample("fluxgate_edge_analytics_batches_discarded_total", a.discardedBatches);
}

function writeSticky(w: PromWriter, edge: Edge): void {
  const s = edge.sticky;
  w.metric("fluxgate_edge_sticky_assignments", "gauge", "Sticky assignments held in memory.");
  w.sample("fluxgate_edge_sticky_assignments", s.size);
  w.metric("fluxgate_edge_sticky_pending", "gauge", "Sticky assignments waiting to be sent to the backend.");
  w.sample("fluxgate_edge_sticky_pending", s.pendingSize);
  w.metric("fluxgate_edge_sticky_evicted_total", "counter", "Sticky assignments forgotten at the memory bound.");
  w.sample("fluxgate_edge_sticky_evicted_total", s.evictedTotal);
}
