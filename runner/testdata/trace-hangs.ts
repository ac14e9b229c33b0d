/**
 * For runner/trace.test.ts: a server that accepts its first client and then waits forever on nothing
 * (a select() of no files, with no timeout), as a loop that forgot what to watch would.
 */
import { select, type Socket } from '../../fixtures/native/index.ts';
import { runServer } from '../../fixtures/program.ts';

function serveForever(server: Socket): void {
  server.accept();
  select([], [], []);
}

runServer(import.meta.url, 0, serveForever);
