/**
 * The bench's child processes: servers and load generators, each in its own process group, pinned
 * to a core where `taskset` can, with the soft limit on open files raised to the hard one (a shell
 * wrapper: `ulimit -n` in the child, so the bench itself needs no privilege). Every group is killed
 * when the bench ends, however it ends (Ctrl-C included).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus, platform } from 'node:os';
import { createInterface } from 'node:readline';
import { within } from '../fixtures/harness/wait.ts';
import { ROOT } from '../fixtures/harness/target.ts';

const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;
const groups = new Set<number>();

/** Pinning helps only where there are two cores to split between server and clients. */
export const canPin = platform() === 'linux' && cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** The open-files limits a child gets: the soft one raised to the hard one. */
export function fileLimits(): { soft: number; hard: number } {
  const read = (flag: string) => Number(spawnSync('sh', ['-c', `ulimit ${flag}n`], { encoding: 'utf8' }).stdout.trim()) || Infinity;
  return { soft: read('-S'), hard: read('-H') };
}

function start(command: string[], core: number | null, stdin: 'ignore' | 'pipe'): ChildProcess {
  const pinned = core !== null && canPin ? ['taskset', '-c', String(core), ...command] : command;
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...pinned], {
    cwd: ROOT,
    detached: true, // its own process group, so the whole group can be killed at the end
    stdio: [stdin, 'pipe', 'pipe'],
    env: { ...process.env, PORT: '', FORCE_COLOR: '0' },
  });
  groups.add(child.pid!);
  child.on('exit', () => groups.delete(child.pid!));
  return child;
}

/** Kills every process group the bench started. Synchronous, so it also works from an 'exit' handler. */
export function killAll(): void {
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // ESRCH: gone already.
    }
  }
  groups.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    console.log(`\nbench stopped (${signal}); every server and load generator it started is killed.`);
    process.exit(130);
  });
}

/** A server program (README.md, "Every server is a program"), running. */
export class Server {
  /**
   * The last chunks of what the server printed, for error messages. Bounded: a server that logs every
   * request prints megabytes in a run, and keeping them all (and searching them on every chunk) made
   * this process, the fast client's in part 5, five times slower within a second.
   */
  #chunks: string[] = [];
  exitedWith: string | undefined;

  private constructor(
    readonly label: string,
    readonly child: ChildProcess,
    public port = 0,
  ) {
    const keep = (chunk: string) => {
      this.#chunks.push(chunk);
      if (this.#chunks.length > 200) this.#chunks.shift();
    };
    child.stdout!.setEncoding('utf8').on('data', keep);
    child.stderr!.setEncoding('utf8').on('data', keep);
    child.on('exit', (code, signal) => (this.exitedWith = signal ? `killed by ${signal}` : `exit code ${code}`));
  }

  /** What the server printed lately (all of it, until it gets long). */
  get output(): string {
    return this.#chunks.join('');
  }

  /** Starts `command --port 0` and waits for its `listening on 127.0.0.1:PORT` line. */
  static async start(label: string, command: string[], core: number | null, startupMs = 30_000): Promise<Server> {
    const server = new Server(label, start([...command], core, 'ignore'));
    server.port = await within(
      new Promise<number>((resolve, reject) => {
        const look = () => {
          const match = LISTENING.exec(server.output);
          if (!match) return;
          server.child.stdout!.off('data', look);
          resolve(Number(match[1]));
        };
        server.child.stdout!.on('data', look);
        server.child.on('exit', () => setTimeout(() => reject(new Error(`${label} exited before listening: ${server.lastError()}`)), 50));
      }),
      startupMs,
      () => `${label} did not print "listening on 127.0.0.1:PORT" within ${startupMs} ms: ${server.lastError()}`,
    );
    return server;
  }

  /** The error line a crashed server printed (or its last line). */
  lastError(): string {
    const error = /^\w*Error\b.*$/m.exec(this.output)?.[0];
    return error ?? this.output.trim().split('\n').pop() ?? '(nothing printed)';
  }

  stop(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

export type LoadResult = { ok: true; [field: string]: unknown } | { ok: false; error: string };

/** bench/loadgen.ts in its own process: one command at a time, one JSON answer each. */
export class LoadGenerator {
  #answers: Array<(line: string) => void> = [];
  #errors = '';

  constructor(
    core: number | null,
    readonly child = start([process.execPath, '--import', 'tsx', 'bench/loadgen.ts'], core, 'pipe'),
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.#answers.shift()?.(line));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.#errors += chunk));
  }

  async ask<T extends object>(command: object, timeoutMs: number): Promise<T & LoadResult> {
    const answer = new Promise<string>((resolve) => this.#answers.push(resolve));
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    const line = await within(answer, timeoutMs, () => `the load generator did not answer ${JSON.stringify(command)} within ${timeoutMs} ms ${this.#errors}`);
    return JSON.parse(line) as T & LoadResult;
  }

  stop(): void {
    this.child.stdin!.end();
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
