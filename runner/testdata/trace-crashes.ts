/**
 * For runner/trace.test.ts: a server that accepts two clients, reads neither, and crashes on a bug.
 */
import type { Socket } from '../../fixtures/native/index.ts';
import { runServer } from '../../fixtures/program.ts';

function serveForever(server: Socket): void {
  server.accept();
  server.accept();
  throw new TypeError('a bug after the second accept');
}

runServer(import.meta.url, 0, serveForever);
