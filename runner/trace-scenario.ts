/**
 * The scenarios `npm run trace` plays against a server, with real clients on loopback: one per kind of
 * exercise, always the same, so that two traces can be laid side by side.
 *
 *   echo (01–04, 07)  A connects and stays silent; B connects and talks; A leaves; B talks again
 *   web (00, 08)      C trickles its request a few bytes at a time; A and B each ask twice on one
 *                     keep-alive connection (or once, if the server closes after each answer)
 *
 * Each has one client that takes its time (A, C) and others that should not have to wait for it.
 * Every wait is bounded, and a server that exits ends them all: a crashed or stuck server still
 * yields its trace in a few seconds.
 */
import { connect, type Socket } from 'node:net';

export type Kind = 'echo' | 'web';

/** How long the clients take their time, in ms; the picture's pace (tests play it faster). */
export interface Pace {
  /** How long A stays silent at least, and how long B waits for its echo while A is there. */
  holdMs: number;
  /** Whether A leaves as soon as B has its echo (tests), rather than after holdMs (the picture). */
  leaveEarly: boolean;
  /** How long C takes to trickle its request. */
  trickleMs: number;
}

export const PICTURE_PACE: Pace = { holdMs: 1000, leaveEarly: false, trickleMs: 800 };

export interface Scenario {
  kind: Kind;
  /** What the clients do, in a line. */
  story: string;
  /** The client that takes its time. */
  slow: string;
  /** The client whose wait the verdict tells. */
  other: string;
  /** The verdict's words for "once the slow client was done", and for "while it still took its time". */
  slowDone: string;
  slowBusy: string;
  play: (port: number, pace: Pace, gone: Promise<void>) => Promise<Player[]>;
}

/** The scenario each exercise with a server is traced with. */
export const SCENARIOS: Record<string, Kind> = { '00': 'web', '01': 'echo', '02': 'echo', '03': 'echo', '04': 'echo', '07': 'echo', '08': 'web' };

/** What one client did, and when (ms since the epoch, the hook's clock). */
export interface Step {
  t: number;
  what: string;
}

/** Milliseconds since the epoch, to a fraction: the clock of the binding's trace hook, in every process. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A client of the scenario: a node:net socket that notes each thing it does, and waits only so long. */
export class Player {
  readonly steps: Step[] = [];
  /** Its port on 127.0.0.1: the server's `accept` sees it, and so names its socket after this client. */
  port = 0;
  connectedAt: number | undefined;
  received = Buffer.alloc(0);
  closed = false;
  #wake = () => {};

  private constructor(
    readonly name: string,
    readonly socket: Socket,
    readonly gone: Promise<void>,
  ) {
    socket.setNoDelay(true);
    socket.on('connect', () => this.#wake());
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.note(`gets ${chunk.length} B`);
    });
    socket.on('end', () => this.note('sees the server close'));
    socket.on('error', (error: NodeJS.ErrnoException) => this.note(`fails: ${error.code ?? error.message}`));
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  /** A client connected to `port` (or, if it could not connect, closed, with the reason among its steps). */
  static async connect(name: string, port: number, gone: Promise<void>): Promise<Player> {
    const player = new Player(name, connect({ host: '127.0.0.1', port }), gone);
    await player.until(() => !player.socket.connecting || player.closed, 3000);
    if (!player.closed && player.socket.localPort !== undefined) {
      player.port = player.socket.localPort;
      player.connectedAt = now();
      player.note('connects');
    }
    return player;
  }

  note(what: string): void {
    this.steps.push({ t: now(), what });
    this.#wake();
  }

  send(data: string): void {
    if (this.closed || this.connectedAt === undefined) return;
    this.note(`sends ${Buffer.byteLength(data)} B`);
    this.socket.write(data);
  }

  /** Sends `data` in `pieces`, one every `ms`, and resolves once the last is sent. */
  async trickle(data: string, pieces: number, ms: number): Promise<void> {
    const size = Math.ceil(data.length / pieces);
    for (let at = 0; at < data.length; at += size) {
      if (at > 0) await pause(ms);
      this.send(data.slice(at, at + size));
    }
  }

