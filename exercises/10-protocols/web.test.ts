import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { concurrentTest, show, startServer, until, type ServerProcess } from '../../fixtures/harness/index.ts';
import { connectionQueues, HELD_BOUND, KERNEL_QUEUES_MISSING, pausedClient, sendInPieces, untilSettled } from '../../fixtures/harness/flow-control.ts';
import { nextResponse, request, webServerGuarantees } from '../../fixtures/harness/web-suite.ts';
import { blog, index } from '../00-web-app/views.ts';

const web = new URL('./web.ts', import.meta.url);

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

/** Asks for / on one kept-alive connection for 0.75 s, each request as soon as the last response is in. */
async function askBackToBack(srv: ServerProcess, name: string): Promise<void> {
  const client = await srv.connect(name);
  const started = Date.now();
  for (let i = 1, elapsed = 0; elapsed < 750; i++, elapsed = Date.now() - started) {
    client.send(request('GET', '/'));
    const what = `GET / number ${i}, ${(elapsed / 1000).toFixed(2)} s after the first, on a connection kept alive`;
    const response = await nextResponse(srv, client, `${what} (--head-timeout 0.5: each request came as soon as the last response was in)`);
    expect(response.status, what).toBe(200);
  }
}

describe('10-protocols: the web app as a protocol', () => {
  const { site } = webServerGuarantees(web, {
    views: { index, blog },
    closer:
      'HttpProtocol ends a connection with writeEof, reads and drops what still comes, and lets the transport close at the end ' +
      'of the stream (or after LINGER_SECONDS): it must never close it while the client may still be sending',
    neverBlock: 'a protocol never waits: it is called with what arrived, keeps what is not whole yet, and returns.',
  });

  concurrentTest('a request that arrives in pieces, its head cut anywhere, is answered once it is whole', async () => {
    const srv = await site();
    const client = await srv.connect('typist');
    const sent = request('GET', '/blog') + request('GET', '/nowhere');
    // Cut inside a word, inside a CRLF, inside the empty line that ends the head, and inside the next request.
    const cuts = [0, 4, 19, 31, 33, 40, sent.length];
    for (let i = 1; i < cuts.length; i++) {
      client.send(sent.slice(cuts[i - 1], cuts[i]));
      await sleep(50); // each piece arrives on its own: the server reads it before the next one comes
    }
    const statuses = [];
    for (const what of ['GET /blog, sent in pieces', 'GET /nowhere, whose head began in the same piece as the end of the first']) {
      statuses.push((await nextResponse(srv, client, what)).status);
    }
    expect(
      statuses,
      `Sent ${show(sent)} in ${cuts.length - 1} pieces, 50 ms apart. Each dataReceived brings what came since the last ` +
        'one, whatever it is: keep the bytes of a request that is not whole yet, and add the next ones to them',
    ).toEqual([200, 404]);
  });

  concurrentTest('the head timeout runs from the last response: a kept-alive client that asks again in time is never dropped', async () => {
    // Under --head-timeout 0.5 the client asks again as soon as each response is in, for 0.75 s: its
    // last requests come past a deadline counted from the start of the connection, and each comes long
    // before a deadline counted from the last response. A gap of half a second between a response and
    // the next request, which a busy machine can make on either side, has a correct server drop the
    // client rightly, so the proof has three connections; a clock that does not move drops the client on
    // every one of them.
    const srv = await startServer(web, { args: ['--head-timeout', '0.5'] });
    let dropped: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      dropped = await askBackToBack(srv, `regular-${attempt}`).then(() => undefined, (error: unknown) => error);
      if (!dropped) return;
    }
    throw dropped;
  });

  // Flow control: the proof reads the kernel's queues of its connection from /proc/net/tcp and works out
  // what the server holds in its own memory.
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
