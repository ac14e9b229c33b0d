/**
 * A trace, drawn: one lane per socket (the listening socket, then each client by name) and one for
 * the waits (select, poll, epoll_wait) on a shared time axis. The time the process sat inside a call
 * is a bar; each call is a mark with a label (`recv 5 B`, `send 5`, `accept → B`, `select → [B]`); a
 * client connected but not yet accepted waits in the kernel's backlog, drawn as a pale bar.
 *
 * The same lanes make the terminal's timeline (at most 100 columns) and the SVG.
 */
import { escape, svg, text } from '../bench/svg.ts';
import { readyPeers, WAITS, type TraceEvent } from './trace-events.ts';
import { paint } from './terminal.ts';

/** What a drawing needs of a trace: times in seconds from its start. */
export interface Drawable {
  title: string;
  story: string;
  events: readonly TraceEvent[];
  clients: ReadonlyArray<{ name: string; connected?: number; left?: number }>;
  /** When the trace ends: the server was stopped, or exited. */
  end: number;
  verdict: string;
}

type SpanKind = 'blocked' | 'waiting' | 'backlog';

interface Span {
  from: number;
  to: number;
  kind: SpanKind;
}

interface Mark {
  t: number;
  label: string;
  /** A client's own move (connects, leaves), not a call of the server. */
  byClient?: boolean;
}

interface Lane {
  name: string;
  spans: Span[];
  marks: Mark[];
}

/** A call shorter than this is a mark alone: no bar. */
const MIN_BAR = 0.002;

/** The lane of each wait, named in at most 8 characters. */
const WAIT_LANES: Record<string, string> = { select: 'select', poll: 'poll', epoll_wait: 'epoll', kevent: 'kqueue' };

/** Calls drawn as a mark with no label: how the listening socket is made, every trace alike. */
const SILENT = new Set(['socket', 'bind', 'listen']);

function labelOf(event: TraceEvent, ready: Map<TraceEvent, string[]>): string {
  const { call, result } = event;
  if (SILENT.has(call)) return '';
  if (result === null) return `${call} …`;
  if (typeof result === 'string') return `${call} ${result}`;
  if (call === 'recv') return result === 0 ? 'recv EOF' : `recv ${String(result)} B`;
  if (call === 'send') return `send ${String(result)}`;
  if (call === 'accept') return `accept → ${(result as { peer: string | null }).peer ?? '?'}`;
  if (WAITS.has(call)) return `${call} → [${(ready.get(event) ?? []).join(', ')}]`;
  return call;
}

/** The lanes of a trace: the listening socket's, each client's (by name), then the waits'. */
export function lanesOf(trace: Drawable): Lane[] {
  const ready = readyPeers(trace.events);
  const lanes = new Map<string, Lane>();
  const lane = (name: string) => lanes.get(name) ?? lanes.set(name, { name, spans: [], marks: [] }).get(name)!;
  for (const name of ['listen', ...trace.clients.map((c) => c.name).sort()]) lane(name);
  for (const event of trace.events) {
    const wait = WAITS.has(event.call);
    const name = wait ? WAIT_LANES[event.call]! : event.peer;
    if (name === null) continue;
    // A call is marked where it returned, with what it returned; one that never did, where it began.
    lane(name).marks.push({ t: event.result === null ? event.t : event.t + event.dur, label: labelOf(event, ready) });
    if (event.dur >= MIN_BAR || event.result === null) lane(name).spans.push({ from: event.t, to: event.t + event.dur, kind: wait ? 'waiting' : 'blocked' });
  }
  for (const client of trace.clients) addClientMoves(lane(client.name), client, trace);
  return [...lanes.values()].filter((l) => l.marks.length > 0);
}

/**
 * A client's connect and leave, and its time in the backlog: connected, not accepted yet. Its marks go
 * first, so that the server's calls are drawn over them.
 */
