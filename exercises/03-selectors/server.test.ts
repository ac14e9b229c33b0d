import { describe, expect, test } from 'vitest';
import { concurrentTest, deferCleanup, firstDifference, show, startServer } from '../../fixtures/harness/index.ts';
import { echoServerGuarantees } from '../../fixtures/harness/echo-suite.ts';
import {
  BlockingIOError,
  ConnectionAbortedError,
  createConnection,
  createServer,
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  SO_RCVBUF,
  SO_SNDBUF,
  SOL_SOCKET,
  socket,
  socketpair,
  type Socket,
} from '../../fixtures/native/index.ts';
import { SELECTORS, type SelectorName } from '../../fixtures/program.ts';
import { listenOn, runOnce, type Callback, type Selector } from './server.ts';

const server = new URL('./server.ts', import.meta.url);

/**
 * A selector for a test that runs the loop in its own process: a wait never lasts more than a
 * quarter of a second, so a loop that waits for the wrong thing fails the test instead of freezing it.
 * (On loopback, what one socket sends is ready on the other at once: a right loop never waits here.)
 */
function testSelector(name?: SelectorName): Selector {
  const selector: Selector = name ? new SELECTORS[name]<Socket, Callback>() : new DefaultSelector<Socket, Callback>();
  const select = selector.select.bind(selector);
  selector.select = (timeout) => select(Math.min(timeout ?? 0.25, 0.25));
  deferCleanup(() => selector.close());
  return selector;
}

function closeWhenDone<T extends Socket[]>(...sockets: T): T {
  deferCleanup(() => sockets.forEach((sock) => sock.close()));
  return sockets;
}

/** A listening socket on port 0 and the selector it is registered with by `listenOn`. */
function listening(selector: Selector): Socket {
  const [listener] = closeWhenDone(createServer(['127.0.0.1', 0]));
  listenOn(listener, selector);
  return listener;
}

/** A client that connects to `listener` (the kernel completes the connection; accepting it is the loop's job). */
function connectTo(listener: Socket): Socket {
  const [client] = closeWhenDone(createConnection(['127.0.0.1', listener.getsockname()[1]]));
  client.setBlocking(false);
  return client;
}

/** Runs turns of the loop until `done()` holds, at most 20. */
function turnUntil(selector: Selector, done: () => boolean, what: string): void {
  for (let turn = 0; turn < 20; turn++) {
    if (done()) return;
    runOnce(selector);
  }
  if (!done()) throw new Error(`After 20 turns of runOnce(selector), ${what}`);
}

/** Reads what has arrived on a non-blocking socket, if anything. */
function received(sock: Socket, into: Buffer[]): string {
  try {
    for (let data = sock.recv(65536); data.length > 0; data = sock.recv(65536)) into.push(data);
  } catch (error) {
    if (!(error instanceof BlockingIOError)) throw error;
  }
  return Buffer.concat(into).toString();
}

function clientKeys(selector: Selector, listener: Socket) {
  return [...selector.getMap().values()].filter((key) => key.fileobj !== listener);
}

/**
 * A client that reads nothing until told to, through a small receive buffer: what the server echoes
 * to it soon stops fitting, and the rest stays owed to it.
 */
function quietClient(listener: Socket): Socket {
  const [client] = closeWhenDone(socket());
  client.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
  client.connect(['127.0.0.1', listener.getsockname()[1]]);
  client.setBlocking(false);
  return client;
}

/** The key of the server's end of `client`'s connection (it is that one whose peer is `client`). */
function serverKeyOf(selector: Selector, listener: Socket, client: Socket) {
  const [host, port] = client.getsockname();
  const key = clientKeys(selector, listener).find((k) => {
    const [peerHost, peerPort] = k.fileobj.getpeername();
    return peerHost === host && peerPort === port;
  });
  if (!key) throw new Error(`the selector has no key for the server's end of the client on port ${port}`);
  return key;
}

