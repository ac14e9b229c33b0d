/**
 * 10-protocols — `Protocol`: what a transport calls when something happens on its connection (given:
 * nothing to write here; your protocols implement it).
 *
 * Builds on 07's loop: adds the other half of asyncio's low-level API. A coroutine asks for what it
 * wants next (`yield* sockRecv(sock)`) and waits for it; a protocol is told what happened, one callback
 * per event, and returns at once. It keeps its state in its own fields, not in where a generator is
 * suspended. The transport (transport.ts) owns the socket and calls these; the protocol answers by
 * calling the transport: `write`, `close`, `pauseReading`.
 *
 * The rules of the game, as asyncio's documentation states them for `asyncio.Protocol`: the callbacks
 * run on the loop, one at a time; `connectionMade` comes first and once, `connectionLost` last and once;
 * `dataReceived` comes any number of times in between, and `eofReceived` at most once, after the last
 * `dataReceived`. `pauseWriting` and `resumeWriting` alternate, `pauseWriting` first.
 *
 * `BufferedProtocol` is asyncio's other kind: the protocol lends the transport a buffer to read into
 * (`getBuffer`, then `bufferUpdated`) instead of being handed a new Buffer for each read.
 */
import type { Transport } from './transport.ts';

export interface Protocol {
  /** The connection is made: `transport` is the way to write to it, and to close it. The first call, and only once. */
  connectionMade(transport: Transport): void;
  /**
   * Bytes arrived, in the order the peer sent them, in pieces of any size: a message may come in two
   * calls, two messages in one. The Buffer is the protocol's to keep.
   */
  dataReceived(data: Buffer): void;
  /**
   * The peer is done sending (it shut down its side, a FIN), though it may still read. Returning true
   * keeps the transport open for writing, and the protocol closes it when it is done; returning false
   * lets the transport close itself, once everything written so far is sent.
   */
  eofReceived(): boolean;
  /**
   * The connection is over, and its socket is closed: `error` says why when it failed (a reset, a
   * broken pipe), and is undefined after `close()`, `abort()` or the end of a stream. The last call,
   * exactly once.
   */
  connectionLost(error: Error | undefined): void;
  /**
   * The transport holds more than its high-water mark of bytes it could not send yet: the peer does
   * not read them as fast as they come. Produce no more until `resumeWriting` (a server stops reading
   * that client: `transport.pauseReading()`).
   */
  pauseWriting(): void;
  /** What the transport held has drained to its low-water mark: produce again. */
  resumeWriting(): void;
}

/**
 * A protocol that gives the transport its own buffer to read into (asyncio's `BufferedProtocol`): each
 * read is `getBuffer`, then `bufferUpdated` with how many bytes arrived, in place of `dataReceived`,
 * and no Buffer is made for it. The other callbacks, and their rules, are `Protocol`'s.
 */
export interface BufferedProtocol extends Omit<Protocol, 'dataReceived'> {
  /**
   * A buffer to read into; its length is how much may be read. `sizeHint` is how much the transport
   * would read at most; any length but 0 will do (an empty buffer is an error: nothing could be read
   * into it). The same buffer may be given every time.
   */
  getBuffer(sizeHint: number): Buffer;
  /**
   * The first `nbytes` bytes of the buffer `getBuffer` just gave were filled with what arrived, in the
   * order the peer sent it. The buffer stays the protocol's: the transport does not keep it.
   */
  bufferUpdated(nbytes: number): void;
}

/** Whether `protocol` reads through a buffer of its own (asyncio asks `isinstance(protocol, BufferedProtocol)`). */
export function isBuffered(protocol: Protocol | BufferedProtocol): protocol is BufferedProtocol {
  return 'getBuffer' in protocol;
}
