/**
 * Flow control, for both servers of 10: a client that sends and never reads what comes back must make
 * the server stop reading from it (the transport's high-water mark: pauseWriting, then pauseReading),
 * not buffer without bound. Each proof reads the kernel's queues of its connection from /proc/net/tcp
 * and works out what the server holds in its own memory. They are in a file of their own so that they
 * start at once with the rest: each waits about a second for the kernel's buffers to fill.
 */
import { describe, expect } from 'vitest';
import { concurrentTest, show, startServer, until, type ServerProcess } from '../../fixtures/harness/index.ts';
import { connectionQueues, HELD_BOUND, KERNEL_QUEUES_MISSING, pausedClient, sendInPieces, untilSettled } from '../../fixtures/harness/flow-control.ts';
import { request } from '../../fixtures/harness/web-suite.ts';

const echo = new URL('./echo.ts', import.meta.url);
const web = new URL('./web.ts', import.meta.url);

const MiB = 1024 * 1024;

/** How many bytes the response to `ask` takes, asked on a connection of its own. */
async function responseSize(srv: ServerProcess, ask: string): Promise<number> {
  const probe = await srv.connect('probe');
  probe.send(ask);
  let size = Infinity;
  await until(
    () => {
      const end = probe.pending.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(probe.pending.subarray(0, end).toString('latin1'))?.[1];
      if (end !== -1 && length !== undefined) size = end + 4 + Number(length);
      return probe.pending.length >= size || srv.hasExited;
    },
    5000,
    () => `client probe sent ${show(ask)} and waited 5000 ms for the whole response; it received ${show(probe.pending)}.\n${srv.report()}`,
  );
  return size;
}

/** The number the server gave the connection from `clientPort`, in its log: `#3 connection from 127.0.0.1:PORT` → 3. */
async function connectionNumber(srv: ServerProcess, clientPort: number): Promise<number> {
  const line = new RegExp(`^#(\\d+) connection from 127\\.0\\.0\\.1:${clientPort}$`, 'm');
  await until(
    () => line.test(srv.stdout) || srv.hasExited,
    5000,
    () => `the server should log "#<connection> connection from 127.0.0.1:${clientPort}" when it accepts that client.\n${srv.report()}`,
  );
  return Number(line.exec(srv.stdout)?.[1]);
}

/** How many times `text` is in `within`. */
function occurrences(within: string, text: string): number {
  let count = 0;
  for (let at = within.indexOf(text); at !== -1; at = within.indexOf(text, at + text.length)) count++;
  return count;
}

describe.concurrent('10-protocols: the echo server as a protocol', () => {
  concurrentTest('a client that sends and never reads is not read either: the server holds a bounded part of what it sent', async (context) => {
    if (KERNEL_QUEUES_MISSING) return context.skip(KERNEL_QUEUES_MISSING);
    const srv = await startServer(echo);
    const client = await pausedClient(srv);
    const size = 32 * MiB;
    const taken = sendInPieces(client, Buffer.alloc(size, 'x'));
    const queues = () => connectionQueues(srv, client.localPort!);
    // Until the server has stopped reading, or has read everything (then the rest of it is in its memory).
    await untilSettled(() => JSON.stringify([taken(), queues()]));
    const handed = taken();
    const { client: c, server: s } = queues();
    const inKernel = c.unacknowledged + s.unread + s.unacknowledged + c.unread;
    const held = handed - inKernel;
    const echoed = s.unacknowledged + c.unread;
    if (echoed < 64 * 1024 || held > HELD_BOUND) {
      throw new Error(
        `Client sent ${size} bytes and read none of its echo. The kernel took ${handed} of them; its buffers hold ${inKernel} ` +
          `(${c.unacknowledged} not yet taken from the client, ${s.unread} that the server has not read, ${echoed} of echo that ` +
          `the client has not read), so the server holds the other ${held} in its own memory. ` +
          (echoed < 64 * 1024
            ? 'But the server echoed next to nothing: it must read and echo until the client stops reading.'
            : `That must stay under ${HELD_BOUND} bytes: a server that stops reading once the transport holds more than its ` +
              'high-water mark (pauseWriting: pauseReading, until resumeWriting) holds that much and no more, however much a ' +
              'client sends; one that reads on keeps everything, and a few such clients exhaust its memory.') +
          `\n${srv.report()}`,
      );
    }
  }, 40_000);
});

describe.concurrent('10-protocols: the web app as a protocol', () => {
  concurrentTest('a client that pipelines requests and reads no response is not read either: the server holds a bounded part of what it asked', async (context) => {
    if (KERNEL_QUEUES_MISSING) return context.skip(KERNEL_QUEUES_MISSING);
    const srv = await startServer(web);
    const ask = request('GET', '/');
    const size = await responseSize(srv, ask);
    const client = await pausedClient(srv);
    const asked = 40_000;
    const taken = sendInPieces(client, Buffer.from(ask.repeat(asked), 'latin1'));
    const id = await connectionNumber(srv, client.localPort!);
    const answered = () => occurrences(srv.stdout, `#${id} GET / HTTP/1.1\n`);
    const queues = () => connectionQueues(srv, client.localPort!);
    // Until the server has stopped reading, or has answered everything (then what the client did not read is in its memory).
    await untilSettled(() => JSON.stringify([taken(), answered(), queues()]));
    const { client: c, server: s } = queues();
    const read = taken() - c.unacknowledged - s.unread;
    const count = answered();
    const notAnswered = read - count * ask.length;
    const notSent = count * size - s.unacknowledged - c.unread;
    const held = notAnswered + notSent;
    if (count < 50 || held > HELD_BOUND) {
      throw new Error(
        `Client sent ${asked} requests "GET / HTTP/1.1" (${ask.length} bytes each) on one connection and read none of the ` +
          `responses (${size} bytes each). The kernel took ${taken()} bytes of requests, and the server read ${read} of them; it ` +
          `answered ${count} (its log says so), and the kernel's buffers hold ${s.unacknowledged + c.unread} bytes of their ` +
          `responses. So the server holds ${notSent} bytes of responses not sent, and ${notAnswered} of requests not answered, ` +
          `${held} in all, in its own memory. ` +
          (count < 50
            ? 'But it answered next to nothing: it must answer pipelined requests until the client stops reading.'
            : `That must stay under ${HELD_BOUND} bytes: a protocol that answers no request and reads nothing while writing is ` +
              "paused (pauseWriting, until resumeWriting) holds the transport's high-water mark and one read, however many " +
              'requests a client sends; one that reads on holds a response for each.') +
          `\n${srv.report()}`,
      );
    }
  }, 40_000);
});
