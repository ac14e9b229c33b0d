import { afterEach, describe, expect, test } from 'vitest';
import { echoServerGuarantees } from '../../fixtures/harness/echo-suite.ts';
import { startServer, until } from '../../fixtures/harness/index.ts';
import { BlockingIOError, ConnectionAbortedError, createConnection, createServer, socketpair, type Socket } from '../../fixtures/native/index.ts';
import { acceptClients, handleClient, type Task, type Wait } from './server.ts';

const server = new URL('./server.ts', import.meta.url);

/** Sockets and tasks a test made in this process: closed after it, passed or failed. */
const opened: Socket[] = [];
const started: Task[] = [];
afterEach(() => {
  for (const task of started.splice(0)) task.return(); // runs the task's finally: it closes its socket
  for (const sock of opened.splice(0)) sock.close();
});

/** A connected pair of non-blocking sockets: `peer` plays the client, `client` is the server's end. */
function pair(): [peer: Socket, client: Socket] {
  const [peer, client] = socketpair();
  opened.push(peer, client);
  // Non-blocking, so that a call made too early fails at once (BlockingIOError) instead of freezing the test.
  peer.setBlocking(false);
  client.setBlocking(false);
  return [peer, client];
}

/** A non-blocking listening socket on a port of the OS's choosing, closed after the test. */
function nonBlockingListener(): Socket {
  const sock = createServer(['127.0.0.1', 0]);
  opened.push(sock);
  sock.setBlocking(false);
  return sock;
}

/** What `peer` can read right now, without waiting. */
function received(peer: Socket): string {
  try {
    return peer.recv(65536).toString();
  } catch (error) {
    if (error instanceof BlockingIOError) return '';
    throw error;
  }
}

function track(task: Task): Task {
  started.push(task);
  return task;
}

