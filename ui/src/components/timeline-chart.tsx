/**
 * The evaluation timeline as a uPlot chart. uPlot is loaded on first use (a separate chunk); the chart is created
 * once and every new timeline is applied in place with `setData`, so streaming data never rebuilds it.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import type { Timeline } from "../models/timeline.ts";

interface TimelineChartProps {
  timeline: Timeline;
  /** What the chart shows, for assistive tech (the numbers are also in the cards beside it). */
  label: string;
  /** Redraws with the theme's colours when it changes. */
  theme: string;
}

export function TimelineChart({ timeline, label, theme }: TimelineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const plotModule = useRef<typeof import("./timeline-plot.ts") | null>(null);
  const latest = useRef(timeline);
  latest.current = timeline;
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let disposed = false;
    let resize: ResizeObserver | undefined;
    import("./timeline-plot.ts")
      .then((plot) => {
        const element = host.current;
        if (disposed || !element) return;
        plotModule.current = plot;
        const created = plot.createPlot(element, latest.current);
        chart.current = created;
        resize = new ResizeObserver(() => {
          const width = Math.max(280, element.clientWidth);
          if (width !== created.width) created.setSize({ width, height: plot.HEIGHT });
        });
        resize.observe(element);
      })
      .catch(() => {
        if (!disposed) setFailed(true);
      });
    return () => {
      disposed = true;
      resize?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (chart.current && plotModule.current) chart.current.setData(plotModule.current.toAligned(timeline));
  }, [timeline]);

  useEffect(() => {
    if (chart.current && plotModule.current) plotModule.current.retheme(chart.current);
  }, [theme]);

  return (
    <figure class="chart">
      {failed ? (
        <p class="notice notice--error" role="alert">
          The chart could not be loaded. Reload the page to try again.
        </p>
      ) : (
        <div class="chart__plot" ref={host} role="img" aria-label={label} />
      )}
    </figure>
  );
}
