/**
 * 10-protocols — `Transport`: one connection's socket, driven by the loop's callbacks.
 *
 * Builds on 07 (the loop's readers, writers and `callSoon`) and protocol.ts: adds what asyncio calls a
 * transport, and Node a `net.Socket`. It reads when the loop says the socket is readable and hands the
 * bytes to its protocol (a new Buffer for `dataReceived`, or, for a `BufferedProtocol`, read into the
 * protocol's own buffer); it sends what the protocol writes at once, keeps a copy of what the kernel does
 * not take, and sends that when the socket turns writable. Nothing here waits: every method returns at once.
 *
 * Flow control: what the transport holds unsent is bounded by the protocol, not by the transport. Past
 * the high-water mark the protocol is told `pauseWriting()`; back at the low-water mark,
 * `resumeWriting()`. A server's protocol answers by pausing its reading: a client that does not read
 * what it is sent is not read either, and the kernel's buffers, full, make it wait.
 */
import { BlockingIOError, OSError, SHUT_WR, type Address, type Socket } from '../../fixtures/native/index.ts';
import type { EventLoop } from '../07-event-loop/loop.ts';
import { isBuffered, type BufferedProtocol, type Protocol } from './protocol.ts';

/** The most one read takes from the kernel (asyncio's `max_size` is 256 KiB). */
export const READ_SIZE = 64 * 1024;

/** asyncio's default limits on what a transport holds unsent: pause the protocol above 64 KiB, resume at 16 KiB. */
export const HIGH_WATER = 64 * 1024;

export class Transport {
  readonly #loop: EventLoop;
  readonly #sock: Socket;
  readonly #protocol: Protocol | BufferedProtocol;
  /** Where the other end is, when known: what `accept` said (asyncio's `get_extra_info('peername')`). */
  readonly peername: Address | undefined;
  /** Written and not yet taken by the kernel, oldest first. */
  #buffer: Buffer[] = [];
  /** How many bytes `#buffer` holds. */
  #bufferSize = 0;
  #highWater = HIGH_WATER;
  #lowWater = HIGH_WATER / 4;
  /** The protocol was told `pauseWriting()` and not yet `resumeWriting()`. */
  #protocolPaused = false;
  /** Reading: on, paused by the protocol, or over (end of stream, or closing). */
  #reading: 'on' | 'paused' | 'over' = 'on';
  /** `close()` or `abort()` was called, or the connection failed: nothing more is read. */
  #closing = false;
  /** `writeEof()` was called: once the buffer is sent, the sending side is shut down. */
  #eof = false;
  /** `connectionLost` is on its way: it happens once. */
  #lost = false;
  /** The reader and the writer the loop calls: one function each per transport, not one per event. */
  readonly #readReady = () => this.#onReadable();
  readonly #writeReady = () => this.#onWritable();

