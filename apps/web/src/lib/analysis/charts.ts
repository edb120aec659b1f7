import * as Plot from '@observablehq/plot';
import type { ChartDatum } from './agreement.ts';

/** Observable Plot charts of the agreement and analysis views. */

const FONT = 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif';
const STYLE = { fontFamily: FONT, fontSize: '12px', color: '#1f2430', background: 'transparent', overflow: 'visible' } as const;
const METRIC_COLORS = ['#2f6fb3', '#c2410c'];

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Room for tick labels of 12 px text (about 7 px a character), truncated at 40 characters. */
function labelWidth(names: readonly string[], max = 300): number {
  const longest = names.reduce((m, s) => Math.max(m, Math.min(s.length, 40)), 4);
  return Math.min(max, 18 + longest * 7);
}

/** The tooltip of one agreement bar: the code, the measure and its value (no internal channel names). */
export function coefficientTip(d: ChartDatum): string {
  return `${d.code}\n${d.metric}: ${d.value.toFixed(2)}`;
}

/**
 * Plot names its mark groups with `aria-label` on plain `<g>`s, which ARIA does
 * not allow on elements without a role (axe: aria-prohibited-attr): they become
 * named groups.
 */
export function labelGroups<E extends Element>(chart: E): E {
  for (const g of chart.querySelectorAll('g[aria-label]:not([role])')) g.setAttribute('role', 'group');
  return chart;
}

/**
 * Grouped horizontal bars: Cohen's κ and Krippendorff's α for each code, with
 * the zero line and Krippendorff's thresholds (.667 tentative, .800 reliable).
 */
export function coefficientChart(data: readonly ChartDatum[], width: number, codeOrder: readonly string[]): Element {
  const min = Math.min(0, ...data.map((d) => d.value));
  const codes = codeOrder.filter((c) => data.some((d) => d.code === c));
  const left = labelWidth(codes);
  return labelGroups(Plot.plot({
    width,
    marginLeft: left,
    marginRight: 44,
    marginTop: 28,
    marginBottom: 50,
    height: Math.max(140, codes.length * 46 + 80),
    style: STYLE,
    x: { domain: [Math.max(-1, Math.floor(min * 5) / 5), 1], grid: true, label: 'Agreement beyond chance (1 = perfect, 0 = chance)', labelAnchor: 'center', labelOffset: 34 },
    fy: { domain: codes, label: null, tickFormat: (d: string) => truncate(d, 40), padding: 0.18 },
    y: { domain: ['Cohen’s κ', 'Krippendorff’s α'], axis: null },
    color: { domain: ['Cohen’s κ', 'Krippendorff’s α'], range: METRIC_COLORS, legend: true },
    facet: { label: null },
    marks: [
      Plot.ruleX([0.667], { stroke: '#9a6700', strokeDasharray: '3,3', strokeOpacity: 0.8 }),
      Plot.ruleX([0.8], { stroke: '#16794c', strokeDasharray: '3,3', strokeOpacity: 0.9 }),
      Plot.barX(data, { fy: 'code', y: 'metric', x: 'value', fill: 'metric', inset: 1, title: coefficientTip, tip: { anchor: 'bottom' } }),
      // values at the bar ends: right of positive bars, left of negative ones
      Plot.text(data.filter((d) => d.value >= 0), {
        fy: 'code', y: 'metric', x: 'value', text: (d: ChartDatum) => d.value.toFixed(2),
        textAnchor: 'start', dx: 4, fill: '#1f2430', fontSize: 11,
      }),
      Plot.text(data.filter((d) => d.value < 0), {
        fy: 'code', y: 'metric', x: 'value', text: (d: ChartDatum) => `−${Math.abs(d.value).toFixed(2)}`,
        textAnchor: 'end', dx: -4, fill: '#1f2430', fontSize: 11,
      }),
      Plot.ruleX([0], { stroke: '#1f2430' }),
      Plot.text(['tentative ≥ .667'], { frameAnchor: 'top', x: 0.667, dy: -18, fill: '#9a6700', fontSize: 10.5, textAnchor: 'end', dx: -3, facetAnchor: 'top' }),
      Plot.text(['reliable ≥ .80'], { frameAnchor: 'top', x: 0.8, dy: -18, fill: '#16794c', fontSize: 10.5, textAnchor: 'start', dx: 3, facetAnchor: 'top' }),
    ],
  }));
}

export interface FrequencyDatum {
  path: string;
  name: string;
  color: string;
  count: number;
}