/** `size` bytes of `text` repeated: a client's own bytes, easy to tell from another's. */
function repeated(text: string, size: number): Buffer {
  return Buffer.from(text.repeat(Math.ceil(size / text.length)).slice(0, size));
}

describe('03-selectors: DefaultSelector and callbacks in key.data', () => {
  describe('the loop, run one turn at a time on a selector the test provides', () => {
    test('runOnce calls the callback kept in key.data, with the ready socket and its events', () => {
      const selector = testSelector();
      const [mine, other] = closeWhenDone(...socketpair());
      const calls: Array<[Socket, number]> = [];
      selector.register(mine, EVENT_READ, (sock, events) => {
        calls.push([sock, events]);
        sock.recv(100); // consume it, as a real callback would
      });
      other.send('ping');
      runOnce(selector);
      expect(
        calls,
        'A socket registered with a callback as its data became readable: runOnce(selector) should select, and for ' +
          'each ready [key, events] call key.data(key.fileobj, events), whatever the callback is',
      ).toEqual([[mine, EVENT_READ]]);
    });

    test('listenOn registers the listening socket, non-blocking, for reading, with a callback', () => {
      const selector = testSelector();
      const listener = listening(selector);
      const key = selector.getKey(listener);
      expect(key.events, 'the listening socket is watched for reading (EVENT_READ): a waiting client makes it readable').toBe(EVENT_READ);
      expect(typeof key.data, 'its data is the callback that accepts a client (acceptConnection)').toBe('function');
      expect(
        listener.getBlocking(),
        'the listening socket must be non-blocking: if the client that made it readable has gone by the time the loop ' +
          'calls accept(), a blocking accept() would wait for the next one, and the whole server with it',
      ).toBe(false);
    });

    test('a client that connects is registered, non-blocking, with a callback of its own', () => {
      const selector = testSelector();
      const listener = listening(selector);
      connectTo(listener);
      turnUntil(selector, () => selector.getMap().size === 2, 'the client that connected was not registered: the callback of the listening socket should accept it and register it (EVENT_READ, with its own callback)');
      const [key] = clientKeys(selector, listener);
      expect(key!.events, 'a new client is watched for reading').toBe(EVENT_READ);
      expect(typeof key!.data, "the client's data is its callback").toBe('function');
      expect(key!.data, "the client's callback is not the listening socket's").not.toBe(selector.getKey(listener).data);
      expect(
        key!.fileobj.getBlocking(),
        "the accepted client's socket must be non-blocking: on a blocking socket, a send to a client that reads " +
          'slowly waits until it reads, and the whole server with it',
      ).toBe(false);
    });

    test('the accept callback returns quietly when the client it was woken for is gone before accept()', () => {
      const selector = testSelector();
      const listener = listening(selector);
      if (listener.getBlocking()) {
        throw new Error('the listening socket is blocking: listenOn must make it non-blocking (with nobody waiting, a blocking accept() would wait, and this test with it)');
      }
      const accept = selector.getKey(listener).data;
      // Called with no connection waiting: as when a client connects and gives up before the loop gets to it.
      expect(
        () => accept(listener, EVENT_READ),
        'The accept callback was called with no connection waiting (a client that connected and gave up before accept()), ' +
          'so accept() threw BlockingIOError. That is no fault of the server: the callback should just return',
      ).not.toThrow();
      const aborting = {
        accept(): never {
          throw new ConnectionAbortedError(103, 'ECONNABORTED', 'accept on the listening socket: the connection was aborted (ECONNABORTED)');
        },
        toString: () => 'Socket(a listener whose client gave up)',
      } as unknown as Socket;
      expect(
        () => accept(aborting, EVENT_READ),
        'accept() threw a ConnectionError (ECONNABORTED): the client gave up before it was accepted. That is no fault ' +
          'of the server either: the callback should just return',
      ).not.toThrow();
      expect(selector.getMap().size, 'nobody was accepted, so nothing new is registered').toBe(1);
      connectTo(listener);
      turnUntil(selector, () => selector.getMap().size === 2, 'a client connected after the one that gave up, and was not registered: the listening socket must stay watched');
    });

    test('after a client leaves, its key is gone from the selector, and the others are still served', () => {
      const selector = testSelector();
      const listener = listening(selector);
      const a = connectTo(listener);
      const b = connectTo(listener);
      turnUntil(selector, () => selector.getMap().size === 3, 'clients A and B connected, but they are not both registered');
      b.close();
      turnUntil(selector, () => selector.getMap().size === 2, `client B closed its connection, but the selector still has a key for it (${selector.getMap().size} keys: the listening socket, A and B). When recv returns an empty Buffer, unregister the client, then close it`);
      a.send('A is still here');
      const echo: Buffer[] = [];
      turnUntil(selector, () => received(a, echo) === 'A is still here', `client A sent "A is still here" after B left and got back ${JSON.stringify(received(a, echo))}`);
    });

    test('each client has a callback and a queue of its own: bytes owed to one client never reach another', () => {
      const selector = testSelector();
      const listener = listening(selector);
      // A small send buffer for the server's end of each connection (an accepted socket inherits the
      // listening socket's), so that an echo stops fitting after a few kilobytes.
      listener.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
      const clients = [
        { name: 'A', sock: quietClient(listener), own: repeated('from A. ', 8 << 20), sent: 0, got: [] as Buffer[] },
        { name: 'B', sock: quietClient(listener), own: repeated('from B. ', 8 << 20), sent: 0, got: [] as Buffer[] },
      ];
      turnUntil(selector, () => selector.getMap().size === 3, 'clients A and B connected, but they are not both registered');
      const [a, b] = clients.map((client) => serverKeyOf(selector, listener, client.sock));
      expect(
        a!.data,
        'clients A and B were registered with the same callback: each connection must get a callback of its own ' +
          '(a new echo(selector) for each client), holding the bytes owed to that client alone',
      ).not.toBe(b!.data);
      // A blocking socket would freeze this test's own process in the echo to a client that reads nothing.
      for (const key of [a!, b!]) {
        if (key.fileobj.getBlocking()) {
          throw new Error("an accepted client's socket is blocking: make each client non-blocking before you register it");
        }
      }

      // Each client in turn sends without reading, until the server owes it bytes it could not send
      // (it watches that client for EVENT_WRITE): B sends while A's echo is still owed to A.
      const deadline = performance.now() + 5000;
      for (const client of clients) {
        for (let turn = 0; !(serverKeyOf(selector, listener, client.sock).events & EVENT_WRITE); turn++) {
          // Its echo stops fitting after a few kilobytes: 4 MB, or 5 s, is far more than a right loop needs.
          if (client.sent >= 4 << 20 || performance.now() > deadline) {
            throw new Error(
              `client ${client.name} sent ${client.sent} bytes and read none of its echo, and after ${turn} turns the server ` +
                `still does not watch it for EVENT_WRITE: the echo that does not fit in the kernel's buffer must stay ` +
                `queued for that client, and the client be watched for writing until it is sent`,
            );
          }
          try {
            client.sent += client.sock.send(client.own.subarray(client.sent, client.sent + 4096));
          } catch (error) {
            if (!(error instanceof BlockingIOError)) throw error;
          }
          runOnce(selector);
        }
      }

      // Now both read: each must get back exactly what it sent, and nothing the other sent.
      const done = () => clients.every((client) => Buffer.concat(client.got).length >= client.sent);
      for (let turn = 0; !done(); turn++) {
        for (const client of clients) {
          received(client.sock, client.got);
          const got = Buffer.concat(client.got);
          const wanted = client.own.subarray(0, Math.min(got.length, client.sent));
          if (got.length > client.sent || !got.subarray(0, wanted.length).equals(wanted)) {
            const other = clients.find((c) => c !== client)!;
            const at = firstDifference(got, wanted);
            const from = at - (at % 8); // where the 8-byte "from X. " it differs in starts
            const instead = `${from === 0 ? 'its echo began with' : `from byte ${from} of its echo on, it received`} ${show(got.subarray(from), 48)}`;
            const stranger = got.subarray(from, from + 48).includes(`from ${other.name}`);
            throw new Error(
              stranger
                ? `client ${client.name} received bytes that client ${other.name} sent: ${instead}, while each client sent ` +
                    `only "from ${client.name}. " or "from ${other.name}. " over and over, and the server owed both part of their echoes. ` +
                    `Each connection must keep its own queue of the bytes owed to it (in the callback echo(selector) makes ` +
                    `for that client): with a shared callback or a shared queue, what one client is owed goes to another`
                : `client ${client.name} sent ${client.sent} bytes of "from ${client.name}. " over and over, and ${instead}. ` +
                    `Keep each client's queue in order, and after a partial send, send what is left of that chunk next`,
            );
          }
        }
        if (done()) break;
        if (turn === 40) {
          throw new Error(
            `after ${turn} turns, ${clients.map((c) => `client ${c.name} had received ${Buffer.concat(c.got).length} of the ${c.sent} bytes it sent`).join(' and ')}: ` +
              `each client must get all of its echo once it reads again`,
          );
        }
        runOnce(selector);
      }
    });

    for (const name of Object.keys(SELECTORS) as SelectorName[]) {
      const className = SELECTORS[name].name;
      test(`with ${className}, client B is echoed while client A stays connected and silent`, () => {
        const selector = testSelector(name);
        const listener = listening(selector);
        connectTo(listener);
        const b = connectTo(listener);
        turnUntil(selector, () => selector.getMap().size === 3, `clients A and B connected, but ${className} has ${selector.getMap().size} keys, not 3`);
        b.send('hello from B');
        const echo: Buffer[] = [];
        turnUntil(selector, () => received(b, echo) === 'hello from B', `client B sent "hello from B" and got back ${JSON.stringify(received(b, echo))}, with ${className}. The loop must use only the selector's interface (register, modify, unregister, select)`);
      });
    }
  });

  // Every test from here on starts a server of its own: these blocks run at once.
  describe.concurrent('the server program', () => {
    echoServerGuarantees(server, { wait: 'selector.select()' });

    concurrentTest('a client that leaves is unregistered before its socket is closed', async () => {
      // With this variable set, the binding prints a line each time a closed socket is unregistered.
      const srv = await startServer(server, { env: { KATA_STRICT_SELECTORS: '1' } });
      const polite = await srv.connect('polite');
      polite.send('hello from polite\n');
      await polite.expect('hello from polite\n', { because: 'First the server must echo a client.' });
      polite.end();
      await polite.readToEnd({ what: 'polite closed its side, so the server closes its socket' });
      const rude = await srv.connect('rude');
      rude.send('hello from rude\n');
      await rude.expect('hello from rude\n', { because: 'The server must echo the next client too.' });
      rude.reset();
      const newcomer = await srv.connect('newcomer');
      newcomer.send('hello from a newcomer\n');
      await newcomer.expect('hello from a newcomer\n', {
        because: 'After one client left and another reset its connection, a new client must still be served.',
      });
      // The server wrote any such line before it echoed the newcomer: let this process read all it got.
      await new Promise((resolve) => setImmediate(resolve));
      const line = /^selectors: unregister\(.*\) after close\(\).*$/m.exec(srv.stderr)?.[0];
      if (line) {
        throw new Error(
          `A client left, and the server closed its socket before it unregistered it; the binding reported:\n  ${line}\n` +
            `Unregister, then close: the selector must never hold a closed socket, even for a moment. With epoll, a ` +
            `closed socket can stay registered in the kernel, and its number can be handed to the next client.`,
        );
      }
    });
  });

  for (const name of Object.keys(SELECTORS)) {
    describe.concurrent(`the server program with --selector ${name}`, () => {
      echoServerGuarantees(server, {
        args: ['--selector', name],
        wait: 'selector.select()',
        only: ['client B is echoed while client A stays connected and silent'],
      });
    });
  }
});
