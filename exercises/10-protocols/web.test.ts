import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { concurrentTest, show, startServer } from '../../fixtures/harness/index.ts';
import { nextResponse, request, webServerGuarantees } from '../../fixtures/harness/web-suite.ts';
import { blog, index } from '../00-web-app/views.ts';

const web = new URL('./web.ts', import.meta.url);

// Flow control (a client that pipelines and never reads) is proved in flow.test.ts.
describe('10-protocols: the web app as a protocol', () => {
  webServerGuarantees(web, {
    views: { index, blog },
    closer:
      'HttpProtocol ends a connection with writeEof, reads and drops what still comes, and lets the transport close at the end ' +
      'of the stream (or after LINGER_SECONDS): it must never close it while the client may still be sending',
    neverBlock: 'a protocol never waits: it is called with what arrived, keeps what is not whole yet, and returns.',
  });

  concurrentTest('a request that arrives in pieces, its head cut anywhere, is answered once it is whole', async () => {
    const srv = await startServer(web);
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
    // before a deadline counted from the last response.
    const srv = await startServer(web, { args: ['--head-timeout', '0.5'] });
    const client = await srv.connect('regular');
    const started = Date.now();
    for (let i = 1, elapsed = 0; elapsed < 750; i++, elapsed = Date.now() - started) {
      client.send(request('GET', '/'));
      const what = `GET / number ${i}, ${(elapsed / 1000).toFixed(2)} s after the first, on a connection kept alive`;
      const response = await nextResponse(srv, client, `${what} (--head-timeout 0.5: each request came as soon as the last response was in)`);
      expect(response.status, what).toBe(200);
    }
  });
});
