/**
 * The load generator: one process, pinned to its own core, that plays the clients for every server
 * the same way. It runs on the binding's own libc calls and epoll, not on Node's `net`: a `net`
 * client saturates one core near 45k requests/s and would hide every difference between servers.
 *
 * It takes one JSON command per line on stdin and answers one JSON line on stdout:
 *
 *   {"op":"echo","port":P,"conns":C,"ms":M,"warmupMs":W}  C clients play 64-byte ping-pong for W+M ms;
 *                                                          → requests/s and round trips over the last M ms
 *   {"op":"idle","port":P,"k":K,"withinMs":T}              hold K idle connections to P (opens or closes),
 *                                                          giving up if opening them takes longer than T ms
 *   {"op":"rtt","port":P,"ms":M}                           one active client's round trips for M ms
 *   {"op":"http","port":P,"conns":C,"ms":M,"warmupMs":W}  C keep-alive clients each send `GET /` and wait for the
 *                                                          whole response (Content-Length) before the next one;
 *                                                          → responses/s (the client for the web server when
 *                                                          wrk is not installed)
 *   {"op":"close"}                                         close every connection
 *
 * Every connection proves it is being served (it sends a byte and gets it back) before it counts, so
 * "K idle connections" means K connections the server has accepted and is watching.
 */
import { createInterface } from 'node:readline';
import { lastErrno, libc } from '../fixtures/native/libc.ts';
import { errno, errnoNames, platform } from '../fixtures/native/platform.ts';

const MESSAGE_SIZE = 64;
const message = Buffer.alloc(MESSAGE_SIZE, 'x');
const receiveBuffer = Buffer.alloc(64 * 1024);
const epoll = platform.epoll!;
const EVENTS_MAX = 1024;
const events = Buffer.alloc(EVENTS_MAX * epoll.eventSize);
const eventBuffer = Buffer.alloc(epoll.eventSize);
const epfd = libc.epoll_create1!(epoll.EPOLL_CLOEXEC);
/** How long a batch of connections may take to be accepted and answered before the run gives up. */
const SETUP_MS = 20_000;
/** Connections opened at once: under the servers' listen backlog (128), so no SYN is dropped. */
const BATCH = 100;

class BenchError extends Error {}

function fail(what: string, code = lastErrno()): never {
  throw new BenchError(`${what}: ${errnoNames.get(code) ?? code}`);
}

function control(op: number, fd: number, mask: number): void {
  eventBuffer.fill(0);
  eventBuffer.writeUInt32LE(mask, 0);
  eventBuffer.writeInt32LE(fd, epoll.dataOffset);
  if (libc.epoll_ctl!(epfd, op, fd, eventBuffer) === -1) fail(`epoll_ctl(${op}, fd ${fd})`);
}

/** Waits up to `timeoutMs` and calls `onEvent(fd, mask)` for each ready fd. */
function waitEvents(timeoutMs: number, onEvent: (fd: number, mask: number) => void): void {
  const ready = libc.epoll_wait!(epfd, events, EVENTS_MAX, timeoutMs) as number;
  if (ready === -1) {
    if (lastErrno() === errno.EINTR) return;
    fail('epoll_wait');
  }
  for (let i = 0; i < ready; i++) {
    const offset = i * epoll.eventSize;
    onEvent(events.readInt32LE(offset + epoll.dataOffset), events.readUInt32LE(offset));
  }
}

const sockaddr = Buffer.alloc(platform.sockaddrInSize);
const one = Buffer.alloc(4);
one.writeInt32LE(1);
const loopback = Buffer.from([127, 0, 0, 1]);

/** A non-blocking TCP socket, connecting to 127.0.0.1:port (the connect finishes later). */
function startConnect(port: number): number {
  const fd = libc.socket(platform.AF_INET, platform.SOCK_STREAM, 0) as number;
  if (fd === -1) fail(`socket() (open connections so far: ${openCount()})`);
  libc.setsockopt(fd, platform.IPPROTO_TCP, platform.TCP_NODELAY, one, 4);
  // A run leaves thousands of these in TIME_WAIT on ports the kernel picked. Without SO_REUSEADDR, each
  // keeps a server that binds that port afterwards (with SO_REUSEADDR) out for a minute: EADDRINUSE.
  libc.setsockopt(fd, platform.SOL_SOCKET, platform.SO_REUSEADDR, one, 4);
  libc.fcntl(fd, platform.F_SETFL, 'int', (libc.fcntl(fd, platform.F_GETFL) as number) | platform.O_NONBLOCK);
  platform.writeSockaddrIn(sockaddr, loopback, port);
  if (libc.connect(fd, sockaddr, sockaddr.length) === -1 && lastErrno() !== errno.EINPROGRESS) fail(`connect to port ${port}`);
  return fd;
}

/**
 * Opens `count` connections to `port` and returns them once each has had one byte echoed: only then
 * has the server accepted it and started watching it. They are left out of the epoll set.
 */
