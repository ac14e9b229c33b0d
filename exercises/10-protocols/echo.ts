/**
 * 10-protocols — the echo server as a protocol: 07's echo server without a coroutine. (Yours to write:
 * EchoProtocol's callbacks.)
 *
 * Builds on loop.ts and transport.ts. Read `EchoProtocol` beside 07's `handleClient`: there a loop
 * asked for bytes and waited for them; here each callback is told what happened and returns at once.
 * The transport keeps what the client is owed; the protocol only decides when to stop reading.
 */
import type { Socket } from '../../fixtures/native/index.ts';
import { runServer, selectorFromArgs } from '../../fixtures/program.ts';
import type { Protocol } from './protocol.ts';
import { ProtocolLoop } from './loop.ts';
import type { Transport } from './transport.ts';

/**
 * Echoes every byte its client sends, whole and in order. A client that stops reading is not read
 * either: while the transport holds more than its high-water mark, this protocol reads nothing. A
 * client done sending (end of stream) is sent the rest of its echo, then closed.
 */
export class EchoProtocol implements Protocol {
  #transport!: Transport;

  /** Keeps the transport: it is how this protocol writes. */
  connectionMade(transport: Transport): void {
    throw new Error('TODO(10-protocols): EchoProtocol.connectionMade() must keep the transport');
  }

  /** Sends the bytes back, all of them, in order (the transport keeps what the kernel does not take yet). */
  dataReceived(data: Buffer): void {
    throw new Error('TODO(10-protocols): EchoProtocol.dataReceived() must send the bytes back');
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
