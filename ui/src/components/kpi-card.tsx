/** One headline number with its label and a line of context, as the analytics pages show them. */
import type { ComponentChildren } from "preact";

interface KpiCardProps {
  label: string;
  value: string;
  /** A second line: what the number covers, or a comparison. */
  detail?: ComponentChildren;
}

export function KpiCard({ label, value, detail }: KpiCardProps) {
  return (
    <div class="kpi">
      <dt class="kpi__label">{label}</dt>
      <dd class="kpi__value">{value}</dd>
      {detail !== undefined && <dd class="kpi__detail">{detail}</dd>}
    </div>
  );
}

/** The row of cards: a description list, so each number is read with its label. */
export function KpiGrid({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <dl class="kpis" aria-label={label}>
      {children}
    </dl>
  );
}