function openServed(port: number, count: number, withinMs = SETUP_MS): number[] {
  const served: number[] = [];
  const batch = new Set<number>();
  const giveUpAt = performance.now() + withinMs;
  try {
    while (served.length < count) {
      for (let i = 0; i < Math.min(BATCH, count - served.length); i++) {
        const fd = startConnect(port);
        batch.add(fd);
        control(epoll.EPOLL_CTL_ADD, fd, epoll.EPOLLOUT);
      }
      const deadline = Math.min(giveUpAt, performance.now() + SETUP_MS);
      while (batch.size > 0) {
        if (performance.now() > deadline) {
          const ms = Math.round(performance.now() - (giveUpAt - withinMs));
          throw new BenchError(`the server on port ${port} accepted and answered ${served.length} of ${count} new connections within ${ms} ms`);
        }
        waitEvents(100, (fd, mask) => {
          if (!batch.has(fd)) return;
          if (mask & epoll.EPOLLOUT) {
            // Connected (or refused: send says which). One byte, then wait for it to come back.
            if ((libc.send(fd, message, 1, platform.MSG_NOSIGNAL) as number) !== 1) fail(`connection ${served.length + 1} to port ${port}`);
            control(epoll.EPOLL_CTL_MOD, fd, epoll.EPOLLIN);
            return;
          }
          const got = libc.recv(fd, receiveBuffer, 1, 0) as number;
          if (got === 1) {
            control(epoll.EPOLL_CTL_DEL, fd, 0);
            batch.delete(fd);
            served.push(fd);
          } else if (got === 0) throw new BenchError(`the server on port ${port} closed connection ${served.length + 1}`);
          else if (lastErrno() !== errno.EAGAIN) fail(`connection ${served.length + 1} to port ${port}`);
        });
      }
    }
  } catch (error) {
    // Leave nothing behind: a half-open connection left in the epoll set would disturb the next run.
    closeAll([...batch, ...served]);
    throw error;
  }
  return served;
}

const idle = new Map<number, number[]>(); // port → idle connections held open
const active = new Map<number, number>(); // port → the connection `rtt` plays on

function openCount(): number {
  let count = active.size;
  for (const fds of idle.values()) count += fds.length;
  return count;
}

function closeAll(fds: Iterable<number>): void {
  for (const fd of fds) libc.close(fd);
}