  /** Shuts down its sending side (FIN): it leaves, though it still reads what the server owes it. */
  leave(): void {
    if (this.closed || this.connectedAt === undefined) return;
    this.note('leaves');
    this.socket.end();
  }

  /** Waits until `condition()` holds, at most `ms`, and never past the server's exit: whether it holds. */
  async until(condition: () => boolean, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    let serverGone = false;
    void this.gone.then(() => {
      serverGone = true;
      this.#wake();
    });
    while (!condition() && !serverGone && performance.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, deadline - performance.now());
      });
      clearTimeout(timer);
    }
    return condition();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Plays the echo scenario. */
async function playEcho(port: number, pace: Pace, gone: Promise<void>): Promise<Player[]> {
  const a = await Player.connect('A', port, gone);
  await pause(50);
  const b = await Player.connect('B', port, gone);
  const players = [a, b];
  b.send('hello');
  const echoed = await b.until(() => b.received.length >= 5, pace.holdMs);
  if (!pace.leaveEarly) await a.until(() => false, (a.connectedAt ?? now()) + pace.holdMs - now());
  a.leave();
  const late = echoed || (await b.until(() => b.received.length >= 5, 1000));
  if (late) {
    await pause(100);
    b.send('again');
    await b.until(() => b.received.length >= 10, 1000);
  }
  b.leave(); // a server that never answered B gets no more time than it takes to see B go
  await b.until(() => b.closed, late ? 1000 : 300);
  await a.until(() => a.closed, 300);
  return players;
}

/** Asks for `/` on a keep-alive connection, twice if the server keeps it open, and leaves. */
function request(name: string): string {
  return `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: trace-${name}\r\nConnection: keep-alive\r\n\r\n`;
}

/** How many whole responses (a head, and the body its Content-Length announces) are in `bytes`. */
export function wholeResponses(bytes: Buffer): number {
  let count = 0;
  let at = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end === -1) return count;
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(bytes.subarray(at, end).toString('latin1'))?.[1] ?? 0);
    if (bytes.length < end + 4 + length) return count;
    count++;
    at = end + 4 + length;
  }
}

async function askTwice(player: Player, waitMs: number): Promise<void> {
  player.send(request(player.name));
  if (!(await player.until(() => wholeResponses(player.received) >= 1, waitMs)) || player.closed) return;
  await pause(50);
  if (!player.closed) player.send(request(player.name));
  await player.until(() => wholeResponses(player.received) >= 2 || player.closed, 1000);
  player.leave();
  await player.until(() => player.closed, 1000);
}

/** Plays the web scenario. */
async function playWeb(port: number, pace: Pace, gone: Promise<void>): Promise<Player[]> {
  const c = await Player.connect('C', port, gone);
  const trickled = c.trickle(request('C'), 8, pace.trickleMs / 7);
  const waitMs = pace.trickleMs + 2000;
  const slow = trickled.then(async () => {
    await c.until(() => wholeResponses(c.received) >= 1 || c.closed, waitMs);
    c.leave();
    await c.until(() => c.closed, 1000);
  });
  await pause(50);
  const a = await Player.connect('A', port, gone);
  const aAsks = askTwice(a, waitMs);
  await pause(50);
  const b = await Player.connect('B', port, gone);
  await Promise.all([aAsks, askTwice(b, waitMs), slow]);
  return [a, b, c];
}

export function scenarioOf(kind: Kind): Scenario {
  if (kind === 'echo') {
    return {
      kind,
      story: 'A connects and stays silent, B connects and talks, A leaves, B talks again',
      slow: 'A',
      other: 'B',
      slowDone: 'after A left',
      slowBusy: 'while A sat silent',
      play: playEcho,
    };
  }
  return {
    kind,
    story: 'C trickles its request; A and B each ask twice on a keep-alive connection',
    slow: 'C',
    other: 'A',
    slowDone: "after C's slow request was done",
    slowBusy: 'while C was still sending its request',
    play: playWeb,
  };
}
