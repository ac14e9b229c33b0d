/**
 * A trace's events, from the lines the binding's hook wrote (fixtures/native/trace.ts) to the shape
 * `npm run trace -- NN --json FILE` writes, which outside tools read:
 *
 *   { "events": [ { "t", "dur", "call", "fd", "peer", "result" } ] }
 *
 *   t       when the call began, in seconds from the server's first call
 *   dur     how long it took, in seconds: the time the process sat inside it
 *   call    `socket`, `bind`, `listen`, `accept`, `connect`, `recv`, `send`, `shutdown`, `close`,
 *           `select`, `poll`, `epoll_wait`, `epoll_create1`, `epoll_ctl ADD|MOD|DEL`, `kevent`
 *   fd      the fd it acts on; for select and poll, every fd watched; null for `socket`
 *   peer    whose socket the fd is: "A", "B", … for the socket of that client (named from the address
 *           `accept` returned), "listen" for the listening socket, null otherwise
 *   result  a byte count (recv, send), a new fd (socket), { fd, peer } (accept), the ready fds (the
 *           waits), 0, or an errno name ("EAGAIN"); null for a call that had not returned when the
 *           server stopped (its `dur` then runs to that moment)
 */

/** One call, as the contract above has it. */
export interface TraceEvent {
  t: number;
  dur: number;
  call: string;
  fd: number | number[] | null;
  peer: string | null;
  result: unknown;
}

/** A line of the hook: a call that returned, or (`begin`) one that began and may block. */
interface Line {
  call?: string;
  begin?: string;
  t: number;
  dur?: number;
  fd: number | number[] | null;
  result?: unknown;
  address?: string;
}

/** The calls a process waits in for many files at once: a trace draws them on a lane of their own. */
export const WAITS = new Set(['select', 'poll', 'epoll_wait', 'kevent']);

function parseLines(raw: string): Line[] {
  const lines: Line[] = [];
  for (const text of raw.split('\n')) {
    if (!text) continue;
    try {
      lines.push(JSON.parse(text) as Line);
    } catch {
      // The last line of a process killed while writing it: what came before stands.
    }
  }
  return lines;
}

/**
 * The calls of the trace, in order, each ended line as it is, and a call that began and never ended
 * (the server was stopped inside it) running until `stoppedAt`, with no result. Times in epoch ms.
 */
function pairCalls(lines: Line[], stoppedAt: number): Line[] {
  const calls: Line[] = [];
  let open: Line | undefined;
  for (const line of lines) {
    if (line.begin !== undefined) {
      open = line;
      continue;
    }
    if (line.call === undefined) continue; // the hook's `{"limit":N}`
    open = undefined; // this is its end (a process makes one call at a time)
    calls.push(line);
  }
  if (open) calls.push({ call: open.begin, t: open.t, dur: Math.max(0, stoppedAt - open.t), fd: open.fd, result: null });
  return calls;
}

/** Milliseconds as seconds, to the microsecond. */
const toSeconds = (ms: number) => Math.round(ms * 1000) / 1e6;

/**
 * The events of a raw trace, timed from `origin` (epoch ms), with each fd named for the life of its
 * socket: "listen" from the socket() that made the listening socket until its close, and a client's
 * name (`names.get(port)`, by the port `accept` saw it come from) from its accept until its close.
 * fd numbers are reused once closed, so a name holds only from that open to that close.
 */
export function readEvents(raw: string, origin: number, stoppedAt: number, names: ReadonlyMap<number, string>): TraceEvent[] {
  const calls = pairCalls(parseLines(raw), stoppedAt);
  const owner = new Map<number, string>();
  const sinceOpen = new Map<number, TraceEvent[]>(); // the events of each fd not yet named
  const events: TraceEvent[] = [];
  for (const line of calls) {
    const fd = line.fd;
    const event: TraceEvent = { t: toSeconds(line.t - origin), dur: toSeconds(line.dur!), call: line.call!, fd, peer: null, result: line.result };
    if (typeof fd === 'number') {
      event.peer = owner.get(fd) ?? null;
      if (event.peer === null) sinceOpen.set(fd, [...(sinceOpen.get(fd) ?? []), event]);
    }
    if (event.call === 'socket' && typeof event.result === 'number') sinceOpen.set(event.result, [event]);
    if (event.call === 'listen' && typeof fd === 'number' && event.result === 0) nameFd(fd, 'listen', owner, sinceOpen);
    if (event.call === 'accept' && typeof event.result === 'number') {
      const port = Number(line.address?.split(':')[1]);
      const peer = names.get(port) ?? line.address ?? null;
      if (peer !== null) nameFd(event.result, peer, owner, sinceOpen);
      event.result = { fd: event.result, peer };
    }
    if (event.call === 'close' && typeof fd === 'number') {
      owner.delete(fd);
      sinceOpen.delete(fd);
    }
    events.push(event);
  }
  return events;
}

/** From now on `fd` is `peer`'s, and so were its calls since it was opened. */
function nameFd(fd: number, peer: string, owner: Map<number, string>, sinceOpen: Map<number, TraceEvent[]>): void {
  owner.set(fd, peer);
  for (const event of sinceOpen.get(fd) ?? []) event.peer = peer;
  sinceOpen.delete(fd);
}

/** How many calls the hook wrote before it stopped at its limit (fixtures/native/trace.ts), or undefined if it did not. */
export function callLimit(raw: string): number | undefined {
  const found = /^\{"limit":(\d+)\}$/m.exec(raw);
  return found ? Number(found[1]) : undefined;
}

/** When the server's first call began (epoch ms), or undefined for a trace with none. */
export function firstCallAt(raw: string): number | undefined {
  return parseLines(raw)[0]?.t;
}

/**
 * For each wait of `events` that returned ready fds, whose sockets those were (`['B']`; `fd 7` for
 * one of nobody's): what the drawings print as `select → [B]`.
 */
export function readyPeers(events: readonly TraceEvent[]): Map<TraceEvent, string[]> {
  const owner = new Map<number, string>();
  const ready = new Map<TraceEvent, string[]>();
  for (const event of events) {
    const { fd, peer, result } = event;
    if (WAITS.has(event.call) && Array.isArray(result)) ready.set(event, (result as number[]).map((f) => owner.get(f) ?? `fd ${f}`));
    if (event.call === 'accept' && result && typeof result === 'object' && !Array.isArray(result)) {
      const accepted = result as { fd: number; peer: string | null };
      if (accepted.peer) owner.set(accepted.fd, accepted.peer);
    }
    if (typeof fd === 'number' && peer) owner.set(fd, peer);
    if (event.call === 'close' && typeof fd === 'number') owner.delete(fd);
  }
  return ready;
}