function addClientMoves(lane: Lane, client: Drawable['clients'][number], trace: Drawable): void {
  if (client.connected === undefined) return;
  if (client.left !== undefined) lane.marks.unshift({ t: client.left, label: '', byClient: true });
  lane.marks.unshift({ t: client.connected, label: `${client.name} connects`, byClient: true });
  const accepted = trace.events.find((e) => e.call === 'accept' && (e.result as { peer?: string } | null)?.peer === client.name);
  const until = accepted ? accepted.t + accepted.dur : trace.end;
  if (until - client.connected >= MIN_BAR) lane.spans.push({ from: client.connected, to: until, kind: 'backlog' });
}

/** How many lines of labels a lane may have. */
const LABEL_ROWS = 3;

interface Placed {
  x: number;
  row: number;
  text: string;
}

/** Where labels go, in the drawing's units (columns, pixels). */
interface Layout {
  x: (t: number) => number;
  widthOf: (text: string) => number;
  /** Where the labels must end. */
  right: number;
  /** Marks this close share one label. */
  near: number;
  /** How far left of its marks a label may start, to end before `right`. */
  shift: number;
}

/**
 * Labels for marks, on up to LABEL_ROWS lines under their lane: marks close together share one label
 * (`recv 5 B · send 5`, a repeat as `send 5 ×2`), which starts at its marks, on the first line where
 * it runs into no other; near the right end it moves left a little, and is cut short if that is not
 * enough. One that fits nowhere is left out (the SVG still names every mark, on hover).
 */
function placeLabels(marks: Mark[], { x, widthOf, right, near, shift }: Layout): Placed[] {
  const clusters: Array<{ x: number; labels: string[] }> = [];
  for (const mark of [...marks].sort((a, b) => a.t - b.t)) {
    if (!mark.label) continue;
    const at = x(mark.t);
    const last = clusters.at(-1);
    if (last && at - last.x <= near) last.labels.push(mark.label);
    else clusters.push({ x: at, labels: [mark.label] });
  }
  const free = Array<number>(LABEL_ROWS).fill(-Infinity); // where each line is free from
  const placed: Placed[] = [];
  for (const cluster of clusters) {
    let label = counted(cluster.labels);
    const start = Math.max(0, Math.min(cluster.x, right - widthOf(label)), cluster.x - shift);
    while (label.length > 1 && start + widthOf(label) > right) label = `${label.slice(0, -2).replace(/[\s·]+$/, '')}…`;
    const row = free.findIndex((from) => from <= start);
    if (row === -1) continue;
    placed.push({ x: start, row, text: label });
    free[row] = start + widthOf(`${label}  `);
  }
  return placed;
}

/**
 * `recv 5 B · send 5`: the labels in order, a run of the same one counted (`×2`), and a wait's name
 * said once (`select → [listen] · → [B] ×2`).
 */
function counted(labels: string[]): string {
  const runs: Array<[string, number]> = [];
  for (const label of labels) {
    const last = runs.at(-1);
    if (last && last[0] === label) last[1]++;
    else runs.push([label, 1]);
  }
  const callOf = (label: string) => label.split(' ')[0];
  const shown = (label: string, i: number) =>
    i > 0 && label.includes(' → [') && callOf(label) === callOf(runs[i - 1]![0]) ? label.slice(label.indexOf('→')) : label;
  return runs.map(([label, n], i) => (n > 1 ? `${shown(label, i)} ×${n}` : shown(label, i))).join(' · ');
}

/** The roundest step for the time axis that keeps its ticks at least `fraction` of the axis apart. */
function tickStep(end: number, fraction: number): number {
  const steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
  return steps.find((step) => step / end >= fraction) ?? end;
}

function ticks(end: number, step: number): number[] {
  return Array.from({ length: Math.floor(end / step + 1e-9) + 1 }, (_, i) => Math.round(i * step * 1000) / 1000);
}

/** A tick's label, with as many decimals as its step has: `0.25`, `1.0`; `0 s` at the origin. */
function tickLabel(t: number, step: number): string {
  return t === 0 ? '0 s' : t.toFixed(String(step).split('.')[1]?.length ?? 0);
}

/** What the bars and marks mean, in the terminal's glyphs. */
const LEGEND = '━ blocked in a call   ░ connected, in the backlog   • a call returns   ◦ a client comes, goes';

/** The time axis runs a little past the trace's end, for the labels of its last calls. */
const axisEnd = (end: number) => end * 1.1;

