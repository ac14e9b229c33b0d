import { describe, expect, test } from 'vitest';
import { deferCleanup } from '../../fixtures/harness/index.ts';
import { Recorder, runFor, runUntil, testSelector } from '../../fixtures/harness/protocol-testing.ts';
import { ConnectionRefusedError, createConnection, createServer, type Socket } from '../../fixtures/native/index.ts';
import { ProtocolLoop } from './loop.ts';

/** A ProtocolLoop serving Recorders on a listening socket of 127.0.0.1, port 0. */
function serving() {
  const loop = new ProtocolLoop({ selector: testSelector() });
  deferCleanup(() => loop.close());
  const listener = createServer(['127.0.0.1', 0]);
  deferCleanup(() => listener.close());
  const port = listener.getsockname()[1];
  const protocols: Recorder[] = [];
  const server = loop.createServer(() => {
    const protocol = new Recorder();
    protocols.push(protocol);
    return protocol;
  }, listener);
  return { loop, listener, port, protocols, server };
}

function client(port: number): Socket {
  const sock = createConnection(['127.0.0.1', port]); // the kernel completes it: the listener's backlog holds it until accepted
  deferCleanup(() => sock.close());
  return sock;
}

describe('10-protocols: ProtocolLoop.createServer', () => {
  test('each client gets a protocol of its own from the factory, and a transport over its socket that knows its address', () => {
    const { loop, port, protocols } = serving();
    const clients = [client(port), client(port), client(port)];
    runUntil(loop, () => protocols.filter((p) => p.calls.includes('connectionMade')).length === 3, 'connectionMade for each of 3 clients');
    expect(protocols, 'one protocol per client, each from a call of the factory').toHaveLength(3);
    expect(new Set(protocols.map((p) => p.transport)).size, 'each protocol has a transport of its own').toBe(3);
    expect(
      protocols.map((p) => p.transport.peername?.[1]).sort(),
      "each transport's peername is the address accept() gave: the client's port",
    ).toEqual(clients.map((c) => c.getsockname()[1]).sort());
    clients.forEach((c, i) => c.send(`client ${i}`));
    runUntil(loop, () => protocols.every((p) => p.received.length >= 8), 'dataReceived on each connection');
    const byPort = new Map(protocols.map((p) => [p.transport.peername?.[1], p.received.toString()]));
    clients.forEach((c, i) => expect(byPort.get(c.getsockname()[1]), "each protocol hears its own client, and only it").toBe(`client ${i}`));
  });

  test('close() stops accepting: the listening socket closes and a new client is refused; the connections made go on', () => {
    const { loop, listener, port, protocols, server } = serving();
    const first = client(port);
    runUntil(loop, () => protocols[0]?.calls.includes('connectionMade') ?? false, 'connectionMade for the first client');
    server.close();
    runFor(loop, 0.05);
    expect(listener.closed, 'close() closes the listening socket (on the loop, once it is no longer watched)').toBe(true);
    expect(() => client(port), 'once the server is closed, a new client is refused').toThrow(ConnectionRefusedError);
    first.send('still here');
    runUntil(loop, () => protocols[0]!.received.length >= 10, 'dataReceived from the client accepted before close()');
    expect(protocols[0]!.received.toString(), 'closing the server ends no connection it made').toBe('still here');
    expect(protocols, 'no protocol is made after close()').toHaveLength(1);
  });
});
