/**
 * A small SVG writer for the bench's three charts: grouped bars (throughput), lines on log axes
 * (latency against idle connections), and horizontal bars on a log axis (cost per call). Plain
 * strings, no browser, no dependency: each chart is a function from figures to a standalone .svg file.
 */

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#86bcb6'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escape(content)}</text>`;
}

export function svg(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** A title and grey subtitle lines under it (a subtitle breaks into lines at ' · '). */
function heading(title: string, subtitle: string | undefined, width: number): string[] {
  const lines = subtitle ? subtitle.split(' · ') : [];
  return [
    text(width / 2, 22, title, 'text-anchor="middle" font-size="16" font-weight="600"'),
    ...lines.map((line, i) => text(width / 2, 40 + i * 15, line, 'text-anchor="middle" fill="#555"')),
  ];
}

/** Room the heading takes: the title and up to three subtitle lines. */
const TOP = 90;

/** A legend in rows under the plot. */
function legend(labels: string[], colors: string[], left: number, top: number, width: number): { body: string[]; height: number } {
  const body: string[] = [];
  let x = left;
  let y = top;
  for (const [i, label] of labels.entries()) {
    const w = 22 + label.length * 6.6;
    if (x + w > left + width) {
      x = left;
      y += 18;
    }
    body.push(`<rect x="${x}" y="${y - 9}" width="12" height="12" fill="${colors[i]}"/>`, text(x + 16, y + 1, label));
    x += w + 12;
  }
  return { body, height: y - top + 18 };
}

/** Round numbers for a linear axis from 0 to at least `max`. */
function linearTicks(max: number): number[] {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 0.001; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

/** Powers of ten covering [min, max]. */
function decades(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks;
}

export function formatNumber(value: number): string {
  if (value >= 1e6) return `${+(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${+(value / 1e3).toPrecision(3)}k`;
  return `${+value.toPrecision(3)}`;
}

export interface BarChart {
  title: string;
  subtitle?: string;
  /** One group of bars per category (e.g. each number of clients). */
  groups: string[];
  /** One bar per series in every group; null where a series has no figure (skipped, failed). */
  series: Array<{ label: string; values: Array<number | null> }>;
  yLabel: string;
  /** A dashed horizontal line, e.g. at 1.0 for "as fast as the baseline" (say so in the y label: bars hide a label on the line). */
  reference?: { value: number; label: string };
  /** Printed above each bar. */
  format?: (value: number) => string;
}

/** Grouped vertical bars. */
export function barChart(chart: BarChart): string {
  const width = Math.max(760, 120 + chart.groups.length * (chart.series.length * 22 + 40));
  const plot = { left: 70, top: TOP, width: width - 100, height: 300 };
  const values = chart.series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  const ticks = linearTicks(Math.max(...values, chart.reference?.value ?? 0, 1e-9) * 1.12);
  const top = ticks[ticks.length - 1]!;
  const y = (v: number) => plot.top + plot.height - (v / top) * plot.height;
  const format = chart.format ?? formatNumber;
  const body = heading(chart.title, chart.subtitle, width);

  for (const t of ticks) {
    body.push(`<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>`);
    body.push(text(plot.left - 6, y(t) + 4, format(t), 'text-anchor="end" fill="#555"'));
  }
  body.push(text(16, plot.top + plot.height / 2, chart.yLabel, `transform="rotate(-90 16 ${plot.top + plot.height / 2})" text-anchor="middle"`));

  const groupWidth = plot.width / chart.groups.length;
  const barWidth = Math.min(28, (groupWidth - 24) / chart.series.length);
  for (const [g, group] of chart.groups.entries()) {
    const start = plot.left + g * groupWidth + (groupWidth - barWidth * chart.series.length) / 2;
    for (const [s, series] of chart.series.entries()) {
      const value = series.values[g];
      const x = start + s * barWidth;
      if (value === null || value === undefined) {
        body.push(text(x + barWidth / 2, y(0) - 4, '–', 'text-anchor="middle" fill="#999"'));
        continue;
      }
      body.push(`<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(y(0) - y(value)).toFixed(1)}" fill="${colorOf(s)}"><title>${escape(`${series.label}, ${group}: ${format(value)}`)}</title></rect>`);
      // Upright labels would run into their neighbours: each reads up from the top of its bar.
      const [lx, ly] = [x + barWidth / 2 + 2, y(value) - 4];
      body.push(text(lx, ly, format(value), `transform="rotate(-90 ${lx.toFixed(1)} ${ly.toFixed(1)})" font-size="10" fill="#333"`));
    }
    body.push(text(plot.left + g * groupWidth + groupWidth / 2, plot.top + plot.height + 18, group, 'text-anchor="middle" font-weight="600"'));
  }
  if (chart.reference) {
    const ry = y(chart.reference.value);
    body.push(`<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${ry}" y2="${ry}" stroke="#222" stroke-dasharray="5 4"/>`);
    body.push(`<title>${escape(chart.reference.label)}</title>`);
  }
  body.push(`<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>`);
  const key = legend(chart.series.map((s) => s.label), chart.series.map((_, i) => colorOf(i)), plot.left, plot.top + plot.height + 44, plot.width);
  body.push(...key.body);
  return svg(width, plot.top + plot.height + 44 + key.height + 8, body);
}

export interface LineChart {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: Array<{ label: string; points: Array<[x: number, y: number]>; dashed?: boolean; colorIndex?: number }>;
  /** A mark at the end of a series that stopped, e.g. select past FD_SETSIZE. */
  notes?: Array<{ x: number; y: number; label: string; colorIndex: number }>;
}

/** Lines with points, both axes logarithmic (powers of ten). */
export function logLogChart(chart: LineChart): string {
  const width = 760;
  const plot = { left: 80, top: TOP, width: width - 120, height: 340 };
  const xs = chart.series.flatMap((s) => s.points.map((p) => p[0])).concat((chart.notes ?? []).map((n) => n.x));
  const ys = chart.series.flatMap((s) => s.points.map((p) => p[1])).concat((chart.notes ?? []).map((n) => n.y));
  const xTicks = decades(Math.min(...xs), Math.max(...xs));
  const yTicks = decades(Math.min(...ys), Math.max(...ys));
  const [x0, x1] = [Math.log10(xTicks[0]!), Math.log10(xTicks[xTicks.length - 1]!)];
  const [y0, y1] = [Math.log10(yTicks[0]!), Math.log10(yTicks[yTicks.length - 1]!)];
  const x = (v: number) => plot.left + ((Math.log10(v) - x0) / (x1 - x0 || 1)) * plot.width;
  const y = (v: number) => plot.top + plot.height - ((Math.log10(v) - y0) / (y1 - y0 || 1)) * plot.height;
  const body = heading(chart.title, chart.subtitle, width);

  for (const t of yTicks) {
    body.push(`<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>`);
    body.push(text(plot.left - 6, y(t) + 4, formatNumber(t), 'text-anchor="end" fill="#555"'));
  }
  for (const t of xTicks) {
    body.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${plot.top}" y2="${plot.top + plot.height}" stroke="#e5e5e5"/>`);
    body.push(text(x(t), plot.top + plot.height + 16, formatNumber(t), 'text-anchor="middle" fill="#555"'));
  }
  body.push(`<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#333"/>`);
  body.push(text(plot.left + plot.width / 2, plot.top + plot.height + 36, chart.xLabel, 'text-anchor="middle"'));
  body.push(text(18, plot.top + plot.height / 2, chart.yLabel, `transform="rotate(-90 18 ${plot.top + plot.height / 2})" text-anchor="middle"`));

  for (const [i, series] of chart.series.entries()) {
    const color = colorOf(series.colorIndex ?? i);
    const path = series.points.map(([px, py], n) => `${n ? 'L' : 'M'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    body.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const [px, py] of series.points) {
      body.push(`<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3.5" fill="${color}"><title>${escape(`${series.label}: ${formatNumber(px)} → ${formatNumber(py)}`)}</title></circle>`);
    }
  }
  for (const note of chart.notes ?? []) {
    const [nx, ny] = [x(note.x), y(note.y)];
    body.push(`<path d="M${nx - 5},${ny - 5} L${nx + 5},${ny + 5} M${nx - 5},${ny + 5} L${nx + 5},${ny - 5}" stroke="${colorOf(note.colorIndex)}" stroke-width="2.5"/>`);
    body.push(text(nx - 8, ny - 8, note.label, `text-anchor="end" fill="${colorOf(note.colorIndex)}"`));
  }
  const colors = chart.series.map((s, i) => colorOf(s.colorIndex ?? i));
  const key = legend(chart.series.map((s) => s.label), colors, plot.left, plot.top + plot.height + 60, plot.width);
  body.push(...key.body);
  return svg(width, plot.top + plot.height + 60 + key.height + 8, body);
}

export interface HorizontalBars {
  title: string;
  subtitle?: string;
  bars: Array<{ label: string; value: number }>;
  unit: string;
}

/** One horizontal bar per figure, on a log axis (the figures span several powers of ten). */
export function logBars(chart: HorizontalBars): string {
  const width = 760;
  const rowHeight = 26;
  const plot = { left: 260, top: TOP, width: width - 320, height: chart.bars.length * rowHeight };
  const ticks = decades(Math.min(...chart.bars.map((b) => b.value)), Math.max(...chart.bars.map((b) => b.value)));
  const [v0, v1] = [Math.log10(ticks[0]!), Math.log10(ticks[ticks.length - 1]!)];
  const x = (v: number) => plot.left + ((Math.log10(v) - v0) / (v1 - v0 || 1)) * plot.width;
  const body = heading(chart.title, chart.subtitle, width);
  for (const t of ticks) {
    body.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${plot.top}" y2="${plot.top + plot.height}" stroke="#e5e5e5"/>`);
    body.push(text(x(t), plot.top + plot.height + 16, `${formatNumber(t)} ${chart.unit}`, 'text-anchor="middle" fill="#555"'));
  }
  for (const [i, bar] of chart.bars.entries()) {
    const top = plot.top + i * rowHeight + 4;
    body.push(text(plot.left - 8, top + 13, bar.label, 'text-anchor="end"'));
    body.push(`<rect x="${plot.left}" y="${top}" width="${Math.max(1, x(bar.value) - plot.left).toFixed(1)}" height="${rowHeight - 8}" fill="${colorOf(i)}"/>`);
    body.push(text(x(bar.value) + 6, top + 13, `${formatNumber(bar.value)} ${chart.unit}`, 'fill="#333"'));
  }
  return svg(width, plot.top + plot.height + 30, body);
}
