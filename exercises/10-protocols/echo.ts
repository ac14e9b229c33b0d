/**
 * 10-protocols — the echo server as a protocol: 07's echo server without a coroutine. (Yours to write:
 * EchoProtocol's callbacks.)
 *
 * Builds on loop.ts and transport.ts. Read `EchoProtocol` beside 07's `handleClient`: there a loop
 * asked for bytes and waited for them; here each callback is told what happened and returns at once.
 * The transport keeps what the client is owed; the protocol only decides when to stop reading. It is a
 * BufferedProtocol: every read lands in a buffer it lends the transport, and no Buffer is made per read.
 */
import type { Socket } from '../../fixtures/native/index.ts';
import { runServer, selectorFromArgs } from '../../fixtures/program.ts';
import type { BufferedProtocol } from './protocol.ts';
import { ProtocolLoop } from './loop.ts';
import { READ_SIZE, type Transport } from './transport.ts';

/**
 * GIVEN. The buffer every EchoProtocol lends the transport: one for all the connections, not one each.
 * An echo keeps nothing between two reads (what the kernel does not take at once, the transport keeps
 * a copy of), and 500 connections reading into 500 buffers of 64 KiB measured 6-9 % slower than into
 * one: each read touched memory of its own (bench/README). A protocol that keeps bytes between reads
 * needs a buffer of its own.
 */
const RECEIVED = Buffer.alloc(READ_SIZE);

/**
 * Echoes every byte its client sends, whole and in order. A client that stops reading is not read
 * either: while the transport holds more than its high-water mark, this protocol reads nothing. A
 * client done sending (end of stream) is sent the rest of its echo, then closed.
 */
export class EchoProtocol implements BufferedProtocol {
  #transport!: Transport;

  /** Keeps the transport: it is how this protocol writes. */
  connectionMade(transport: Transport): void {
    throw new Error('TODO(10-protocols): EchoProtocol.connectionMade() must keep the transport');
  }

  /** Lends the transport the buffer to read into: `RECEIVED`, every time. */
  getBuffer(): Buffer {
    throw new Error("TODO(10-protocols): EchoProtocol.getBuffer() must lend the transport the buffer to read into");
  }

  /** Sends the bytes that arrived back, all of them, in order (the transport keeps a copy of what the kernel does not take yet). */
  bufferUpdated(nbytes: number): void {
    throw new Error('TODO(10-protocols): EchoProtocol.bufferUpdated() must send the bytes that arrived back');
  }

  /** The client is done sending: the transport is to close once the rest of its echo is sent. */
  eofReceived(): boolean {
    throw new Error('TODO(10-protocols): EchoProtocol.eofReceived() must let the transport close once the echo is sent');
  }

  /** GIVEN. Nothing to clean up: the transport has closed the socket. */
  connectionLost(): void {}

  /** The client does not read its echo: read nothing more from it until it does. */
  pauseWriting(): void {
    throw new Error('TODO(10-protocols): EchoProtocol.pauseWriting() must stop reading from the client');
  }

  /** It reads again: so does this protocol. */
  resumeWriting(): void {
    throw new Error('TODO(10-protocols): EchoProtocol.resumeWriting() must read from the client again');
  }
}

/** GIVEN. Serves EchoProtocol on a loop of its own, for ever. */
export function serveForever(listener: Socket): void {
  // `--selector select|poll|epoll` picks how the loop waits (default: epoll on Linux).
  const loop = new ProtocolLoop({ selector: selectorFromArgs() });
  loop.createServer(() => new EchoProtocol(), listener);
  loop.runForever();
}

runServer(import.meta.url, 5010, serveForever);
