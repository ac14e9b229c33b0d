/**
 * 09-cpu-bound — a worker process of the pool (given: nothing to write here).
 *
 * The pool starts this program with one end of a socketpair as its stdin (fd 0). It reads a line
 * (`n`), computes fib(n), sends back a line (the result), and waits for the next one. It may block as
 * it likes: it is a process of its own, serving one request at a time. When the server closes its end
 * of the pair (or dies), `recv` returns nothing and the worker exits, so a worker never outlives its
 * server by more than the computation it has in hand.
 */
import { Socket } from '../../fixtures/native/index.ts';
import { fib } from './fib.ts';

const server = new Socket(0);
// This process waits in recv, so its socket must block. Its fd 0 arrives blocking already (the
// pool's socketpair is made so, and libuv's spawn clears O_NONBLOCK on the fds 0-2 it hands a
// child), but O_NONBLOCK belongs to the open file, shared by every descriptor of it, so the worker
// sets it itself rather than count on whoever started it.
server.setBlocking(true);
let buffered = '';
for (;;) {
  const newline = buffered.indexOf('\n');
  if (newline !== -1) {
    const n = Number(buffered.slice(0, newline));
    buffered = buffered.slice(newline + 1);
    server.sendall(`${fib(n)}\n`);
    continue;
  }
  const data = server.recv(4096);
  if (data.length === 0) break; // the server closed its end: nothing more to do
  buffered += data.toString('latin1');
}