/** Advances `task` one step by hand, and checks it stopped to wait for `why` on `sock`. */
function expectWait(task: Task, why: Wait[0], sock: Socket, because: string): void {
  const expected = `['${why}', ${sock}]`;
  let step: IteratorResult<Wait, void>;
  try {
    step = task.next();
  } catch (error) {
    if (/^TODO\(/.test((error as Error).message)) throw error;
    throw new Error(`expected the task to yield ${expected}, but next() threw ${String(error)}. ${because}`);
  }
  const shown = step.done ? 'it finished (done: true)' : `it yielded ${JSON.stringify([step.value[0], String(step.value[1])])}`;
  expect(step.done === false && step.value[0] === why && step.value[1] === sock, `expected the task to yield ${expected}, but ${shown}. ${because}`).toBe(
    true,
  );
}

describe('04-generators: the echo server as generator tasks', () => {
  test("handleClient is a generator that first yields ['read', client], before it reads anything", () => {
    const [, client] = pair();
    const task = track(handleClient(client));
    expectWait(task, 'read', client, 'A task must not call recv() before the client has sent something: yield first, and the scheduler resumes it when select() says the socket is readable.');
  });

  test('driven by hand, handleClient waits to read, waits to write, echoes, and closes when the client leaves', () => {
    const [peer, client] = pair();
    const task = track(handleClient(client));
    expectWait(task, 'read', client, 'First it waits for the client to send.');
    peer.send('hello');
    expectWait(task, 'write', client, "Resumed, it reads 'hello' (recv), and before it sends it yields ['write', client]: send() blocks when the buffer is full.");
    expect(received(peer), 'the task should not send before it is resumed after its write wait').toBe('');
    expectWait(task, 'read', client, 'Resumed again, it sends the echo and goes back to waiting for the client.');
    expect(received(peer), 'the echo, sent with client.send() (keep the part send() did not take, and send it after the next write wait)').toBe('hello');
    peer.close(); // the client leaves: the next recv() returns an empty Buffer
    const last = task.next();
    expect(last.done, 'when recv() returns an empty Buffer the client has left: return from the generator').toBe(true);
    expect(client.closed, 'the task should close its socket when it ends (try/finally)').toBe(true);
  });

  test("acceptClients yields ['read', server] before each accept, and spawns a task per client", () => {
    const listener = nonBlockingListener();
    const spawned: Task[] = [];
    const task = track(acceptClients(listener, (t) => spawned.push(track(t))));
    expectWait(task, 'read', listener, 'A pending connection makes the listening socket readable: wait for that before accept().');
    expect(spawned, 'nothing has connected yet, so no client task yet').toHaveLength(0);
    opened.push(createConnection(listener.getsockname())); // a client connects (the kernel completes it)
    expectWait(task, 'read', listener, 'Resumed, it accepts the client, spawns its task, and waits for the next connection.');
    expect(spawned, 'acceptClients should call spawn(handleClient(client)) once for each client it accepts').toHaveLength(1);
    const [clientTask] = spawned;
    const step = clientTask!.next();
    expect(step.done === false && step.value[0] === 'read' && step.value[1] !== listener, "the spawned task should be handleClient(client): it first yields ['read', client] for the accepted socket").toBe(true);
  });

  test('handleClient closes its socket however its task ends: an error, or return() from outside', () => {
    const [, client] = pair();
    const closedFromOutside = track(handleClient(client));
    expectWait(closedFromOutside, 'read', client, 'First it waits for the client to send.');
    closedFromOutside.return(); // what a scheduler does to a task it drops, or a server that shuts down
    expect(
      client.closed,
      "return() on the task ended it while it waited to read, and its socket was still open: a task ended from outside never reaches the code after its loop. Close the client in a finally, which runs whichever way the task ends",
    ).toBe(true);
    const [, other] = pair();
    const failing = track(handleClient(other));
    expectWait(failing, 'read', other, 'First it waits for the client to send.');
    const broken = new Error('an error at the yield, as a reset would raise in recv()');
    expect(() => failing.throw(broken), 'handleClient does not handle this error: it ends the task').toThrow(broken);
    expect(
      other.closed,
      'an error ended the task, and its socket was still open: the server would keep one file descriptor more for every client that failed. Close the client in a finally',
    ).toBe(true);
  });

  test('acceptClients hands on each client socket non-blocking, so no call on it can stop the server', () => {
    const listener = nonBlockingListener();
    const spawned: Task[] = [];
    const task = track(acceptClients(listener, (t) => spawned.push(track(t))));
    expectWait(task, 'read', listener, 'A pending connection makes the listening socket readable: wait for that before accept().');
    opened.push(createConnection(listener.getsockname()));
    expectWait(task, 'read', listener, 'Resumed, it accepts the client, spawns its task, and waits for the next connection.');
    expect(spawned, 'acceptClients should spawn one handleClient task for the client it accepted').toHaveLength(1);
    const step = spawned[0]!.next();
    expect(step.done === false && step.value[0] === 'read', "the spawned task should be handleClient(client): it first yields ['read', client]").toBe(true);
    const client = (step.value as Wait)[1];
    expect(
      client.getBlocking(),
      'the client socket acceptClients handed on is blocking: accept() returns a blocking socket, whatever the listening socket is. On a blocking socket a send() that meets a full buffer waits, and the whole server with it, instead of raising BlockingIOError. Make each client non-blocking before you spawn its task',
    ).toBe(false);
  });

  test('acceptClients waits again when the client it was woken for is gone before accept()', () => {
    const listener = nonBlockingListener();
    const task = track(acceptClients(listener, (t) => track(t)));
    expectWait(task, 'read', listener, 'A pending connection makes the listening socket readable: wait for that before accept().');
    // Resumed with no connection waiting: as when a client connects and gives up before accept().
    expectWait(
      task,
      'read',
      listener,
      'Resumed with no connection waiting (a client that connected and gave up before accept()), accept() throws BlockingIOError. That is no fault of the server: wait for the next connection.',
    );
    const aborting = {
      accept(): never {
        throw new ConnectionAbortedError(103, 'ECONNABORTED', 'accept on the listening socket: the connection was aborted (ECONNABORTED)');
      },
      toString: () => 'Socket(a listener whose client gave up)',
    } as unknown as Socket;
    const other = track(acceptClients(aborting, (t) => track(t)));
    expectWait(other, 'read', aborting, 'A pending connection makes the listening socket readable: wait for that before accept().');
    expectWait(
      other,
      'read',
      aborting,
      'accept() threw a ConnectionError (ECONNABORTED): the client gave up before it was accepted. That is no fault of the server either: wait for the next connection.',
    );
  });

  test('a client task that fails is reported on stderr, and the server goes on serving', async () => {
    const srv = await startServer(server);
    const rude = await srv.connect('rude');
    rude.send('hello\n');
    await rude.expect('hello\n', { because: 'First the server must serve this client.' });
    rude.reset(); // RST: the task's next recv() throws ConnectionResetError
    await until(
      () => /ECONNRESET|EPIPE/.test(srv.stderr),
      5000,
      () =>
        `A client reset its connection, so its task's recv() threw a ConnectionResetError (ECONNRESET). The scheduler ` +
        `should catch what a task throws, hand it to onError (by default reportError, which prints it with ` +
        `console.error), and go on. Nothing about it appeared on stderr within 5000 ms.\n${srv.report()}`,
    );
    const b = await srv.connect('B');
    b.send('still there?\n');
    await b.expect('still there?\n', { because: 'One failed task must not stop the others: drop it and keep running the rest.' });
  });

  echoServerGuarantees(server, { wait: 'select()' });
});
