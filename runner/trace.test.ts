/**
 * `npm run trace`: the scenarios played against real servers, with the binding's trace hook on. The
 * traces of 01's and 02's references must show the lesson (B waits for A; B does not), a known-wrong
 * 02 must get 01's verdict, and a server that hangs or crashes must still get its trace, in bounded time.
 */
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, test } from 'vitest';
import { concurrentTest } from '../fixtures/harness/cleanup.ts';
import { drawSvg, drawTerminal } from './trace-draw.ts';
import { readEvents, type TraceEvent } from './trace-events.ts';
import { scenarioOf, type Pace } from './trace-scenario.ts';
import { drawable, traceJson, traceServer, type Trace } from './trace.ts';

/** Faster than the picture's pace: A leaves as soon as B has its echo, or after half a second. */
const FAST: Pace = { holdMs: 500, leaveEarly: true, trickleMs: 300 };

const file = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const echo = (path: string) => traceServer(file(path), scenarioOf('echo'), FAST);

const firstOn = (trace: Trace, peer: string, call?: string) => trace.events.find((e) => e.peer === peer && (!call || e.call === call));

/** The events, shown when an expectation about them fails. */
const shown = (trace: Trace) => `${trace.verdict}\n${trace.events.map((e) => JSON.stringify(e)).join('\n')}`;

describe('trace: the scenarios, traced', () => {
  concurrentTest("01's reference: B's socket is first used after A's is closed, and the verdict says one client blocked everyone", async () => {
    const trace = await echo('solutions/01-blocking/server.ts');
    const aClosed = firstOn(trace, 'A', 'close');
    const bFirst = firstOn(trace, 'B');
    expect(aClosed && bFirst && bFirst.t > aClosed.t, shown(trace)).toBe(true);
    expect(trace.verdict, shown(trace)).toMatch(/^B connected at \d+\.\d\d s and was first read at \d+\.\d\d s, after A left: one client blocked everyone$/);
    expect(trace.events.find((e) => e.peer === 'A' && e.call === 'recv')?.dur, 'the recv on A lasts until A leaves').toBeGreaterThan(0.3);
  });

  concurrentTest("02's reference: B's socket is read before A's is closed, after a select that woke for it", async () => {
    const trace = await echo('solutions/02-select/server.ts');
    const aClosed = firstOn(trace, 'A', 'close');
    const bRead = firstOn(trace, 'B', 'recv');
    expect(aClosed && bRead && bRead.t < aClosed.t, shown(trace)).toBe(true);
    expect(trace.verdict, shown(trace)).toMatch(/first read at .*\(select woke for it\), while A sat silent: no client waited for another$/);
  });

  concurrentTest('a known-wrong 02 (01\'s blocking loop in its place) gets the verdict of 01, not of 02', async () => {
    const trace = await echo('fixtures/wrong/02-select/blocking/server.ts');
    expect(trace.verdict, shown(trace)).toMatch(/after A left: one client blocked everyone$/);
  });

  concurrentTest('a server that hangs yields its trace up to the stop, and a verdict that says where it was stuck', async () => {
    const started = performance.now();
    const trace = await echo('runner/testdata/trace-hangs.ts');
    expect(trace.verdict, shown(trace)).toMatch(/^B connected at .* and was never read: the server was still in select when it was stopped at /);
    expect(trace.events.at(-1), 'the select it never returned from').toMatchObject({ call: 'select', result: null });
    expect(performance.now() - started, 'a hung server is traced within a bounded time').toBeLessThan(15_000);
  });

  concurrentTest('a server that crashes yields its trace up to the crash, and a verdict that says so', async () => {
    const trace = await echo('runner/testdata/trace-crashes.ts');
    expect(trace.verdict, shown(trace)).toMatch(/was never read: the server crashed at .* \(exit code 1: TypeError: a bug after the second accept\)$/);
    expect(trace.events.filter((e) => e.call === 'accept').map((e) => (e.result as { peer: string }).peer)).toEqual(['A', 'B']);
  });

  concurrentTest("the web scenario on 08's reference: A is answered while C still trickles its request", async () => {
    const trace = await traceServer(file('solutions/08-async-web/server.ts'), scenarioOf('web'), FAST);
    expect(trace.verdict, shown(trace)).toMatch(/^A connected at .*, while C was still sending its request: no client waited for another$/);
  });

  concurrentTest('the JSON has exactly the contract\'s fields, and the drawings fit: 100 columns in the terminal, an SVG', async () => {
    const trace = await echo('solutions/01-blocking/server.ts');
    const json = JSON.parse(traceJson(trace)) as { events: Array<Record<string, unknown>> };
    expect(json.events.length).toBeGreaterThan(5);
    for (const event of json.events) expect(Object.keys(event).sort()).toEqual(['call', 'dur', 'fd', 'peer', 'result', 't']);
    expect(json.events.some((e) => e.peer === 'listen' && e.call === 'accept')).toBe(true);
    const lines = stripVTControlCharacters(drawTerminal(drawable(trace, 'title'))).split('\n');
    expect(lines.filter((line) => [...line].length > 100), 'lines wider than 100 columns').toEqual([]);
    expect(lines.some((line) => line.startsWith('A ') && line.includes('━━━━━'))).toBe(true);
    expect(drawSvg([drawable(trace, 'title')])).toMatch(/^<svg [^]*<\/svg>\n$/);
  });
});

describe('trace: from the hook\'s lines to events', () => {
  const line = (call: string, t: number, fd: number | number[] | null, result: unknown, extra = {}) => JSON.stringify({ call, t, dur: 1, fd, result, ...extra });

  test("an fd is named for the life of its socket: a number closed and accepted again is the next client's", () => {
    const raw = [
      line('socket', 1000, null, 3),
      line('listen', 1001, 3, 0),
      line('accept', 1002, 3, 4, { address: '127.0.0.1:50001' }),
      line('close', 1003, 4, 0),
      line('accept', 1004, 3, 4, { address: '127.0.0.1:50002' }),
      line('recv', 1005, 4, 5),
      line('select', 1006, [3, 4], [4]),
    ].join('\n');
    const events = readEvents(raw, 1000, 2000, new Map([[50001, 'A'], [50002, 'B']]));
    const peers = events.map((e: TraceEvent) => e.peer);
    expect(peers).toEqual(['listen', 'listen', 'listen', 'A', 'listen', 'B', null]);
    expect(events[2]!.result).toEqual({ fd: 4, peer: 'A' });
    expect(events[0]).toEqual({ t: 0, dur: 0.001, call: 'socket', fd: null, peer: 'listen', result: 3 });
  });

  test('a call that began and never ended runs to the stop, with no result', () => {
    const raw = [line('socket', 1000, null, 3), JSON.stringify({ begin: 'accept', t: 1500, fd: 3 }), '{"call":"trunc'].join('\n');
    const events = readEvents(raw, 1000, 3000, new Map());
    expect(events.at(-1)).toEqual({ t: 0.5, dur: 1.5, call: 'accept', fd: 3, peer: null, result: null });
  });
});
