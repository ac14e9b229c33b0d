/**
 * `npm run trace -- NN`: what happens between a server and the kernel, shown. It runs the server of
 * exercise NN with the binding's trace hook on (fixtures/native/trace.ts), plays a fixed scenario
 * against it with real clients on loopback (trace-scenario.ts), stops it, and draws every call it made:
 * one lane per socket, the time it sat blocked inside a call, and a verdict of what the scenario shows
 * (trace-verdict.ts). A server that crashes or hangs still gets its trace, up to that point; one that
 * never sleeps, its first 50,000 calls.
 *
 *   npm run trace -- 01                 your server: the timeline here, the same as an SVG in .kata/
 *   npm run trace -- 01 --solution      the reference solution's
 *   npm run trace -- 01 --json FILE     and the events as JSON: { "events": [ { "t", "dur", "call", "fd", "peer", "result" } ] }
 *   npm run trace -- --docs             redraws docs/trace-01-02.svg: 01's and 02's references side by side
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { flag, isMain, parseCommandLine, value } from '../fixtures/command-line.ts';
import { runFileCleanups } from '../fixtures/harness/cleanup.ts';
import { startServer, type ServerProcess } from '../fixtures/harness/server.ts';
import { AN_EXERCISE, exerciseFromArgs, packRoot, runCommand } from './cli.ts';
import { findExercises, pickExercise, type Exercise } from './exercises.ts';
import { kataFile } from './states.ts';
import { paint } from './terminal.ts';
import { drawSvg, drawTerminal, type Drawable } from './trace-draw.ts';
import { callLimit, firstCallAt, readEvents, type TraceEvent } from './trace-events.ts';
import { now, PICTURE_PACE, scenarioOf, SCENARIOS, type Pace, type Player, type Scenario } from './trace-scenario.ts';
import { verdict, type Ending } from './trace-verdict.ts';

/** A client of the scenario, as a trace reports it: times in seconds from the trace's start. */
export interface TracedClient {
  name: string;
  /** Its port on 127.0.0.1, by which the server's accept named its socket. */
  port: number;
  connected?: number;
  left?: number;
  steps: Array<{ t: number; what: string }>;
}

/** One server traced through one scenario. */
export interface Trace {
  /** The server program, relative to the pack. */
  server: string;
  scenario: Scenario;
  events: TraceEvent[];
  clients: TracedClient[];
  ending: Ending;
  verdict: string;
}

/** Runs `file`, a server program, with tracing on, through `scenario`, and reads what it did. */
export async function traceServer(file: string, scenario: Scenario, pace: Pace = PICTURE_PACE): Promise<Trace> {
  const dir = mkdtempSync(join(tmpdir(), 'kata-trace-'));
  const calls = join(dir, 'calls.jsonl');
  writeFileSync(calls, '');
  const started = now();
  try {
    const run = await playAgainst(file, calls, scenario, pace);
    const raw = readFileSync(calls, 'utf8');
    const origin = firstCallAt(raw) ?? started;
    const since = (t: number) => Math.round((t - origin) * 1000) / 1e6;
    const names = new Map(run.players.filter((p) => p.port).map((p) => [p.port, p.name]));
    const events = readEvents(raw, origin, run.stoppedAt, names);
    const clients = run.players.map((p) => tracedClient(p, since));
    const limit = callLimit(raw);
    const ending: Ending = {
      at: since(run.stoppedAt),
      ...(run.crashed && { crashed: run.crashed }),
      ...(run.notStarted && { notStarted: run.notStarted }),
      ...(limit && { limit }),
    };
    const connected = new Map(clients.filter((c) => c.connected !== undefined).map((c) => [c.name, c.connected!]));
    return { server: relative(packRoot(), file), scenario, events, clients, ending, verdict: verdict({ events, connected, scenario, ending }) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Played {
  players: Player[];
  /** When the trace stopped (epoch ms): the server was stopped, or had exited. */
  stoppedAt: number;
  crashed?: string;
  notStarted?: string;
}

/** Starts the server with tracing into `calls`, plays the scenario, and stops the server. */
async function playAgainst(file: string, calls: string, scenario: Scenario, pace: Pace): Promise<Played> {
  let server: ServerProcess;
  try {
    server = await startServer(file, { env: { KATA_TRACE: calls }, startupMs: 10_000 });
  } catch (error) {
    return { players: [], stoppedAt: now(), notStarted: (error as Error).message.split('\n').slice(0, 3).join(' ').trim() };
  }
  let exitedAt: number | undefined;
  const gone = server.exited.then(() => {
    exitedAt = now();
  });
  const players = await scenario.play(server.port, pace, gone);
  await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 150))]); // where it waits once all is done
  const stoppedAt = exitedAt ?? now();
  const crashed = exitedAt !== undefined ? await howItEnded(server) : undefined;
  await server.stop();
  for (const player of players) player.destroy();
  return { players, stoppedAt, ...(crashed && { crashed }) };
}