  /**
   * GIVEN. Takes `sock` (connected, non-blocking) for `protocol`. On the loop's next turn the protocol
   * hears `connectionMade(this)`, and then the transport starts reading, unless the protocol paused it.
   */
  constructor(loop: EventLoop, sock: Socket, protocol: Protocol | BufferedProtocol, peername?: Address) {
    this.#loop = loop;
    this.#sock = sock;
    this.#protocol = protocol;
    this.peername = peername;
    loop.callSoon(() => protocol.connectionMade(this));
    loop.callSoon(() => {
      if (this.#reading === 'on') loop.addReader(sock, this.#readReady);
    });
  }

  /**
   * Sends `data` after everything written before it. What the kernel takes now is sent now, with no
   * wait for a turn of the loop; the rest is kept and sent, in order, whenever the socket is writable,
   * and only then is the socket watched for writing. Past the high-water mark the protocol is told
   * `pauseWriting()`. Writing after `writeEof()` is an error; after the connection is lost, nothing.
   * The transport keeps a copy of what it could not send: the caller may change `data` as soon as
   * `write` returns (a BufferedProtocol reads the next bytes into the very buffer it wrote from).
   */
  write(data: Buffer): void {
    if (this.#eof) throw new Error('Cannot write after writeEof(): the sending side is shut down');
    if (this.#lost || data.length === 0) return;
    let rest = data;
    if (this.#bufferSize === 0) {
      const sent = this.#send(data);
      if (sent === undefined || sent === data.length) return;
      rest = data.subarray(sent);
      this.#loop.addWriter(this.#sock, this.#writeReady);
    }
    this.#buffer.push(Buffer.from(rest)); // a copy: the caller's buffer is the caller's again
    this.#bufferSize += rest.length;
    this.#maybePauseProtocol();
  }

  /**
   * Half-closes: once everything written is sent, the sending side is shut down (the peer reads the end
   * of the stream, FIN) and the transport goes on reading. Nothing may be written afterwards.
   */
  writeEof(): void {
    if (this.#closing || this.#eof) return;
    this.#eof = true;
    if (this.#bufferSize === 0) this.#shutdownSending();
  }

  /** A TCP socket can shut down its sending side alone: `writeEof` is there. */
  canWriteEof(): boolean {
    return true;
  }

  /**
   * Closes the connection once everything written is sent: reading stops now, and when the buffer is
   * empty the socket is closed and the protocol hears `connectionLost(undefined)`. Calling it again
   * changes nothing.
   */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#stopReading();
    if (this.#bufferSize === 0) this.#lose(undefined);
  }

  /** Closes the connection now: what was not sent is dropped. The protocol hears `connectionLost(undefined)`. */
  abort(): void {
    this.#forceClose(undefined);
  }

  /** The protocol gets no `dataReceived` until `resumeReading()`; the bytes wait in the kernel, which, full, makes the peer wait. */
  pauseReading(): void {
    if (this.#reading !== 'on') return;
    this.#reading = 'paused';
    this.#loop.removeReader(this.#sock);
  }

  /** Reading goes on after `pauseReading()`, unless the connection is closing or the stream is over. */
  resumeReading(): void {
    if (this.#reading !== 'paused') return;
    this.#reading = 'on';
    this.#loop.addReader(this.#sock, this.#readReady);
  }

  isReading(): boolean {
    return this.#reading === 'on';
  }

  /** True once `close()` or `abort()` was called, or the connection failed. */
  isClosing(): boolean {
    return this.#closing;
  }

  /** How many bytes were written and not yet taken by the kernel. */
  getWriteBufferSize(): number {
    return this.#bufferSize;
  }

  /**
   * Sets when the protocol is told to pause writing (more than `high` bytes held) and to resume (`low`
   * or fewer), asyncio's way: `low` defaults to a quarter of `high`.
   */
  setWriteBufferLimits(high = HIGH_WATER, low = high / 4): void {
    if (!(high >= low && low >= 0)) throw new RangeError(`high (${high}) must be >= low (${low}) must be >= 0`);
    this.#highWater = high;
    this.#lowWater = low;
    this.#maybePauseProtocol();
  }

  /**
   * The loop's reader: what arrived goes to the protocol (`dataReceived`, or `bufferUpdated` for a
   * BufferedProtocol); the end of the stream to its `eofReceived`, after which the transport reads no
   * more, and closes unless the protocol says to keep it open. Readable with nothing to read after all,
   * it waits for the next time; a socket that fails (a reset) ends the connection with that error.
   */
  #onReadable(): void {
    const protocol = this.#protocol;
    const count = isBuffered(protocol) ? this.#readInto(protocol) : this.#read(protocol);
    if (count !== 0) return; // bytes handed over, or none to read after all
    this.#stopReading();
    if (!protocol.eofReceived()) this.close();
  }

  /** Reads into a new Buffer for `dataReceived`: how many bytes (0 at the end of the stream); undefined when there were none to read, or the socket failed. */
  #read(protocol: Protocol): number | undefined {
    let data: Buffer;
    try {
      data = this.#sock.recv(READ_SIZE);
    } catch (error) {
      if (!(error instanceof BlockingIOError)) this.#fail(error);
      return undefined;
    }
    if (data.length > 0) protocol.dataReceived(data);
    return data.length;
  }

  /**
   * Reads into the protocol's own buffer, then tells it how many bytes that was (`bufferUpdated`): the
   * count (0 at the end of the stream); undefined when there were none to read, or the socket failed. An
   * empty buffer from `getBuffer` is an error: the connection ends with it, and it is thrown for the
   * loop to report.
   */
  #readInto(protocol: BufferedProtocol): number | undefined {
    const buffer = protocol.getBuffer(READ_SIZE);
    if (buffer.length === 0) {
      // A read into nothing returns 0, which would pass for the end of the stream.
      const error = new Error('getBuffer() returned an empty buffer: the protocol must lend one that bytes can be read into');
      this.#forceClose(error);
      throw error;
    }
    let count: number;
    try {
      count = this.#sock.recvInto(buffer);
    } catch (error) {
      if (!(error instanceof BlockingIOError)) this.#fail(error);
      return undefined;
    }
    if (count > 0) protocol.bufferUpdated(count);
    return count;
  }

  /**
   * The loop's writer, watching only while the buffer holds something: sends what the kernel takes of
   * it, tells the protocol to resume once it has drained to the low-water mark, and once it is empty
   * stops watching, then closes (after `close()`) or shuts down the sending side (after `writeEof()`).
   */
  #onWritable(): void {
    const data = this.#buffer.length === 1 ? this.#buffer[0]! : Buffer.concat(this.#buffer);
    const sent = this.#send(data);
    if (sent === undefined) return;
    const rest = data.subarray(sent);
    this.#buffer = rest.length > 0 ? [rest] : [];
    this.#bufferSize = rest.length;
    this.#maybeResumeProtocol(); // which may write more
    if (this.#bufferSize > 0) return;
    this.#loop.removeWriter(this.#sock);
    if (this.#closing) this.#lose(undefined);
    else if (this.#eof) this.#shutdownSending();
  }

  /** Sends what the kernel takes of `data` now: how many bytes (0 when its buffer is full); undefined when the socket failed, and the connection is over. */
  #send(data: Buffer): number | undefined {
    try {
      return this.#sock.send(data);
    } catch (error) {
      if (error instanceof BlockingIOError) return 0;
      this.#fail(error);
      return undefined;
    }
  }

  /** GIVEN. Shuts down the sending side: the peer reads the end of the stream. A socket that fails ends the connection. */
  #shutdownSending(): void {
    try {
      this.#sock.shutdown(SHUT_WR);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** GIVEN. Reading is over for good: the loop stops calling the reader. */
  #stopReading(): void {
    this.#reading = 'over';
    this.#loop.removeReader(this.#sock);
  }

  /** GIVEN. The socket failed (ECONNRESET, EPIPE, …): the connection ends with that error. Anything else is a bug, and goes on up. */
  #fail(error: unknown): void {
    if (!(error instanceof OSError)) throw error;
    this.#forceClose(error);
  }

  /** Ends the connection now, whatever the transport holds: `abort()`, or a socket that failed (then with its error). */
  #forceClose(error: Error | undefined): void {
    this.#buffer = [];
    this.#bufferSize = 0;
    this.#closing = true;
    this.#stopReading();
    this.#lose(error);
  }

  /**
   * Where every ending ends, once: the loop stops calling the reader and the writer now; on its next
   * turn, once it has stopped watching the socket, the socket is closed and the protocol hears
   * `connectionLost(error)`, its last call.
   */
  #lose(error: Error | undefined): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#loop.removeReader(this.#sock);
    this.#loop.removeWriter(this.#sock);
    this.#loop.callSoon(() => {
      this.#sock.close();
      this.#protocol.connectionLost(error);
    });
  }

  /** After the buffer grew: past the high-water mark, the protocol hears `pauseWriting()`, once until it is resumed. */
  #maybePauseProtocol(): void {
    if (this.#bufferSize <= this.#highWater || this.#protocolPaused) return;
    this.#protocolPaused = true;
    this.#protocol.pauseWriting();
  }

  /** After the buffer shrank: down to the low-water mark, a paused protocol hears `resumeWriting()`. */
  #maybeResumeProtocol(): void {
    if (!this.#protocolPaused || this.#bufferSize > this.#lowWater) return;
    this.#protocolPaused = false;
    this.#protocol.resumeWriting();
  }
}
