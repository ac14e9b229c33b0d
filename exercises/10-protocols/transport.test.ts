import { describe, expect, test } from 'vitest';
import { deferCleanup, show } from '../../fixtures/harness/index.ts';
import { pair, pattern, Reader, Recorder, runFor, runUntil, testSelector } from '../../fixtures/harness/protocol-testing.ts';
import { createConnection, createServer, EVENT_READ, SHUT_WR, type Socket } from '../../fixtures/native/index.ts';
import { EventLoop } from '../07-event-loop/loop.ts';
import type { BufferedProtocol } from './protocol.ts';
import { Transport } from './transport.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A transport over one end of a socket pair, its protocol a Recorder, connectionMade already heard. */
function connected() {
  return connectedWith((ours) => new Recorder(ours));
}

/** A transport over `ours` (one end of a socket pair unless given), its protocol made by `make`, connectionMade already heard. */
function connectedWith<P extends Recorder | BufferedRecorder>(make: (ours: Socket) => P, [ours, peer] = pair()) {
  const selector = testSelector();
  const loop = new EventLoop({ selector });
  deferCleanup(() => loop.close());
  const protocol = make(ours);
  const transport = new Transport(loop, ours, protocol);
  runUntil(loop, () => protocol.calls.includes('connectionMade'), 'connectionMade');
  return { loop, selector, ours, peer, protocol, transport, reader: new Reader(peer) };
}

/**
 * A BufferedProtocol that lends the transport one buffer, `buffer`, for every read, and writes down every
 * call and a copy of the bytes each `bufferUpdated` says arrived. It has a `dataReceived` too, which no
 * transport may call on a BufferedProtocol: it only writes the call down.
 */
class BufferedRecorder implements BufferedProtocol {
  transport!: Transport;
  readonly calls: string[] = [];
  /** What each `bufferUpdated` was told. */
  readonly counts: number[] = [];
  readonly #received: Buffer[] = [];
  /** What `eofReceived` returns. */
  keepOpen = false;
  lost: { error: Error | undefined } | undefined;

  constructor(readonly buffer: Buffer) {}

  connectionMade(transport: Transport): void {
    this.transport = transport;
    this.calls.push('connectionMade');
  }

  getBuffer(): Buffer {
    this.calls.push('getBuffer');
    return this.buffer;
  }

  bufferUpdated(nbytes: number): void {
    this.calls.push('bufferUpdated');
    this.counts.push(nbytes);
    this.#received.push(Buffer.from(this.buffer.subarray(0, nbytes)));
  }

  dataReceived(data: Buffer): void {
    this.calls.push('dataReceived');
    this.#received.push(data);
  }

  eofReceived(): boolean {
    this.calls.push('eofReceived');
    return this.keepOpen;
  }

  connectionLost(error: Error | undefined): void {
    this.calls.push('connectionLost');
    this.lost = { error };
  }

  pauseWriting(): void {
    this.calls.push('pauseWriting');
  }

  resumeWriting(): void {
    this.calls.push('resumeWriting');
  }

  get received(): Buffer {
    return Buffer.concat(this.#received);
  }

  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }
}

/** A connected pair of non-blocking TCP sockets on 127.0.0.1 (the transport's, and the peer): a TCP peer can reset the connection. */
function tcpPair(): [ours: Socket, peer: Socket] {
  const listener = createServer(['127.0.0.1', 0]);
  deferCleanup(() => listener.close());
  const peer = createConnection(listener.getsockname());
  deferCleanup(() => peer.close());
  const [ours] = listener.accept();
  deferCleanup(() => ours.close());
  ours.setBlocking(false);
  peer.setBlocking(false);
  return [ours, peer];
}

/** What the selector watches `sock` for now: 'read', 'read+write', … or 'nothing'. */
function watched(selector: ReturnType<typeof testSelector>, sock: Socket): string {
  const key = [...selector.getMap().values()].find((k) => k.fileobj === sock);
  if (!key) return 'nothing';
  return [key.events & EVENT_READ ? 'read' : '', key.events & ~EVENT_READ ? 'write' : ''].filter(Boolean).join('+');
}