/** `exit code 1: Error: TODO(01-blocking): handleClient() must …`, the first line of the error it printed. */
async function howItEnded(server: ServerProcess): Promise<string> {
  const { code, signal } = await server.exited;
  const error = /^(?:\w*Error\b|TODO\().*$/m.exec(server.stderr)?.[0];
  const how = signal ? `killed by ${signal}` : `exit code ${code}`;
  return error ? `${how}: ${error.length > 90 ? `${error.slice(0, 89)}…` : error}` : how;
}

function tracedClient(player: Player, since: (t: number) => number): TracedClient {
  const left = player.steps.find((s) => s.what === 'leaves');
  return {
    name: player.name,
    port: player.port,
    ...(player.connectedAt !== undefined && { connected: since(player.connectedAt) }),
    ...(left && { left: since(left.t) }),
    steps: player.steps.map(({ t, what }) => ({ t: since(t), what })),
  };
}

/** What the drawings need of a trace, under `title`. */
export function drawable(trace: Trace, title: string): Drawable {
  return { title, story: trace.scenario.story, events: trace.events, clients: trace.clients, end: trace.ending.at, verdict: trace.verdict };
}

/** The JSON of `--json FILE`: the events, as trace-events.ts describes them, and beside them what they came from. */
export function traceJson(trace: Trace): string {
  const { server, scenario, verdict: line, clients, events } = trace;
  return `${JSON.stringify({ server, scenario: scenario.story, verdict: line, clients, events }, null, 1)}\n`;
}

/** The scenario of the exercise, or an error that names the exercises that have one. */
function scenarioFor(exercise: Exercise): Scenario {
  const kind = SCENARIOS[exercise.number];
  if (!kind) throw new Error(`${exercise.name} has no server to trace. npm run trace takes ${Object.keys(SCENARIOS).join(', ')}.`);
  return scenarioOf(kind);
}

/** The file of the docs' picture, shown in 01's and 02's READMEs. */
export const DOCS_PICTURE = 'docs/trace-01-02.svg';

/** `--docs`: the references of 01 and 02 traced, side by side, into DOCS_PICTURE. */
async function drawDocs(root: string): Promise<void> {
  const exercises = findExercises(root);
  const traces: Drawable[] = [];
  for (const wanted of ['01', '02']) {
    const exercise = pickExercise(exercises, wanted);
    const trace = await traceServer(join(root, 'solutions', exercise.name, 'server.ts'), scenarioFor(exercise));
    traces.push(drawable(trace, `${exercise.name} (reference)`));
    console.log(`${drawTerminal(traces.at(-1)!)}\n`);
  }
  writeFileSync(join(root, DOCS_PICTURE), drawSvg(traces, 560));
  console.log(`${DOCS_PICTURE} redrawn`);
}

const OPTIONS = {
  solution: flag(),
  json: value({ placeholder: 'FILE', accepts: 'a file to write', read: (text) => text || undefined }),
  docs: flag(),
};

/**
 * Traces the server of `exercise` (the learner's, or with `solution` the reference), prints its
 * timeline as it goes, and writes its SVG in .kata/ and, given `json`, its events there: what the
 * command and the runner's `t` do. The server is stopped, and its bundle removed, by the time it returns.
 */
export async function traceExercise(root: string, exercise: Exercise, { solution = false, json }: { solution?: boolean; json?: string } = {}): Promise<void> {
  const file = join(root, solution ? 'solutions' : 'exercises', exercise.name, 'server.ts');
  const scenario = scenarioFor(exercise);
  if (!existsSync(file)) throw new Error(`${relative(root, file)} is not there: there is no server to trace.`);
  console.log(paint('gray', `\nTracing ${relative(root, file)}: every call it makes, while real clients play a scenario (a few seconds)…\n`));
  try {
    const trace = await traceServer(file, scenario);
    const title = `${exercise.name} · ${trace.server}`;
    console.log(drawTerminal(drawable(trace, title)));
    const picture = kataFile(root, `trace-${exercise.name}${solution ? '-solution' : ''}.svg`);
    mkdirSync(dirname(picture), { recursive: true });
    writeFileSync(picture, drawSvg([drawable(trace, title)]));
    console.log(`\nthe picture: ${relative(process.cwd(), picture)}`);
    if (json) {
      writeFileSync(json, traceJson(trace));
      console.log(`the events:  ${relative(process.cwd(), json)}`);
    }
  } finally {
    await runFileCleanups();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseCommandLine(OPTIONS, { positionals: AN_EXERCISE });
  const root = packRoot();
  if (values.docs) return drawDocs(root).finally(runFileCleanups);
  const exercise = await exerciseFromArgs(root, positionals[0]);
  // npm runs the command in the pack's root: a FILE is where the learner typed it, as they meant it.
  const json = values.json && resolve(process.env.INIT_CWD ?? process.cwd(), values.json);
  await traceExercise(root, exercise, { solution: values.solution, ...(json && { json }) });
}

if (isMain(import.meta.url)) {
  // The server runs in a process group of its own, which Ctrl-C does not reach: stop it on the way out.
  process.once('SIGINT', () => void runFileCleanups().finally(() => process.exit(130)));
  runCommand(main);
}
