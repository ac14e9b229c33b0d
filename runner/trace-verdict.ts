/**
 * What a trace shows, in one line, read from its events alone (never from which exercise it is): did
 * the client that talked (B; A on the web) have to wait until the one that took its time (A; C) was
 * done? A server that crashed or stayed stuck gets a verdict that says so.
 */
import type { TraceEvent } from './trace-events.ts';
import { readyPeers, WAITS } from './trace-events.ts';
import type { Scenario } from './trace-scenario.ts';

/** How the server's run ended, in seconds from the trace's start. */
export interface Ending {
  /** When the trace stopped: the server was stopped, or exited by itself. */
  at: number;
  /** Set when the server exited by itself before it was stopped: how (`exit code 1: Error: TODO(01-blocking): …`). */
  crashed?: string;
  /** Set when the server never said it was listening: what it printed instead. */
  notStarted?: string;
  /** Set when the hook stopped writing at its limit: how many calls it wrote. */
  limit?: number;
}

export interface Judged {
  events: readonly TraceEvent[];
  /** When each client connected, in seconds from the trace's start. */
  connected: ReadonlyMap<string, number>;
  scenario: Pick<Scenario, 'slow' | 'other' | 'slowDone' | 'slowBusy'>;
  ending: Ending;
}

const at = (seconds: number) => `${seconds.toFixed(2)} s`;

/** When the server saw `name` go: the end of a recv on its socket that read end-of-file or failed, or its close. */
function leftAt(events: readonly TraceEvent[], name: string): number | undefined {
  const seen = events.find((e) => e.peer === name && ((e.call === 'recv' && (e.result === 0 || typeof e.result === 'string')) || e.call === 'close'));
  return seen && seen.t + seen.dur;
}

/** The verdict line, and what the trace leaves out. */
export function verdict(judged: Judged): string {
  const { events, ending } = judged;
  const last = events.at(-1);
  const limited = ending.limit && last ? `; the server made ${ending.limit.toLocaleString('en')} calls by ${at(last.t)}, and the trace stops there` : '';
  return `${judgement(judged)}${limited}`;
}

function judgement({ events, connected, scenario, ending }: Judged): string {
  const { slow, other } = scenario;
  if (ending.notStarted) return `The server never listened: ${ending.notStarted}`;
  const crash = ending.crashed && `the server crashed at ${at(ending.at)} (${ending.crashed})`;
  const came = connected.get(other);
  if (came === undefined) return crash ? `${capitalised(crash)}, before ${other} could connect` : `${other} could not connect`;
  const read = events.find((e) => e.peer === other && e.call === 'recv');
  if (!read) return neverRead(events, other, came, crash, ending.at);
  const first = `${other} connected at ${at(came)} and was first read at ${at(read.t)}`;
  const then = crash ? `; then ${crash}` : '';
  const slowLeft = leftAt(events, slow);
  if (slowLeft !== undefined && read.t >= slowLeft) return `${first}, ${scenario.slowDone}: one client blocked everyone${then}`;
  const woke = wokeFor(events, other, read.t);
  return `${first}${woke ? ` (${woke.call} woke for it)` : ''}, ${scenario.slowBusy}: no client waited for another${then}`;
}

/** The last wait before `before` that returned `name`'s socket among the ready ones. */
function wokeFor(events: readonly TraceEvent[], name: string, before: number): TraceEvent | undefined {
  const ready = readyPeers(events);
  return events.filter((e) => WAITS.has(e.call) && e.t <= before && ready.get(e)?.includes(name)).at(-1);
}

function neverRead(events: readonly TraceEvent[], name: string, came: number, crash: string | false | undefined, end: number): string {
  if (crash) return `${name} connected at ${at(came)} and was never read: ${crash}`;
  const stuck = events.findLast((e) => e.result === null);
  const where = stuck ? `: the server was still in ${stuck.call}${stuck.peer ? ` on ${stuck.peer}` : ''} when it was stopped at ${at(end)}` : '';
  return `${name} connected at ${at(came)} and was never read${where}`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