// ---------------------------------------------------------------------------------------------
// The terminal

const COLUMNS = 100;
const NAME = 8;
const PLOT = COLUMNS - NAME - 1;

const GLYPHS: Record<SpanKind, string> = { blocked: '━', waiting: '━', backlog: '░' };
const SPAN_STYLE: Record<SpanKind, 'yellow' | 'cyan' | 'gray'> = { blocked: 'yellow', waiting: 'cyan', backlog: 'gray' };

/** The trace as the terminal shows it: a title, the time axis, each lane with its labels under it, the legend, the verdict. */
export function drawTerminal(trace: Drawable): string {
  const end = axisEnd(trace.end);
  const column = (t: number) => Math.max(0, Math.min(PLOT - 1, Math.round((t / end) * (PLOT - 1))));
  const lines = [paint('bold', trace.title), paint('gray', trace.story), ...axisLines(end, column)];
  for (const lane of lanesOf(trace)) {
    lines.push(`${lane.name.slice(0, NAME).padEnd(NAME)} ${barRow(lane, column)}`);
    const rows = Array.from({ length: LABEL_ROWS }, () => Array<string>(PLOT).fill(' '));
    const layout = { x: column, widthOf: (s: string) => s.length, right: PLOT, near: 1, shift: 12 };
    for (const { x, row, text: label } of placeLabels(lane.marks, layout)) rows[row]!.splice(x, label.length, ...label);
    for (const row of rows.map((r) => r.slice(0, PLOT).join('').trimEnd()).filter(Boolean)) lines.push(`${' '.repeat(NAME)} ${row}`);
  }
  lines.push(paint('gray', LEGEND), ...wrap(trace.verdict, COLUMNS).map((line) => paint('bold', line)));
  return lines.join('\n');
}

function axisLines(end: number, column: (t: number) => number): string[] {
  const step = tickStep(end, 9 / PLOT);
  const labels = Array<string>(PLOT + 6).fill(' ');
  const rule = Array<string>(PLOT).fill('─');
  for (const t of ticks(end, step)) {
    const label = tickLabel(t, step);
    labels.splice(column(t), label.length, ...label);
    rule[column(t)] = '┬';
  }
  return [`${' '.repeat(NAME)} ${labels.join('').slice(0, PLOT).trimEnd()}`, `${' '.repeat(NAME)} ${rule.join('')}`];
}

function barRow(lane: Lane, column: (t: number) => number): string {
  const row = Array<string>(PLOT).fill(' ');
  const kinds = Array<SpanKind | undefined>(PLOT).fill(undefined);
  for (const span of lane.spans) {
    for (let c = column(span.from); c <= column(span.to); c++) {
      row[c] = GLYPHS[span.kind];
      kinds[c] = span.kind;
    }
  }
  for (const mark of lane.marks) {
    row[column(mark.t)] = mark.byClient ? '◦' : '•';
    kinds[column(mark.t)] = undefined;
  }
  // Paint runs of one kind at once: a colour code per character would be most of the line.
  let out = '';
  for (let c = 0; c < PLOT; ) {
    let end = c + 1;
    while (end < PLOT && kinds[end] === kinds[c]) end++;
    const run = row.slice(c, end).join('');
    out += kinds[c] ? paint(SPAN_STYLE[kinds[c]!], run) : run;
    c = end;
  }
  return out.trimEnd();
}

