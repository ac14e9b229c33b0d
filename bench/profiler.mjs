// Preloaded into a server run with `node --cpu-prof --import ./bench/profiler.mjs …` by
// `npm run bench -- --profile`: it ends the server with a normal exit (so that Node writes the
// profile) PROFILE_MS after the file PROFILE_GO appears, and writes into PROFILE_GO the time it
// appeared (µs, the profile's clock), so the summary can count only the samples taken under load.
//
// The server's loop never returns to Node's event loop, so no timer of its own would ever fire. A
// worker thread keeps the time instead, and asks the main thread to exit through the inspector
// (Runtime.evaluate runs between two of the loop's JavaScript steps).
import { isMainThread, Worker } from 'node:worker_threads';

if (process.env.PROFILE_GO && isMainThread) {
  new Worker(
    `
    const { existsSync, writeFileSync } = require('node:fs');
    const { Session } = require('node:inspector');
    const { PROFILE_GO, PROFILE_MS = '3000' } = process.env;
    const main = new Session();
    main.connectToMainThread();
    const waiting = setInterval(() => {
      if (!existsSync(PROFILE_GO)) return;
      clearInterval(waiting);
      writeFileSync(PROFILE_GO, String(process.hrtime.bigint() / 1000n));
      setTimeout(() => main.post('Runtime.evaluate', { expression: 'process.exit(0)' }), Number(PROFILE_MS));
    }, 10);
    `,
    { eval: true, execArgv: [] }, // not the server's own flags: the worker loads nothing else
  );
}
