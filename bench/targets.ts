/**
 * What the pack's servers aim at, held against a run's figures. Benchmarks are not tests: a target
 * missed fails nothing, but every full run says which hold (in the terminal and in summary.md), so
 * a change that costs speed is seen. Each target is a ratio taken within the same rounds, so the
 * machine's drift cancels out; C = 50 clients unless it says otherwise.
 */
import type { Results } from './report.ts';

export interface Target {
  /** What is aimed at, in words. */
  aim: string;
  /** The figure, from a run's results; undefined when the run did not measure it. */
  figure: (results: Results) => number | undefined;
  /** Whether the figure meets the aim. */
  holds: (figure: number) => boolean;
}

const C = 50;

/** A server's echo throughput at C = 50 as a multiple of Python asyncio's, or of Node's net. */
function echoRatio(id: string, versus: 'vsAsyncio' | 'vsNode') {
  return (results: Results) => results.throughput.find((row) => row.id === id)?.byConns[C]?.[versus] ?? undefined;
}

export const TARGETS: Target[] = [
  { aim: '03 epoll ≥ 1.05× Python asyncio (echo)', figure: echoRatio('03-epoll', 'vsAsyncio'), holds: (x) => x >= 1.05 },
  { aim: '04 generators ≥ 0.9× Python asyncio (echo)', figure: echoRatio('04-generators', 'vsAsyncio'), holds: (x) => x >= 0.9 },
  { aim: '10 protocols ≥ 1.5× Node net (echo)', figure: echoRatio('10-protocols', 'vsNode'), holds: (x) => x >= 1.5 },
  {
    aim: "10 protocols ≥ 1.5× Node's http (web, keep-alive)",
    figure: (results) => results.web?.servers.find((row) => row.id === '10-protocols')?.ratio,
    holds: (x) => x >= 1.5,
  },
  {
    aim: 'koffi getpid() ≤ 1.5× getpid() from C',
    figure: ({ ffi }) => (ffi.getpid !== undefined && ffi.cGetpid !== undefined ? ffi.getpid / ffi.cGetpid : undefined),
    holds: (x) => x <= 1.5,
  },
];

/** One line per target: its aim, the run's figure, and whether it holds (or was not measured). */
export function targetLines(results: Results): string[] {
  return TARGETS.map(({ aim, figure, holds }) => {
    const x = figure(results);
    if (x === undefined) return `${aim}: not measured in this run`;
    return `${aim}: ${x.toFixed(2)} — ${holds(x) ? 'holds' : 'missed'}`;
  });
}