/** Horizontal bars of the number of coded segments per code, coloured like the codes. */
/** Whole-number ticks from 0 to max (at most about ten). */
export function integerTicks(max: number): number[] {
  const step = Math.max(1, Math.ceil(max / 10));
  const out: number[] = [];
  for (let v = 0; v <= Math.max(1, max); v += step) out.push(v);
  return out;
}

export function frequencyChart(data: readonly FrequencyDatum[], width: number): Element {
  const names = data.map((d) => d.path);
  const max = Math.max(1, ...data.map((d) => d.count));
  return labelGroups(Plot.plot({
    width,
    marginLeft: labelWidth(names, 320),
    marginRight: 40,
    marginBottom: 48,
    height: Math.max(110, data.length * 24 + 70),
    style: STYLE,
    x: { grid: true, label: 'Coded segments', labelAnchor: 'center', labelOffset: 36, ticks: integerTicks(max), tickFormat: 'd', domain: [0, max] },
    y: { domain: names, label: null, tickFormat: (d: string) => truncate(d, 48) },
    marks: [
      Plot.barX(data, { y: 'path', x: 'count', fill: (d: FrequencyDatum) => d.color, inset: 2, tip: true, title: (d: FrequencyDatum) => `${d.path}: ${d.count}` }),
      Plot.text(data, { y: 'path', x: 'count', text: (d: FrequencyDatum) => String(d.count), textAnchor: 'start', dx: 4, fontSize: 11, fill: '#1f2430' }),
      Plot.ruleX([0], { stroke: '#1f2430' }),
    ],
  }));
}

export interface CellDatum {
  x: string;
  y: string;
  count: number;
}

/**
 * A heat map of counts (code × transcript, or code × code), with the count in
 * each non-empty cell. Empty cells stay white so patterns stand out.
 */
export function heatMap(
  data: readonly CellDatum[], width: number,
  opts: { xDomain: string[]; yDomain: string[]; xLabel: string; legend: string; scheme?: string },
): Element {
  const max = Math.max(1, ...data.map((d) => d.count));
  const cell = Math.max(22, Math.min(56, Math.floor((width - labelWidth(opts.yDomain)) / Math.max(1, opts.xDomain.length))));
  const rotate = opts.xDomain.some((x) => x.length > Math.floor(cell / 7));
  // long labels stand upright: neighbours never overprint, whatever the cell width
  const angle = rotate ? -90 : 0;
  const longestX = Math.max(...opts.xDomain.map((x) => Math.min(x.length, 28)));
  const marginBottom = rotate ? Math.min(230, 40 + longestX * 7) : 36;
  const nonEmpty = data.filter((d) => d.count > 0);
  const chart = Plot.plot({
    width: Math.min(width, labelWidth(opts.yDomain) + cell * opts.xDomain.length + 30),
    height: opts.yDomain.length * Math.min(cell, 30) + marginBottom + 60,
    marginLeft: labelWidth(opts.yDomain),
    marginBottom,
    marginTop: 8,
    style: STYLE,
    x: { domain: opts.xDomain, label: opts.xLabel, axis: 'bottom', tickRotate: angle, tickFormat: (d: string) => truncate(d, 28), labelAnchor: 'center' },
    y: { domain: opts.yDomain, label: null, tickFormat: (d: string) => truncate(d, 40) },
    color: { type: 'linear', domain: [0, max], range: ['#eef4fb', '#1b4f8a'], label: opts.legend, ...(opts.scheme ? { scheme: opts.scheme as 'blues' } : {}) },
    marks: [
      Plot.cell(data, { x: 'x', y: 'y', fill: '#fbfcfd', stroke: '#e3e6ec', inset: 0.5 }),
      Plot.cell(nonEmpty, { x: 'x', y: 'y', fill: 'count', inset: 0.5, tip: true, title: (d: CellDatum) => `${d.y} × ${d.x}: ${d.count}` }),
      Plot.text(nonEmpty, { x: 'x', y: 'y', text: (d: CellDatum) => String(d.count), fill: (d: CellDatum) => (d.count > max * 0.55 ? 'white' : '#1f2430'), fontSize: 11 }),
    ],
  });
  // the colour ramp above the cells, with room for its first tick
  const legend = chart.legend('color', { label: opts.legend, marginLeft: 12, width: 280, ticks: integerTicks(max), tickFormat: 'd', style: STYLE });
  const box = document.createElement('div');
  box.className = 'heatmap';
  if (legend) box.append(legend);
  box.append(chart);
  return labelGroups(box);
}