/** Round-trip times in microseconds: median, 99th percentile, how many. */
function summarize(samples: Float64Array, count: number): { p50: number; p99: number; samples: number } {
  const sorted = samples.slice(0, count).sort();
  const at = (q: number) => sorted[Math.min(count - 1, Math.floor(q * count))] ?? NaN;
  return { p50: round(at(0.5) * 1000), p99: round(at(0.99) * 1000), samples: count };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Sends all of `bytes` on `fd`, which a client socket's buffer always has room for here. */
function sendWhole(fd: number, bytes: Buffer): void {
  if ((libc.send(fd, bytes, bytes.length, platform.MSG_NOSIGNAL) as number) !== bytes.length) fail('send');
}

/** What a ready connection received, into receiveBuffer: how many bytes, 0 for a spurious wake-up. */
function receive(fd: number): number {
  const got = libc.recv(fd, receiveBuffer, receiveBuffer.length, 0) as number;
  if (got === -1) {
    if (lastErrno() === errno.EAGAIN) return 0;
    fail('recv');
  }
  if (got === 0) throw new BenchError('the server closed a connection during the run');
  return got;
}

const latencies = new Float64Array(1 << 21);
// Per connection, indexed by fd (flat arrays: the client must cost less than the servers it measures).
const sentAt = new Float64Array(1 << 16);
const received = new Int32Array(1 << 16);

/**
 * The measurement: every connection sends 64 bytes, waits for all 64 to come back, and sends again,
 * for `warmupMs + ms`. Only the last `ms` count.
 */
function pingPong(fds: number[], warmupMs: number, ms: number): { requests: number; seconds: number; p50: number; p99: number; samples: number } {
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + ms;
  let requests = 0;
  let recorded = 0;
  for (const fd of fds) {
    control(epoll.EPOLL_CTL_ADD, fd, epoll.EPOLLIN);
    received[fd] = 0;
    sentAt[fd] = performance.now();
    sendWhole(fd, message);
  }
  let now = performance.now();
  while (now < end) {
    waitEvents(50, (fd) => {
      received[fd] += receive(fd);
      if (received[fd]! < MESSAGE_SIZE) return;
      now = performance.now();
      if (now >= measureFrom) {
        requests++;
        if (recorded < latencies.length) latencies[recorded++] = now - sentAt[fd]!;
      }
      received[fd] = 0;
      sentAt[fd] = now;
      sendWhole(fd, message);
    });
    now = performance.now();
  }
  for (const fd of fds) control(epoll.EPOLL_CTL_DEL, fd, 0);
  return { requests, seconds: ms / 1000, ...summarize(latencies, recorded) };
}

const HTTP_REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: bench\r\n\r\n', 'latin1');
const END_OF_HEAD = Buffer.from('\r\n\r\n');
/** Per connection: the bytes of a response so far (until its head is whole), and how many its body still needs. */
const heads = new Map<number, Buffer>();
const bodyLeft = new Int32Array(1 << 16);

/** Connects `count` sockets to `port` and waits until each one is connected. */
function openConnected(port: number, count: number): number[] {
  const pending = new Set<number>();
  const connected: number[] = [];
  const deadline = performance.now() + SETUP_MS;
  try {
    for (let i = 0; i < count; i++) {
      const fd = startConnect(port);
      pending.add(fd);
      control(epoll.EPOLL_CTL_ADD, fd, epoll.EPOLLOUT);
    }
    while (pending.size > 0) {
      if (performance.now() > deadline) throw new BenchError(`only ${connected.length} of ${count} connections to port ${port} were accepted within ${SETUP_MS} ms`);
      waitEvents(100, (fd) => {
        if (!pending.delete(fd)) return;
        control(epoll.EPOLL_CTL_DEL, fd, 0);
        connected.push(fd);
      });
    }
  } catch (error) {
    closeAll([...pending, ...connected]);
    throw error;
  }
  return connected;
}

/**
 * Takes in `got` bytes of a response on `fd`; true once the response is whole. The head is gathered
 * until its blank line, its Content-Length read, and then that many body bytes are counted (not kept).
 */
function responseDone(fd: number, got: Buffer): boolean {
  let bytes = got;
  if (bodyLeft[fd] === -1) {
    const head = Buffer.concat([heads.get(fd) ?? Buffer.alloc(0), got]);
    const end = head.indexOf(END_OF_HEAD);
    if (end === -1) {
      heads.set(fd, head);
      return false;
    }
    heads.delete(fd);
    const length = /content-length: *(\d+)/i.exec(head.subarray(0, end).toString('latin1'))?.[1];
    if (length === undefined) throw new BenchError(`a response without Content-Length: ${JSON.stringify(head.subarray(0, end).toString('latin1'))}`);
    bodyLeft[fd] = Number(length);
    bytes = head.subarray(end + END_OF_HEAD.length);
  }
  bodyLeft[fd] -= bytes.length;
  if (bodyLeft[fd]! > 0) return false;
  if (bodyLeft[fd]! < 0) throw new BenchError('the server sent more than one response per request');
  bodyLeft[fd] = -1;
  return true;
}

/** Keep-alive HTTP: every connection sends `GET /`, reads the whole response, and sends again. */
function httpLoad(port: number, conns: number, warmupMs: number, ms: number): { requests: number; seconds: number } {
  const fds = openConnected(port, conns);
  const measureFrom = performance.now() + warmupMs;
  const end = measureFrom + ms;
  let requests = 0;
  try {
    for (const fd of fds) {
      control(epoll.EPOLL_CTL_ADD, fd, epoll.EPOLLIN);
      bodyLeft[fd] = -1;
      sendWhole(fd, HTTP_REQUEST);
    }
    let now = performance.now();
    while (now < end) {
      waitEvents(50, (fd) => {
        const got = receive(fd);
        if (got === 0 || !responseDone(fd, receiveBuffer.subarray(0, got))) return;
        if (performance.now() >= measureFrom) requests++;
        sendWhole(fd, HTTP_REQUEST);
      });
      now = performance.now();
    }
  } finally {
    heads.clear();
    closeAll(fds); // closing also takes them out of the epoll set
  }
  return { requests, seconds: ms / 1000 };
}

type Command =
  | { op: 'echo'; port: number; conns: number; ms: number; warmupMs: number }
  | { op: 'http'; port: number; conns: number; ms: number; warmupMs: number }
  | { op: 'idle'; port: number; k: number; withinMs?: number }
  | { op: 'rtt'; port: number; ms: number }
  | { op: 'close' };

function run(command: Command): object {
  switch (command.op) {
    case 'echo': {
      const fds = openServed(command.port, command.conns);
      try {
        const result = pingPong(fds, command.warmupMs, command.ms);
        return { ...result, rps: Math.round(result.requests / result.seconds) };
      } finally {
        closeAll(fds);
      }
    }
    case 'http': {
      const result = httpLoad(command.port, command.conns, command.warmupMs, command.ms);
      return { ...result, rps: Math.round(result.requests / result.seconds) };
    }
    case 'idle': {
      const held = idle.get(command.port) ?? [];
      const started = performance.now();
      if (held.length > command.k) closeAll(held.splice(command.k));
      else held.push(...openServed(command.port, command.k - held.length, command.withinMs));
      idle.set(command.port, held);
      return { k: held.length, ms: Math.round(performance.now() - started) };
    }
    case 'rtt': {
      let fd = active.get(command.port);
      if (fd === undefined) {
        fd = openServed(command.port, 1)[0]!;
        active.set(command.port, fd);
      }
      return pingPong([fd], 20, command.ms);
    }
    case 'close': {
      for (const fds of idle.values()) closeAll(fds);
      closeAll(active.values());
      idle.clear();
      active.clear();
      return { closed: true };
    }
  }
}

// One command at a time: each runs synchronously and blocks this process, which is all it does.
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  let answer: object;
  try {
    answer = { ok: true, ...run(JSON.parse(line) as Command) };
  } catch (error) {
    answer = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
closeAll([...[...idle.values()].flat(), ...active.values()]);
