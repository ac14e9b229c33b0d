/**
 * A bare echo loop over the binding's `Epoll` and libc's `recv`/`send`, with one shared buffer and no
 * selector, keys or callbacks: the ceiling a TypeScript loop over koffi can reach on this machine.
 * The pack's servers do more per event (a selector's bookkeeping, a fresh Buffer per `recv`), and
 * the distance between them and this loop is what that costs.
 */
import { EPOLLIN, Epoll, type Socket } from '../../fixtures/native/index.ts';
import { lastErrno, libc } from '../../fixtures/native/libc.ts';
import { errno, platform } from '../../fixtures/native/platform.ts';
import { runServer } from '../../fixtures/program.ts';

const buffer = Buffer.alloc(64 * 1024);

runServer(import.meta.url, 0, (server: Socket) => {
  server.setBlocking(false);
  const epoll = new Epoll();
  const clients = new Map<number, Socket>();
  epoll.register(server.fileno(), EPOLLIN);
  for (;;) {
    for (const [fd] of epoll.poll(null, 1024)) {
      if (fd === server.fileno()) {
        const [client] = server.accept();
        client.setBlocking(false);
        clients.set(client.fileno(), client);
        epoll.register(client.fileno(), EPOLLIN);
        continue;
      }
      const got = libc.recv(fd, buffer, buffer.length, 0) as number;
      if (got > 0) {
        // 64-byte messages: one send takes them whole (the socket's buffer is far larger).
        libc.send(fd, buffer, got, platform.MSG_NOSIGNAL);
      } else if (got === 0 || lastErrno() !== errno.EAGAIN) {
        epoll.unregister(fd);
        clients.get(fd)?.close();
        clients.delete(fd);
      }
    }
  }
});
