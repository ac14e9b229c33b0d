import { describe, expect } from 'vitest';
import { concurrentTest, deferCleanup, startServer, type ServerProcess } from '../../fixtures/harness/index.ts';
import { TestSelector } from '../../fixtures/harness/loop-testing.ts';
import type { Address } from '../../fixtures/native/index.ts';
import { downloadAllAtOnce, downloadOneByOne, fetchPage } from './download.ts';
import { EventLoop } from './loop.ts';

const PAGES = 6;
const paths = Array.from({ length: PAGES }, (_, i) => `/page/${i + 1}`);

/** A request sent alone is answered after this: one-by-one takes PAGES times as long. */
const HOLD_ALONE_MS = 50;
/** Requests sent together must all arrive within this, even on a busy machine: a wide margin. */
const HOLD_TOGETHER_MS = 1000;

/**
 * The slow server holds every response until PAGES requests are in flight at once, or until a request
 * has waited `holdMs` (so that one-by-one still ends), and counts the most it ever held. What it
 * counts is the proof; the hold only has to outlast the arrival of requests sent together.
 */
async function slowServer(holdMs: number): Promise<{ srv: ServerProcess; address: Address; maxInFlight(): Promise<number> }> {
  const srv = await startServer(new URL('../../fixtures/harness/slow-http-server.ts', import.meta.url), {
    args: ['--together', String(PAGES), '--hold-ms', String(holdMs)],
  });
  const maxInFlight = async () => {
    const response = await fetch(`http://127.0.0.1:${srv.port}/stats`, { signal: AbortSignal.timeout(5000) });
    return ((await response.json()) as { maxInFlight: number }).maxInFlight;
  };
  return { srv, address: ['127.0.0.1', srv.port], maxInFlight };
}

/** A loop in this process; its selector fails the test instead of blocking it for ever. */
function testLoop(): EventLoop {
  const loop = new EventLoop({ selector: new TestSelector({ limitMs: 15_000 }) });
  deferCleanup(() => loop.close());
  return loop;
}

// Each test has a slow server of its own; while one runs its loop (which blocks this process), the
// others' servers start.
describe('07-event-loop: a concurrent downloader', () => {
  concurrentTest('fetchPage returns the body of one page', async () => {
    const { address } = await slowServer(HOLD_ALONE_MS);
    const page = testLoop().runUntilComplete(fetchPage(address, '/page/7'));
    expect(page.toString(), 'connect, send "GET /page/7 HTTP/1.0", read until the server closes, and return what follows the blank line').toBe(
      'page 7',
    );
  });

  concurrentTest('one by one, a single request is in flight at a time', async () => {
    const { address, maxInFlight } = await slowServer(HOLD_ALONE_MS);
    const pages = testLoop().runUntilComplete(downloadOneByOne(address, paths));
    expect(pages.map(String), 'every page, in the order asked').toEqual(paths.map((_, i) => `page ${i + 1}`));
    expect(await maxInFlight(), 'downloadOneByOne waits for each page before asking for the next').toBe(1);
  });

  concurrentTest(`all at once, all ${PAGES} requests are in flight together, and the pages come back in order`, async () => {
    const { address, maxInFlight } = await slowServer(HOLD_TOGETHER_MS);
    const pages = testLoop().runUntilComplete(downloadAllAtOnce(address, paths));
    expect(pages.map(String), 'gather returns the pages in the order asked, whichever arrived first').toEqual(paths.map((_, i) => `page ${i + 1}`));
    expect(
      await maxInFlight(),
      `the slow server saw fewer than ${PAGES} requests at once: start every fetchPage as a task (gather) before waiting for any`,
    ).toBe(PAGES);
  });
});
