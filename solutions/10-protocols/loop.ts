/**
 * 10-protocols — `ProtocolLoop.createServer`: accept clients, and give each a transport and a protocol.
 *
 * Builds on 07's `EventLoop` and transport.ts: adds what asyncio's `loop.create_server(protocol_factory,
 * sock=…)` does. The listening socket gets a reader; each time it is readable, the clients waiting in
 * the kernel's backlog are accepted, and each one gets a protocol of its own (`protocolFactory()`) and a
 * Transport that ties the two together. From then on the connection is theirs: the server keeps no
 * task, no coroutine and no list of them.
 *
 * asyncio has `create_server` as a method of its loop, so this is one too, on a subclass of your 07
 * loop that uses only what the loop offers anyone: `addReader`, `removeReader`.
 */
import { BlockingIOError, IPPROTO_TCP, TCP_NODELAY, type Address, type Socket } from '../../fixtures/native/index.ts';
import { EventLoop } from '../07-event-loop/loop.ts';
import type { BufferedProtocol, Protocol } from './protocol.ts';
import { Transport } from './transport.ts';

/** The most clients one readiness of the listening socket accepts (asyncio's default backlog). */
export const ACCEPT_BATCH = 100;

/** Your 07 loop, with asyncio's way to serve protocols. */
export class ProtocolLoop extends EventLoop {
  /**
   * Serves `listener` (a listening socket, handed over blocking) on this loop: makes it non-blocking and
   * accepts clients as they come, giving each a protocol of its own from `protocolFactory` and a
   * Transport over its socket. Returns the Server, whose `close()` stops accepting. (Given: the Server does it.)
   */
  createServer(protocolFactory: () => Protocol | BufferedProtocol, listener: Socket): Server {
    return new Server(this, protocolFactory, listener);
  }
}

export class Server {
  #serving = true;

  /**
   * Serves `listener` (a listening socket, handed over blocking) on `loop`: makes it non-blocking, and
   * each time it is readable, accepts the clients waiting (`#acceptClients`). `loop.createServer` makes one.
   */
  constructor(
    readonly loop: EventLoop,
    readonly protocolFactory: () => Protocol | BufferedProtocol,
    readonly listener: Socket,
  ) {
    listener.setBlocking(false);
    loop.addReader(listener, () => this.#acceptClients());
  }

  /**
   * Accepts the clients waiting in the backlog, at most ACCEPT_BATCH of them, until there are none
   * (BlockingIOError: readiness was only a hint, or the others took them). Each client's socket is made
   * non-blocking, with TCP_NODELAY (a small write goes out at once, as asyncio and Node do), and gets
   * `protocolFactory()` and a Transport with the client's address.
   */
  #acceptClients(): void {
    for (let accepted = 0; accepted < ACCEPT_BATCH; accepted++) {
      const next = this.#accept();
      if (!next) return;
      const [client, address] = next;
      client.setBlocking(false);
      client.setsockopt(IPPROTO_TCP, TCP_NODELAY, true);
      new Transport(this.loop, client, this.protocolFactory(), address);
    }
  }

  /** The next client waiting in the backlog, or undefined when none is. */
  #accept(): [Socket, Address] | undefined {
    try {
      return this.listener.accept();
    } catch (error) {
      if (error instanceof BlockingIOError) return undefined;
      throw error;
    }
  }

  /**
   * Stops accepting: the listening socket is unwatched now, and closed on the loop's next turn (new
   * clients are refused from then on). The connections made go on.
   */
  close(): void {
    if (!this.#serving) return;
    this.#serving = false;
    this.loop.removeReader(this.listener);
    this.loop.callSoon(() => this.listener.close());
  }

  isServing(): boolean {
    return this.#serving;
  }
}
