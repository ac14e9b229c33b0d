import { describe, expect } from 'vitest';
import { echoServerGuarantees } from '../../fixtures/harness/echo-suite.ts';
import { concurrentTest, startServer } from '../../fixtures/harness/index.ts';

const server = new URL('./server.ts', import.meta.url);

// Every test starts a server of its own: they run at once.
describe('01-blocking: the blocking echo server', () => {
  // The one guarantee of the concurrent echo servers a blocking server can keep as it is.
  echoServerGuarantees(server, { wait: 'recv()', only: ['a client that half-closes still gets every byte back, then the server closes'] });

  concurrentTest('one client gets its message echoed', async () => {
    const srv = await startServer(server);
    const a = await srv.connect('A');
    a.send('hello\n');
    await a.expect('hello\n', { because: 'An echo server sends back every byte it receives.' });
  });

  concurrentTest('several messages on one connection come back in order', async () => {
    const srv = await startServer(server);
    const a = await srv.connect('A');
    for (const message of ['one\n', 'two\n', 'three\n']) {
      a.send(message);
      await a.expect(message, {
        because: 'The server must keep reading from the same client until it leaves, not answer once and stop.',
      });
    }
  });

  concurrentTest('the server closes a client\'s connection once that client has closed its side', async () => {
    const srv = await startServer(server);
    const a = await srv.connect('A');
    a.send('last words\n');
    await a.expect('last words\n', { because: 'First the server must serve A.' });
    a.end(); // A is done sending: the server's recv() returns an empty Buffer
    const rest = await a.readToEnd({
      what: 'A closed its side, so the server is done with A: it must close its side too, or A waits for an end that never comes',
    });
    expect(rest.toString(), 'nothing more to echo after A closed its side').toBe('');
  });

  concurrentTest('while client A stays connected and silent, client B gets no reply', async () => {
    const srv = await startServer(server);
    const a = await srv.connect('A');
    a.send('A is here\n');
    await a.expect('A is here\n', { because: 'First the server must serve A.' });
    const b = await srv.connect('B');
    b.send('hello from B\n');
    await b.expectNothingFor(500, 'a blocking server is still inside recv() for client A, so B waits in the listen queue. This is the problem exercise 02 solves.');
  });

  concurrentTest('client B is served as soon as client A disconnects', async () => {
    const srv = await startServer(server);
    const a = await srv.connect('A');
    a.send('A is here\n');
    await a.expect('A is here\n', { because: 'First the server must serve A.' });
    const b = await srv.connect('B');
    b.send('hello from B\n');
    a.end();
    await b.expect('hello from B\n', {
      because: 'Once A has left (recv returned an empty Buffer), the server must close A and accept the next client.',
    });
  });

  concurrentTest('a client that resets its connection does not kill the server', async () => {
    const srv = await startServer(server);
    const rude = await srv.connect('rude');
    rude.send('bye\n');
    await rude.expect('bye\n', { because: 'First the server must serve this client.' });
    rude.reset(); // RST: the server's next recv fails with ECONNRESET
    const b = await srv.connect('B');
    b.send('still there?\n');
    await b.expect('still there?\n', {
      because: 'A reset connection makes recv() throw ConnectionResetError; catch it (ConnectionError), close that client, and keep serving.',
    });
  });

  concurrentTest('a client that leaves without reading its echo does not kill the server', async () => {
    const srv = await startServer(server);
    const rude = await srv.connect('rude');
    // More than the socket buffers hold, so the server is still sending when the client goes away.
    await rude.sendAndDrain(Buffer.alloc(4 * 1024 * 1024, 'x'));
    rude.reset();
    const b = await srv.connect('B');
    b.send('still there?\n');
    await b.expect('still there?\n', {
      timeoutMs: 10_000,
      because: 'Sending to a client that has gone fails with ECONNRESET or EPIPE (BrokenPipeError); catch ConnectionError and keep serving.',
    });
  });
});
