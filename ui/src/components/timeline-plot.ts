/**
 * The uPlot side of the timeline chart, loaded on demand (its own chunk with uPlot and its CSS): evaluations per
 * bucket as bars on the left axis, success and cache-hit rates as lines on a 0–100 % axis on the right.
 * Colours are read from the theme's custom properties at every draw, so a theme switch needs only a redraw.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Timeline } from "../models/timeline.ts";

export const HEIGHT = 260;

const cssVar = (name: string, fallback: string) => () =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

const accent = cssVar("--accent", "#2456d6");
const live = cssVar("--live", "#157347");
const pending = cssVar("--pending", "#8a5a00");
const muted = cssVar("--muted", "#5a6475");
const border = cssVar("--border", "#d7dce3");

export function toAligned(timeline: Timeline): uPlot.AlignedData {
  return [timeline.x, timeline.evaluations, timeline.successRate, timeline.cacheHitRate];
}

const axis = (scale: string, side: 1 | 3, values?: uPlot.Axis["values"]): uPlot.Axis => ({
  scale,
  side,
  stroke: muted,
  grid: { show: side === 3, stroke: border, width: 1 },
  ticks: { stroke: border, width: 1 },
  values,
});

function pad(x: ArrayLike<number>, min: number, max: number): uPlot.Range.MinMax {
  const half = x.length > 1 ? (x[1] - x[0]) / 2 : 30;
  return [min - half, max + half];
}

function options(width: number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // half a bucket of room on either side, so the first and last bars are drawn whole
      x: { time: true, range: (u, min, max) => pad(u.data[0], min, max) },
      count: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      pct: { range: [0, 100] },
    },
    axes: [
      { stroke: muted, grid: { stroke: border, width: 1 }, ticks: { stroke: border, width: 1 } },
      axis("count", 3),
      axis("pct", 1, (_u, ticks) => ticks.map((t) => `${t} %`)),
    ],
    series: [
      {},
      {
        label: "Evaluations",
        scale: "count",
        stroke: accent,
        fill: () => `${accent()}40`,
        width: 1,
        paths: uPlot.paths.bars?.({ size: [0.8, 40] }),
        points: { show: false },
        value: (_u, v) => (v == null ? "—" : String(v)),
      },
      {
        label: "Success rate",
        scale: "pct",
        stroke: live,
        width: 2,
        spanGaps: false,
        value: (_u, v) => (v == null ? "—" : `${v} %`),
      },
      {
        label: "Cache-hit rate",
        scale: "pct",
        stroke: pending,
        width: 2,
        dash: [6, 4],
        spanGaps: false,
        value: (_u, v) => (v == null ? "—" : `${v} %`),
      },
    ],
  };
}

const MARKERS: [stroke: () => string, fill: () => string][] = [
  [accent, () => `${accent()}40`],
  [live, () => "transparent"],
  [pending, () => "transparent"],
];

/** After a theme switch: the legend's markers (styled once by uPlot) and the canvas in the new colours. */
export function retheme(plot: uPlot): void {
  plot.root.querySelectorAll<HTMLElement>(".u-legend .u-series").forEach((row, i) => {
    // row 0 is the time, without colours; rows 1… are the series in order
    const marker = row.querySelector<HTMLElement>(".u-marker");
    const colours = MARKERS[i - 1];
    if (!marker || !colours) return;
    marker.style.borderColor = colours[0]();
    marker.style.background = colours[1]();
  });
  plot.redraw(true, true);
}

/** A chart in `host`, sized to its width; feed it with `setData(toAligned(timeline))`. */
export function createPlot(host: HTMLElement, timeline: Timeline): uPlot {
  return new uPlot(options(Math.max(280, host.clientWidth)), toAligned(timeline), host);
}
