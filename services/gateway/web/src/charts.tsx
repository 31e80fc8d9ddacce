// Small inline SVG charts (no chart library): each is a labelled image with its numbers written
// on it, and the same numbers in a table for screen readers and for anyone who prefers them.
import type { ComponentChildren } from "preact";
export interface Datum {
  label: string;
  value: number;
}

const WIDTH = 560;
const ROW = 26;
const LABEL = 190;

/** Horizontal bars, one per datum, the value at the end of each bar. */
export function BarChart({ id, title, data, unit = "" }: {
  id: string; title: string; data: Datum[]; unit?: string;
}) {
  if (data.length === 0) return <Figure id={id} title={title}><p class="empty">Nothing to chart.</p></Figure>;
  const max = Math.max(1, ...data.map((d) => d.value));
  const span = WIDTH - LABEL - 60;
  const height = data.length * ROW + 8;
  return (
    <Figure id={id} title={title} data={data} unit={unit}>
      <svg class="chart" role="img" aria-labelledby={`${id}-title`} viewBox={`0 0 ${WIDTH} ${height}`}
        width={WIDTH} height={height} data-chart={id}>
        {data.map((d, i) => {
          const y = i * ROW + 4;
          const w = Math.max(d.value > 0 ? 2 : 0, (d.value / max) * span);
          return (
            <g key={d.label} data-label={d.label} data-value={d.value}>
              <text x={LABEL - 8} y={y + 15} text-anchor="end" class="chart-label">
                {clip(d.label)}</text>
              <rect x={LABEL} y={y + 2} width={w} height={ROW - 8} class="chart-bar" />
              <text x={LABEL + w + 6} y={y + 15} class="chart-value">{d.value}{unit}</text>
            </g>
          );
        })}
      </svg>
    </Figure>
  );
}

/** Two series side by side per label (this term against last term). */
export function PairChart({ id, title, data, names }: {
  id: string; title: string; data: { label: string; a: number; b: number }[];
  names: [string, string];
}) {
  if (data.length === 0) return <Figure id={id} title={title}><p class="empty">Nothing to chart.</p></Figure>;
  const max = Math.max(1, ...data.flatMap((d) => [d.a, d.b]));
  const span = WIDTH - LABEL - 60;
  const row = ROW * 1.6;
  const height = data.length * row + 30;
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg role="img" aria-labelledby={`${id}-title`} viewBox={`0 0 ${WIDTH} ${height}`}
        width={WIDTH} height={height} data-chart={id}>
        <rect x={LABEL} y={4} width={12} height={12} class="chart-bar" />
        <text x={LABEL + 18} y={14} class="chart-value">{names[0]}</text>
        <rect x={LABEL + 150} y={4} width={12} height={12} class="chart-bar alt" />
        <text x={LABEL + 168} y={14} class="chart-value">{names[1]}</text>
        {data.map((d, i) => {
          const y = i * row + 26;
          const wa = (d.a / max) * span;
          const wb = (d.b / max) * span;
          return (
            <g key={d.label} data-label={d.label} data-value={d.a} data-previous={d.b}>
              <text x={LABEL - 8} y={y + 16} text-anchor="end" class="chart-label">{clip(d.label)}</text>
              <rect x={LABEL} y={y + 2} width={wa} height={ROW / 2} class="chart-bar" />
              <text x={LABEL + wa + 6} y={y + 12} class="chart-value">{d.a}</text>
              <rect x={LABEL} y={y + 2 + ROW / 2} width={wb} height={ROW / 2} class="chart-bar alt" />
              <text x={LABEL + wb + 6} y={y + 12 + ROW / 2} class="chart-value">{d.b}</text>
            </g>
          );
        })}
      </svg>
      <table class="sr-only">
        <caption>{title}</caption>
        <thead><tr><th scope="col">Figure</th><th scope="col">{names[0]}</th>
          <th scope="col">{names[1]}</th></tr></thead>
        <tbody>{data.map((d) => <tr key={d.label}><th scope="row">{d.label}</th>
          <td>{d.a}</td><td>{d.b}</td></tr>)}</tbody>
      </table>
    </figure>
  );
}

function Figure({ id, title, data, unit = "", children }: {
  id: string; title: string; data?: Datum[]; unit?: string; children: ComponentChildren;
}) {
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {children}
      {data && (
        <table class="sr-only">
          <caption>{title}</caption>
          <tbody>{data.map((d) => <tr key={d.label}><th scope="row">{d.label}</th>
            <td>{d.value}{unit}</td></tr>)}</tbody>
        </table>
      )}
    </figure>
  );
}

function clip(label: string): string {
  return label.length > 26 ? `${label.slice(0, 25)}…` : label;
}