describe('10-protocols: Transport', () => {
  test('connectionMade comes first, on the loop; then what the peer sends arrives in dataReceived, whole and in order', () => {
    const loop = new EventLoop({ selector: testSelector() });
    deferCleanup(() => loop.close());
    const [ours, peer] = pair();
    const protocol = new Recorder(ours);
    new Transport(loop, ours, protocol);
    expect(protocol.calls, 'the constructor only schedules connectionMade: the protocol hears it from the loop').toEqual([]);
    peer.send('hello, ');
    peer.send('world');
    runUntil(loop, () => protocol.received.length >= 12, 'the 12 bytes the peer sent, in dataReceived');
    expect(protocol.received.toString(), 'every byte the peer sends reaches dataReceived, in order').toBe('hello, world');
    expect(protocol.calls[0], 'connectionMade comes before anything else').toBe('connectionMade');
  });

  test('write sends at once what the kernel takes, and watches the socket for writing only when it must', () => {
    const { loop, selector, ours, peer, transport } = connected();
    transport.write(Buffer.from('ping'));
    let got = '';
    try {
      got = peer.recv(100).toString();
    } catch {
      // nothing there yet
    }
    expect(got, 'write() sends what the kernel takes right away, not on a later turn of the loop').toBe('ping');
    loop.callSoon(() => {});
    loop.runOnce();
    expect(
      watched(selector, ours),
      'a write the kernel took whole leaves nothing to send: watching the socket for writing would wake the loop for nothing',
    ).toBe('read');
  });

  test('write keeps what the kernel does not take, and sends it in order when the socket is writable', () => {
    const { loop, selector, ours, transport, reader } = connected();
    const data = pattern(4 * MiB);
    transport.write(data.subarray(0, 3 * MiB));
    transport.write(data.subarray(3 * MiB));
    expect(transport.getWriteBufferSize(), "a socket pair's buffer holds far less than 4 MiB: the rest is the transport's to keep").toBeGreaterThan(0);
    runUntil(loop, () => reader.received >= data.length, `the ${data.length} bytes written, at the peer`, reader.read);
    expect(reader.data.equals(data), 'the peer must get every byte written, in the order written: bytes were lost, repeated or reordered').toBe(true);
    expect(transport.getWriteBufferSize(), 'everything was sent: the transport holds nothing').toBe(0);
    loop.callSoon(() => {});
    loop.runOnce();
    expect(watched(selector, ours), 'with nothing left to send, the socket is no longer watched for writing').toBe('read');
  });

  test('past the high-water mark (64 KiB) the protocol hears pauseWriting, once; drained to the low-water mark (16 KiB), resumeWriting, once', () => {
    const { loop, protocol, transport, reader } = connected();
    const piece = Buffer.alloc(16 * KiB, 'x');
    const heldBefore: number[] = [];
    for (let i = 0; i < 200 && !protocol.calls.includes('pauseWriting'); i++) {
      heldBefore.push(transport.getWriteBufferSize());
      transport.write(piece);
    }
    expect(protocol.pausedAt.length, 'writing far more than the peer reads must tell the protocol to pause').toBe(1);
    expect(protocol.pausedAt[0], 'pauseWriting comes once the transport holds more than 64 KiB').toBeGreaterThan(64 * KiB);
    expect(heldBefore.at(-1), 'and not before: the write before it left the transport at 64 KiB or less').toBeLessThanOrEqual(64 * KiB);
    transport.write(piece);
    expect(protocol.count('pauseWriting'), 'a paused protocol is not told to pause again').toBe(1);
    runUntil(loop, () => transport.getWriteBufferSize() === 0, 'the transport to send all it held, the peer reading', reader.read);
    expect(protocol.resumedAt, 'once the transport has sent enough, the protocol hears resumeWriting, once').toHaveLength(1);
    expect(protocol.resumedAt[0], 'resumeWriting comes when what is held is down to 16 KiB or less').toBeLessThanOrEqual(16 * KiB);
  });

  test('pauseReading stops dataReceived until resumeReading; nothing is lost meanwhile', () => {
    const { loop, peer, protocol, transport } = connected();
    transport.pauseReading();
    expect(transport.isReading()).toBe(false);
    peer.send('sent while paused');
    runFor(loop, 0.1);
    expect(protocol.received.toString(), 'a paused transport does not read: no dataReceived').toBe('');
    transport.resumeReading();
    expect(transport.isReading()).toBe(true);
    runUntil(loop, () => protocol.received.length >= 17, 'dataReceived, after resumeReading');
    expect(protocol.received.toString(), 'the bytes that came while paused wait in the kernel, and arrive once reading resumes').toBe('sent while paused');
  });

  test('close sends everything written first, then closes; connectionLost comes once, on the loop, the socket closed', () => {
    const { loop, protocol, transport, reader } = connected();
    const data = pattern(MiB);
    transport.write(data);
    transport.close();
    expect(transport.isClosing()).toBe(true);
    expect(protocol.calls, 'close() with bytes still to send must not end the connection yet').not.toContain('connectionLost');
    runUntil(loop, () => reader.ended, 'the end of the stream, at the peer', reader.read);
    expect(reader.received, `the peer read ${reader.received} of ${data.length} bytes, then the end of the stream: close() sends what is held first`).toBe(
      data.length,
    );
    expect(reader.data.equals(data)).toBe(true);
    runUntil(loop, () => protocol.lost !== undefined, 'connectionLost');
    runFor(loop, 0.05);
    expect(protocol.count('connectionLost'), 'connectionLost is the last call, and comes once').toBe(1);
    expect(protocol.lost!.error, 'a connection closed by close() is lost without an error').toBeUndefined();
    expect(protocol.lost!.socketClosed, 'when connectionLost comes, the socket is closed already').toBe(true);
  });

  test('close with nothing left to send closes at once, and connectionLost comes on the next turn, never from inside close', () => {
    const { loop, protocol, transport, reader } = connected();
    transport.close();
    expect(protocol.calls, 'connectionLost runs on the loop (callSoon), not inside close(): its caller is in the middle of something').not.toContain(
      'connectionLost',
    );
    runUntil(loop, () => protocol.lost !== undefined, 'connectionLost, after close() with nothing to send');
    runUntil(loop, () => reader.ended, 'the end of the stream, at the peer', reader.read);
    transport.close();
    runFor(loop, 0.05);
    expect(protocol.count('connectionLost'), 'closing again changes nothing').toBe(1);
  });

  test('abort drops what was not sent and closes at once; connectionLost once', () => {
    const { loop, protocol, transport, reader } = connected();
    const data = pattern(4 * MiB);
    transport.write(data);
    transport.abort();
    expect(transport.getWriteBufferSize(), 'abort() drops what the transport held').toBe(0);
    runUntil(loop, () => reader.ended, 'the end of the stream, at the peer', reader.read);
    expect(reader.received, 'the peer gets what the kernel took before the abort, not the rest').toBeLessThan(data.length);
    runUntil(loop, () => protocol.lost !== undefined, 'connectionLost, after abort()');
    runFor(loop, 0.05);
    expect(protocol.count('connectionLost')).toBe(1);
  });

  test('writeEof sends what was written, then ends the stream; the transport still reads', () => {
    const { loop, peer, protocol, transport, reader } = connected();
    expect(transport.canWriteEof()).toBe(true);
    const data = pattern(MiB);
    transport.write(data);
    transport.writeEof();
    expect(() => transport.write(Buffer.from('more')), 'nothing can be written after writeEof()').toThrow();
    runUntil(loop, () => reader.ended, 'the end of the stream, at the peer', reader.read);
    expect(
      reader.received,
      `the peer read ${reader.received} of the ${data.length} bytes written, then the end of the stream: writeEof shuts ` +
        'down the sending side once the buffer is sent, not before',
    ).toBe(data.length);
    peer.send('still there?');
    runUntil(loop, () => protocol.received.length >= 12, 'dataReceived after writeEof');
    expect(protocol.received.toString(), 'a half-closed transport still reads').toBe('still there?');
    expect(protocol.calls).not.toContain('connectionLost');
  });

  test('eofReceived returning true keeps the transport open for writing; returning false closes it once the rest is sent', () => {
    const open = connected();
    open.protocol.keepOpen = true;
    open.peer.shutdown(SHUT_WR);
    runUntil(open.loop, () => open.protocol.calls.includes('eofReceived'), 'eofReceived, after the peer shut down its sending side');
    open.transport.write(Buffer.from('goodbye'));
    runUntil(open.loop, () => open.reader.received >= 7, 'the peer to read what was written after the end of its stream', open.reader.read);
    expect(open.reader.data.toString()).toBe('goodbye');
    runFor(open.loop, 0.05);
    expect(open.protocol.calls, 'eofReceived returned true: the transport stays open until the protocol closes it').not.toContain('connectionLost');
    expect(open.protocol.count('eofReceived'), 'eofReceived comes once').toBe(1);

    const { loop, peer, protocol, transport, reader } = connected();
    const data = pattern(MiB);
    transport.write(data);
    peer.shutdown(SHUT_WR);
    runUntil(loop, () => reader.ended, 'the end of the stream, at the peer', reader.read);
    expect(reader.received, 'eofReceived returned false: the transport closes, but only once what it holds is sent').toBe(data.length);
    runUntil(loop, () => protocol.lost !== undefined, 'connectionLost');
  });

  test('close, abort and the end of the stream, however mixed, end the connection once: connectionLost exactly once', () => {
    const { loop, peer, protocol, transport } = connected();
    protocol.onEof = () => transport.close(); // and eofReceived returns false: the transport closes too
    transport.write(pattern(MiB));
    peer.shutdown(SHUT_WR);
    runUntil(loop, () => protocol.calls.includes('eofReceived'), 'eofReceived');
    transport.close();
    transport.abort();
    transport.abort();
    runUntil(loop, () => protocol.lost !== undefined, 'connectionLost');
    runFor(loop, 0.05);
    expect(protocol.calls.filter((call) => call === 'connectionLost'), `the protocol heard: ${show(protocol.calls.join(', '))}`).toHaveLength(1);
  });

  test('a peer that is gone ends the connection: connectionLost gets the error, once', () => {
    const { loop, peer, protocol, transport } = connected();
    protocol.keepOpen = true; // the end of the stream alone does not close it: the failed write must
    peer.close();
    runUntil(loop, () => protocol.calls.includes('eofReceived'), 'eofReceived, after the peer closed');
    transport.write(Buffer.from('anyone there?'));
    runUntil(loop, () => protocol.lost !== undefined, 'connectionLost, after a write to a peer that is gone');
    runFor(loop, 0.05);
    expect(protocol.count('connectionLost')).toBe(1);
    expect(protocol.lost!.error?.name, 'a send to a closed peer fails (EPIPE): connectionLost says so, with that error').toMatch(/BrokenPipeError|ConnectionResetError/);
  });

  test('a BufferedProtocol gets its bytes through getBuffer and bufferUpdated, whole and in order, and never dataReceived', () => {
    const { loop, peer, protocol } = connectedWith(() => new BufferedRecorder(Buffer.alloc(1000)));
    const data = pattern(64 * KiB);
    peer.send('hello, ');
    peer.send('world');
    runUntil(loop, () => protocol.received.length >= 12, 'the 12 bytes the peer sent, through bufferUpdated');
    peer.sendall(data);
    runUntil(loop, () => protocol.received.length >= 12 + data.length, `the ${12 + data.length} bytes the peer sent, through bufferUpdated`);
    expect(protocol.calls, 'a BufferedProtocol is read into its own buffer (getBuffer, bufferUpdated): dataReceived is never called').not.toContain(
      'dataReceived',
    );
    expect(
      protocol.received.subarray(0, 12).toString(),
      `bufferUpdated(nbytes) says how many bytes of the buffer were filled: it was told ${show(protocol.counts.slice(0, 3).join(', '))} ` +
        'for the first 12 bytes (7 and 5 sent); hand it the count the read returned, not the length of the buffer',
    ).toBe('hello, world');
    expect(protocol.received.length, 'every byte the peer sent, once: no more, no less').toBe(12 + data.length);
    expect(protocol.received.subarray(12).equals(data), 'the bytes arrive in the buffer in the order they were sent').toBe(true);
    const order = protocol.calls.filter((call) => call === 'getBuffer' || call === 'bufferUpdated');
    expect(
      order.every((call, i) => call !== 'bufferUpdated' || order[i - 1] === 'getBuffer'),
      'each bufferUpdated comes after the getBuffer of its read: ask for the buffer, read into it, then tell the count',
    ).toBe(true);
  });

  test('write keeps a copy of what it could not send: the writer may change its buffer as soon as write returns', () => {
    const { loop, transport, reader } = connected();
    const data = pattern(4 * MiB);
    const original = Buffer.from(data);
    transport.write(data);
    expect(transport.getWriteBufferSize(), "a socket pair's buffer holds far less than 4 MiB: the rest is the transport's to keep").toBeGreaterThan(0);
    data.fill(0xee); // as a BufferedProtocol does when the next read lands in the buffer it wrote from
    runUntil(loop, () => reader.received >= original.length, `the ${original.length} bytes written, at the peer`, reader.read);
    const got = reader.data;
    const changed = got.findIndex((byte, i) => byte !== original[i]);
    expect(
      changed,
      `the peer got ${got.length} bytes, and from byte ${changed} on not what was written but what the writer put in its ` +
        "buffer after write() returned: what the kernel does not take at once, the transport must keep a copy of, not a view of the caller's buffer",
    ).toBe(-1);
    expect(got.length, 'the peer must get every byte written, once').toBe(original.length);
  });

  test('getBuffer returning an empty buffer is an error that ends the connection; it is not taken for the end of the stream', () => {
    const { loop, peer, protocol } = connectedWith(() => new BufferedRecorder(Buffer.alloc(0)));
    peer.send('hello');
    let thrown: unknown;
    try {
      runUntil(loop, () => protocol.lost !== undefined, 'connectionLost, after getBuffer gave an empty buffer');
    } catch (error) {
      thrown = error;
    }
    expect(
      protocol.calls,
      'nothing can be read into an empty buffer: a read of 0 bytes is not the end of the stream, so eofReceived must not come',
    ).not.toContain('eofReceived');
    expect(
      thrown instanceof Error ? thrown.message : `no error (${show(protocol.calls.join(', '))})`,
      'an empty buffer from getBuffer is an error the loop reports (thrown from the reader), and says what was wrong',
    ).toMatch(/empty/i);
    expect((thrown as Error).message).not.toMatch(/TODO/);
    runUntil(loop, () => protocol.lost !== undefined, 'connectionLost, after getBuffer gave an empty buffer');
    expect(protocol.lost!.error, 'the connection ends with that error, as asyncio ends it (its _fatal_error)').toBe(thrown);
    expect(protocol.count('connectionLost')).toBe(1);
  });

  test('a BufferedProtocol hears the end of the stream and a reset as a Protocol does: eofReceived, then connectionLost once, with the error', () => {
    const ended = connectedWith(() => new BufferedRecorder(Buffer.alloc(1000)));
    ended.peer.send('bye');
    ended.peer.shutdown(SHUT_WR);
    runUntil(ended.loop, () => ended.protocol.lost !== undefined, 'connectionLost, after the peer sent its last bytes and the end of its stream');
    runFor(ended.loop, 0.05);
    expect(ended.protocol.received.toString(), 'the bytes before the end of the stream arrive first').toBe('bye');
    expect(ended.protocol.count('eofReceived'), 'the end of the stream (a read of 0 bytes) is eofReceived, once').toBe(1);
    expect(ended.protocol.count('connectionLost'), 'eofReceived returned false: the transport closes, and connectionLost comes once').toBe(1);
    expect(ended.protocol.lost!.error).toBeUndefined();

    const { loop, peer, protocol, transport } = connectedWith(() => new BufferedRecorder(Buffer.alloc(1000)), tcpPair());
    transport.write(Buffer.from('never read'));
    runFor(loop, 0.05);
    peer.close(); // with unread bytes: a reset (RST), not the end of the stream
    runUntil(loop, () => protocol.lost !== undefined, 'connectionLost, after the peer reset the connection');
    runFor(loop, 0.05);
    expect(protocol.count('connectionLost')).toBe(1);
    expect(protocol.lost!.error?.name, 'a read from a peer that reset the connection fails (ECONNRESET): connectionLost says so, with that error').toBe(
      'ConnectionResetError',
    );
  });
});
