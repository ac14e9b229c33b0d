import { describe, expect, test } from 'vitest';
import { deferCleanup } from '../../fixtures/harness/index.ts';
import { echoServerGuarantees } from '../../fixtures/harness/echo-suite.ts';
import {
  BlockingIOError,
  createConnection,
  createServer,
  DefaultSelector,
  EVENT_READ,
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

    test('listenOn registers the listening socket for reading, with a callback', () => {
      const selector = testSelector();
      const listener = listening(selector);
      const key = selector.getKey(listener);
      expect(key.events, 'the listening socket is watched for reading (EVENT_READ): a waiting client makes it readable').toBe(EVENT_READ);
      expect(typeof key.data, 'its data is the callback that accepts a client (acceptConnection)').toBe('function');
    });

    test('a client that connects is registered with a callback of its own', () => {
      const selector = testSelector();
      const listener = listening(selector);
      connectTo(listener);
      turnUntil(selector, () => selector.getMap().size === 2, 'the client that connected was not registered: the callback of the listening socket should accept it and register it (EVENT_READ, with its own callback)');
      const [key] = clientKeys(selector, listener);
      expect(key!.events, 'a new client is watched for reading').toBe(EVENT_READ);
      expect(typeof key!.data, "the client's data is its callback").toBe('function');
      expect(key!.data, "the client's callback is not the listening socket's").not.toBe(selector.getKey(listener).data);
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

  describe('the server program', () => {
    echoServerGuarantees(server, { wait: 'selector.select()' });
  });

  for (const name of Object.keys(SELECTORS)) {
    describe(`the server program with --selector ${name}`, () => {
      echoServerGuarantees(server, {
        args: ['--selector', name],
        wait: 'selector.select()',
        only: ['client B is echoed while client A stays connected and silent'],
      });
    });
  }
});