/** `text` in lines of at most `width` characters, broken at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && `${line} ${word}`.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

// ---------------------------------------------------------------------------------------------
// The SVG

const NAME_WIDTH = 56;
const CHAR = 6.1; // the width of a character at 11 px, near enough, to keep labels apart
const FILL: Record<SpanKind, string> = { blocked: '#f28e2b', waiting: '#4e79a7', backlog: '#d9d9d9' };

/** One trace as a panel `width` wide at (`left`, `top`), its time axis running to `end`: its body and height. */
export function svgPanel(trace: Drawable, left: number, top: number, width: number, end = axisEnd(trace.end)): { body: string[]; height: number } {
  const plot = { left: left + NAME_WIDTH, width: width - NAME_WIDTH - 12 };
  const x = (t: number) => plot.left + (Math.min(t, end) / end) * plot.width;
  const body = [text(left, top + 14, trace.title, 'font-size="14" font-weight="600"'), text(left, top + 31, trace.story, 'fill="#555" font-size="11"')];
  let y = top + 52;
  const step = tickStep(end, 60 / plot.width);
  for (const t of ticks(end, step)) {
    body.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${y}" y2="${y + 6}" stroke="#999"/>`, text(x(t), y - 3, t === 0 ? '0 s' : `${tickLabel(t, step)} s`, 'text-anchor="middle" fill="#777" font-size="10"'));
  }
  body.push(`<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${y}" y2="${y}" stroke="#999"/>`);
  y += 12;
  for (const lane of lanesOf(trace)) {
    const drawn = svgLane(lane, left, y, x, plot.left + plot.width);
    body.push(...drawn.body);
    y += drawn.height;
  }
  const verdict = wrap(trace.verdict, Math.floor(width / CHAR));
  body.push(...verdict.map((line, i) => text(left, y + 10 + i * 15, line, 'font-weight="600" font-size="11.5"')));
  return { body, height: y + 10 + verdict.length * 15 - top };
}

function svgLane(lane: Lane, left: number, top: number, x: (t: number) => number, right: number): { body: string[]; height: number } {
  const middle = top + 10;
  const body = [text(left, middle + 4, lane.name, 'font-weight="600"'), `<line x1="${left + NAME_WIDTH}" x2="${right}" y1="${middle}" y2="${middle}" stroke="#eee"/>`];
  for (const span of lane.spans) {
    const width = Math.max(1.5, x(span.to) - x(span.from));
    body.push(`<rect x="${x(span.from).toFixed(1)}" y="${middle - 5}" width="${width.toFixed(1)}" height="10" rx="2" fill="${FILL[span.kind]}"/>`);
  }
  for (const mark of lane.marks) {
    const attrs = mark.byClient ? 'fill="white" stroke="#333"' : 'fill="#222"';
    body.push(`<circle cx="${x(mark.t).toFixed(1)}" cy="${middle}" r="2.8" ${attrs}><title>${escape(mark.label)} at ${mark.t.toFixed(3)} s</title></circle>`);
  }
  const labels = placeLabels(lane.marks, { x, widthOf: (s) => s.length * CHAR, right, near: 3, shift: 70 });
  for (const label of labels) body.push(text(label.x - 2, middle + 20 + label.row * 13, label.text, 'font-size="11" fill="#333"'));
  return { body, height: 26 + 13 * (Math.max(0, ...labels.map((l) => l.row)) + 1) };
}

/** The SVG's key: a swatch, and what it means. */
function svgLegend(left: number, top: number): string[] {
  const items: Array<[string, string]> = [
    [`<rect width="16" height="10" rx="2" fill="${FILL.blocked}"/>`, 'blocked in a call on one socket'],
    [`<rect width="16" height="10" rx="2" fill="${FILL.waiting}"/>`, 'asleep in a wait for any socket'],
    [`<rect width="16" height="10" rx="2" fill="${FILL.backlog}"/>`, 'connected, in the backlog'],
    ['<circle cx="8" cy="5" r="2.8" fill="#222"/>', 'a call returns'],
    ['<circle cx="8" cy="5" r="2.8" fill="white" stroke="#333"/>', 'a client comes, goes'],
  ];
  let x = left;
  return items.map(([swatch, words]) => {
    const item = `<g transform="translate(${x} ${top - 9})">${swatch}</g>${text(x + 21, top, words, 'fill="#555" font-size="11"')}`;
    x += 21 + words.length * CHAR + 18;
    return item;
  });
}

/** Traces side by side, each `width` wide, on one time axis: one SVG. */
export function drawSvg(traces: Drawable[], width = 620): string {
  const end = axisEnd(Math.max(...traces.map((t) => t.end)));
  const panels = traces.map((trace, i) => svgPanel(trace, 16 + i * (width + 24), 16, width, end));
  const height = Math.max(...panels.map((p) => p.height)) + 50;
  return svg(traces.length * (width + 24) + 8, height, [...panels.flatMap((p) => p.body), ...svgLegend(16, height - 16)]);
}
